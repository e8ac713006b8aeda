// Choosing the engine, offline: a cross-origin isolated page tries the WebContainer engine, whose
// runtime must come from stackblitz.com — every such request is aborted here, so nothing leaves the
// machine — and within the bound falls back to the page engine with a plain notice and a working
// terminal. A page without the two headers never tries. (Booting a real WebContainer needs the
// network: not part of this suite.)
import { expect, test, type Page } from '@playwright/test';
import { run } from './helpers.ts';

const ISOLATED = `http://127.0.0.1:${Number(process.env.CNILAB_WEB_PORT ?? 5192) + 1}`; // the isolated server: the next port
const PLAIN = 'http://127.0.0.1:5192';
/** The engine's bound (BOOT_BOUND_MS in site/src/engine/webcontainer/choose.ts), plus the page's own start. */
const BOUND_MS = 15_000;

/** Aborts every request that would leave the machine; returns the ones to StackBlitz's hosts, and any other foreign one. */
async function offline(page: Page, origin: string) {
  const stackblitz: string[] = [];
  const other: string[] = [];
  await page.route(
    (url) => url.origin !== origin && url.protocol.startsWith('http'),
    (route) => {
      const u = route.request().url();
      (/(^|\.)(stackblitz\.com|webcontainer\.io|webcontainer-api\.io|staticblitz\.com)$/.test(new URL(u).hostname) ? stackblitz : other).push(u);
      return route.abort('internetdisconnected');
    },
  );
  return { stackblitz, other };
}

type Choice = { tried: string; ms: number; reason?: string };
const choice = (page: Page) => page.evaluate(() => (globalThis as unknown as { __cnilab: { engineChoice: Choice } }).__cnilab.engineChoice);

test('with COOP/COEP the WebContainer is tried; offline it falls back within the bound, says so plainly, and the page engine’s terminal works', async ({ page }) => {
  test.setTimeout(120_000);
  const net = await offline(page, ISOLATED);
  await page.goto(`${ISOLATED}/#/lab/01`);
  expect(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(true);
  const notice = page.locator('[role="status"][data-engine-notice="fallback"]');
  await expect(notice).toBeVisible({ timeout: BOUND_MS + 15_000 });
  await expect(notice).toContainText('WebContainer');
  await expect(notice).toContainText('stackblitz.com');
  await expect(notice).toContainText('page engine');
  await expect(page.locator('[data-engine="page"]')).toBeVisible();
  const c = await choice(page);
  expect(c.tried).toBe('webcontainer');
  expect(c.ms).toBeLessThanOrEqual(BOUND_MS + 2_000);
  expect(c.reason).toBeTruthy();
  // It did try: the runtime's frame was asked of StackBlitz (and refused here).
  expect(net.stackblitz.length).toBeGreaterThan(0);
  expect(net.other).toEqual([]);
  expect(await run(page, 'node1', 'ip -br addr show eth1')).toContain('192.168.56.11');
  await page.screenshot({ path: 'test-results/screenshots/web-engine-fallback.png' });
  // The notice can be put away.
  await notice.getByRole('button', { name: 'Dismiss' }).click();
  await expect(notice).toHaveCount(0);
});

test('without the headers the WebContainer is never tried: no request to StackBlitz, no notice', async ({ page }) => {
  const net = await offline(page, PLAIN);
  await page.goto(`${PLAIN}/#/lab/01`);
  await expect(page.locator('[data-engine="page"]')).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as { crossOriginIsolated: boolean }).crossOriginIsolated)).toBe(false);
  expect(await run(page, 'node1', 'ip -br addr show eth1')).toContain('192.168.56.11');
  expect((await choice(page)).tried).toBe('none');
  await expect(page.locator('[data-engine-notice]')).toHaveCount(0);
  expect(net.stackblitz).toEqual([]);
  expect(net.other).toEqual([]);
});
