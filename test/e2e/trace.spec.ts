// The topology panel's "Trace a ping" in a real browser, against the server global-setup.ts starts:
// a ping that gets through in vxlan (lab 08 solved), one the router drops in host-gw (lab 06 solved),
// the hops walked with the keyboard, the path drawn on the picture, and the API's refusals.
// Screenshots land in test-results/screenshots/.
import { expect, test, type Page } from '@playwright/test';

const url = () => process.env.CNILAB_URL!;
const origin = () => new URL(url()).origin;
const token = () => new URL(url()).hash.replace('#token=', '');
const auth = () => ({ authorization: `Bearer ${token()}` });
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png` });

async function solve(page: Page, lab: string) {
  const r = await page.request.post(`${origin()}/api/labs/${lab}/solve`, { headers: auth(), timeout: 60_000 });
  expect(r.status(), await r.text()).toBe(200);
}

/** Opens a lab with a fresh topology picture that shows node3's pod. */
async function openTopology(page: Page, lab: string) {
  await page.goto(url());
  await page.locator(`nav[aria-label="Labs"] [data-lab="${lab}"]`).click();
  await page.getByRole('button', { name: 'Refresh the topology' }).click();
  await expect(page.locator('.topo-panel [data-pod="node3/web"]')).toBeVisible({ timeout: 15_000 });
}

async function trace(page: Page, from: string, to: string) {
  const form = page.getByRole('form', { name: 'Trace a ping' });
  await form.locator('select[name="from"]').selectOption(from);
  await form.locator('select[name="to"]').selectOption(to);
  await form.locator('[data-action="trace"]').click();
  await expect(page.locator('.topo-panel .trace-summary')).toBeVisible({ timeout: 30_000 });
}

test('a ping across the router in vxlan: hop by hop in words and on the picture', async ({ page }) => {
  await solve(page, '08');
  await openTopology(page, '08');
  await trace(page, 'node1/web', 'node3/web');

  const panel = page.locator('.topo-panel');
  await expect(panel.locator('.trace-summary')).toHaveAttribute('data-trace-ok', 'true');
  await expect(panel.locator('.trace-summary')).toContainText('Reply received');

  // The hops, in order: the request starts in node1/web and ends delivered in node3/web; then the reply.
  const request = panel.locator('.trace-group[data-direction="request"] .trace-hop');
  const reply = panel.locator('.trace-group[data-direction="reply"] .trace-hop');
  expect(await request.count()).toBeGreaterThan(3);
  expect(await reply.count()).toBeGreaterThan(0);
  await expect(request.first()).toHaveAttribute('data-where', 'node1/web');
  await expect(request.last()).toHaveAttribute('data-step', 'deliver');
  await expect(request.last()).toHaveAttribute('data-where', 'node3/web');
  await expect(reply.last()).toHaveAttribute('data-where', 'node1/web');
  // VXLAN: node1 encapsulates the packet, and the hops after show the outer header, to node3's address.
  await expect(panel.locator('.trace-hop[data-step="encap"]').first()).toHaveAttribute('data-where', 'node1');
  await expect(panel.locator('.trace-hop .hop-outer').first()).toContainText('192.168.57.13');

  // On the picture: numbered markers from node1/web to node3/web, the crossing drawn as a tunnel.
  const overlay = panel.locator('svg.topo-svg .trace-overlay');
  await expect(overlay).toHaveClass(/dir-request/);
  await expect(overlay.locator('[data-trace-stop="pod:node1/web"]')).toHaveAttribute('data-order', '1');
  await expect(overlay.locator('[data-trace-stop="pod:node3/web"]')).toHaveCount(1);
  await expect(overlay.locator('[data-trace-stop="router:router"]')).toHaveCount(1);
  expect(await overlay.locator('.trace-leg.is-encap').count()).toBeGreaterThan(0);
  expect(await overlay.locator('.trace-marker.is-drop').count()).toBe(0);
  await shot(page, 'trace-vxlan');

  // Keyboard: into the list, Down moves to the next hop; the picture marks that hop's stop.
  await request.first().focus();
  await page.keyboard.press('ArrowDown');
  await expect(request.nth(1)).toBeFocused();
  await expect(request.nth(1)).toHaveAttribute('aria-current', 'step');
  await expect(panel.locator('.hop-stepper')).toHaveAttribute('data-active-hop', '2');
  await expect(overlay.locator('.trace-marker.is-active')).toHaveCount(1);
  await page.keyboard.press('End');
  await expect(reply.last()).toBeFocused();
  await expect(overlay).toHaveClass(/dir-reply/); // a reply hop shows the way back
  await expect(panel.locator('.trace-dir [data-direction="reply"]')).toHaveAttribute('aria-pressed', 'true');
  // The stepper walks back one hop at a time.
  await panel.getByRole('button', { name: 'Previous hop' }).click();
  await expect(panel.locator('.hop-stepper')).toHaveAttribute('data-active-hop', String((await request.count()) + (await reply.count()) - 1));

  // To a typed address: a bad one is refused in the page, node3/web's own address traces.
  const form = page.getByRole('form', { name: 'Trace a ping' });
  await form.locator('select[name="to"]').selectOption('__address');
  await form.locator('input[name="address"]').fill('10.244.3');
  await form.locator('[data-action="trace"]').click();
  await expect(form.getByRole('alert')).toContainText('IPv4');
  const address = await page.locator('.topo-panel [data-pod="node3/web"]').getAttribute('data-address');
  await form.locator('input[name="address"]').fill(address!);
  await form.locator('[data-action="trace"]').click();
  await expect(panel.locator('.trace-summary')).toHaveAttribute('data-trace-ok', 'true', { timeout: 30_000 });

  // Clear: the picture is plain again.
  await panel.getByRole('button', { name: 'Clear the trace' }).click();
  await expect(panel.locator('.trace-overlay')).toHaveCount(0);
});

test('host-gw cannot reach node3: dropped at the router, in red on the picture', async ({ browser }) => {
  const ctx = await browser.newContext({ colorScheme: 'dark' });
  const page = await ctx.newPage();
  await solve(page, '06');
  await openTopology(page, '06');
  await trace(page, 'node1/web', 'node3/web');

  const panel = page.locator('.topo-panel');
  await expect(panel.locator('.trace-summary')).toHaveAttribute('data-trace-ok', 'false');
  await expect(panel.locator('.trace-summary')).toContainText('Dropped');
  await expect(panel.locator('.trace-summary')).toContainText(/router/i);
  const drop = panel.locator('.trace-hop[data-step="drop"]').first();
  await expect(drop).toHaveAttribute('data-where', 'router');
  await expect(panel.locator('svg .trace-overlay [data-trace-stop="router:router"].is-drop')).toHaveCount(1);
  await expect(panel.locator('svg .trace-outline.is-drop')).toHaveCount(1);
  await shot(page, 'trace-host-gw-dark');
  await ctx.close();
});

test('GET /api/trace refuses what it cannot trace, and needs the token', async ({ request }) => {
  const get = (q: string, headers: Record<string, string> = auth()) => request.get(`${origin()}/api/trace?${q}`, { headers });
  const missing = await get('from=node1%2Fweb');
  expect(missing.status()).toBe(400);
  expect((await missing.json()).error).toMatch(/to/);
  const unknown = await get('from=node1%2Fnosuchpod&to=node3%2Fweb');
  expect(unknown.status()).toBe(400);
  expect((await unknown.json()).error).toBe('no pod "nosuchpod" on node1 (see cnilab pod list)');
  // The page asks in its language: the server's own sentence comes back in it.
  const zh = await get('from=node1%2Fnosuchpod&to=node3%2Fweb', { ...auth(), 'accept-language': 'zh-CN' });
  expect((await zh.json()).error).toBe('node1 上没有 Pod“nosuchpod”（用 cnilab pod list 查看）');
  expect((await get('from=node1%2Fweb&to=node3%2Fweb', {})).status()).toBe(401);
  expect((await get('from=node1%2Fweb&to=node3%2Fweb', { ...auth(), origin: 'http://evil.example' })).status()).toBe(403);
});
