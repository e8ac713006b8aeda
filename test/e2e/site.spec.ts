// The lab site in a real browser against the real server and a real netns cluster: what a student
// does in a lab, start to pass. Screenshots of the main views land in test-results/screenshots/.
import { expect, test, type Page } from '@playwright/test';
import { terminalText, typeInTerminal } from '../helpers/terminal.ts';

const url = () => process.env.CNILAB_URL!;
const origin = () => new URL(url()).origin;
const token = () => new URL(url()).hash.replace('#token=', '');
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png` });

test('a student takes lab 04 from failing checks to passing, and sees the pod in the topology', async ({ page }) => {
  // `cnilab serve` without --host listens on loopback only.
  expect(new URL(url()).hostname).toBe('127.0.0.1');
  await page.goto(url());
  await expect(page).not.toHaveURL(/token=/); // the secret leaves the address bar at once
  await page.locator('nav[aria-label="Labs"] [data-lab="04"]').click();
  await expect(page.locator('.lab-page[data-lab="04"]')).toBeVisible();
  await expect(page.getByRole('heading', { level: 1, name: /04 · Bridge and veth/ })).toBeVisible();

  // A terminal on node1: type a command, read the answer back from the terminal buffer.
  await typeInTerminal(page, 'node1', 'echo "hello-$((6*7))"; ip -br addr show eth1');
  await expect.poll(() => terminalText(page, 'node1'), { timeout: 15_000 }).toContain('hello-42');
  // The echo is the shell's own; `ip` is a process of its own, whose answer may come a moment later.
  await expect.poll(() => terminalText(page, 'node1'), { timeout: 15_000 }).toContain('192.168.56.11/24');

  // Switch to node2: its own shell; node1's stays as it was.
  await typeInTerminal(page, 'node2', 'ip -br addr show eth1');
  await expect.poll(() => terminalText(page, 'node2'), { timeout: 15_000 }).toContain('192.168.56.12/24');
  await page.locator('[role="tab"][data-node="node1"]').click();
  expect(await terminalText(page, 'node1')).toContain('hello-42');
  await shot(page, 'lab-terminal');

  // Check: nothing built yet, so checks fail with expected / found / hint.
  await page.locator('[data-action="check"]').click();
  const results = page.locator('[data-status="done"]');
  await expect(results).toBeVisible({ timeout: 30_000 });
  await expect(results).toHaveAttribute('data-passed', 'false');
  expect(await page.locator('[data-check][data-state="fail"]').count()).toBeGreaterThan(0);
  await expect(page.locator('[data-check="pod-wired"][data-state="fail"]')).toContainText(/no pod "web" on node1/);
  await shot(page, 'lab-check-failing');

  // Apply the solution (as an instructor's "catch up" would), then Check again: all pass.
  const solved = await page.request.post(`${origin()}/api/labs/04/solve`, { headers: { authorization: `Bearer ${token()}` } });
  expect(solved.status()).toBe(200);
  await page.locator('[data-action="check"]').click();
  await expect(page.locator('[data-status="done"][data-passed="true"]')).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="04"]')).toHaveAttribute('data-passed', 'true');

  // The topology picture, drawn from the nodes' state, shows the pod the plugin wired.
  await page.getByRole('button', { name: 'Refresh the topology' }).click();
  await expect(page.locator('[data-pod="node1/web"]').first()).toBeVisible({ timeout: 15_000 });
  await expect(page.locator('[data-pod="node1/web"]').first()).toContainText('10.244.1.');
  await shot(page, 'lab-check-passing');

  // Progress survives a reload.
  await page.reload();
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="04"]')).toHaveAttribute('data-passed', 'true');
  await expect(page.locator('[data-action="solution"]')).toBeVisible();
});

test('without the token the site says what to open, and the API refuses', async ({ browser }) => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${origin()}/`);
  await expect(page.getByText(/npm start/).first()).toBeVisible();
  const r = await page.request.get(`${origin()}/api/labs`);
  expect(r.status()).toBe(401);
  await shot(page, 'no-token');
  await ctx.close();
});

test('dark theme and a narrow laptop screen', async ({ browser }) => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  const page = await ctx.newPage();
  await page.goto(url());
  await page.locator('nav[aria-label="Labs"] [data-lab="08"]').click();
  await expect(page.getByRole('heading', { level: 1, name: /08 · VXLAN/ })).toBeVisible();
  // The system's dark preference is taken: the dark tokens apply, and the page is dark, its text light.
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  // base.css's dark tokens: --bg #0b0e13, --text #e7ecf2 (the light theme's are near white and near black).
  await expect(page.locator('body')).toHaveCSS('background-color', 'rgb(11, 14, 19)');
  await expect(page.locator('body')).toHaveCSS('color', 'rgb(231, 236, 242)');
  await expect(page.locator('html')).toHaveCSS('color-scheme', 'dark');
  await shot(page, 'lab-dark-1280');
  await ctx.close();
});
