// A quick functional pass over the site against the mock server (not part of npm test):
//   MOCK_TOKEN=devtoken npx tsx site/dev/mock-server.ts &  npx tsx site/dev/smoke.ts
import assert from 'node:assert/strict';
import { chromium, type Page } from 'playwright-core';

const base = process.env.SITE_URL ?? 'http://127.0.0.1:5178';
const token = process.env.MOCK_TOKEN ?? 'devtoken';

async function mock(path: string, body?: unknown): Promise<void> {
  await fetch(`${base}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: body ? JSON.stringify(body) : null });
}

async function termText(page: Page, node: string): Promise<string> {
  return page.evaluate((n) => {
    const t = window.__cnilab?.terminals[n];
    if (!t) return '';
    const b = t.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < b.length; i++) lines.push(b.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }, node);
}

async function waitTerm(page: Page, node: string, text: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await termText(page, node)).includes(text)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`${node}: "${text}" never appeared in:\n${await termText(page, node)}`);
}

const step = (s: string) => console.log(`✓ ${s}`);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  await mock('/__mock/state', { reset: true, scenario: 'vxlan', fail: {}, passAll: false });
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${base}/#token=${token}`);
  await page.waitForSelector('.prose h1');
  assert.equal(new URL(page.url()).hash, '#/lab/04', 'token gone from the URL, routed to the workspace lab');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('cnilab.token')), token);
  step('token taken from the fragment, stored, URL replaced; #/ → the workspace lab');

  assert.equal(await page.locator('.lab-link.is-active').getAttribute('data-lab'), '04');
  assert.equal(await page.locator('.lab-link[data-passed="true"]').count(), 4);
  step('sidebar: current lab highlighted, passed labs marked');

  await page.waitForFunction(() => ['node1', 'node2', 'node3', 'router'].every((n) => !!window.__cnilab?.terminals[n]));
  await waitTerm(page, 'node1', 'node1:~#');
  await page.click('.term-tab[data-node="node1"]');
  await page.keyboard.type('stty size\r');
  const size = await page.evaluate(() => {
    const t = window.__cnilab!.terminals.node1!;
    return `${t.rows} ${t.cols}`;
  });
  await waitTerm(page, 'node1', size);
  step(`terminal node1: input, output, resize sent (${size})`);

  await page.click('.term-tab[data-node="node3"]');
  await waitTerm(page, 'node3', 'node3:~#');
  await page.keyboard.type('hostname\r');
  await waitTerm(page, 'node3', 'node3\n');
  await page.click('.term-tab[data-node="node1"]');
  assert.ok((await termText(page, 'node1')).includes(size), 'node1 kept its buffer');
  step('tabs keep their terminals');

  await mock('/__mock/drop');
  await page.waitForSelector('.term-overlay.is-warn');
  await waitTerm(page, 'node1', 'reconnected to node1');
  await page.waitForSelector('.term-overlay', { state: 'detached' });
  step('terminal drop → "reconnecting…" → reconnected');

  await page.keyboard.type('exit 3\r');
  await page.waitForSelector('.term-overlay:has-text("exited with code 3")');
  await page.keyboard.press('Enter');
  await waitTerm(page, 'node1', 'press Enter for a new shell');
  await page.waitForSelector('.term-overlay', { state: 'detached' });
  step('exit → message → Enter → new shell');

  // Keyboard: focus the Check button by tabbing from the top of the lab.
  await page.focus('.lab-toolbar .btn >> nth=0');
  let found = false;
  for (let i = 0; i < 6 && !found; i++) {
    found = await page.evaluate(() => document.activeElement?.getAttribute('data-action') === 'check');
    if (!found) await page.keyboard.press('Tab');
  }
  assert.ok(found, 'Check reachable with Tab');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.check-row[data-state="pass"]');
  await page.waitForSelector('.check-card[data-status="done"]');
  assert.equal(await page.locator('.check-row[data-state="fail"]').count(), 2);
  assert.ok(await page.locator('.check-row[data-state="fail"] .check-detail dt:has-text("Expected")').count());
  step('Check by keyboard; results stream in; failures show expected/found/hint');

  await page.click('[data-action="check"]');
  await page.waitForSelector('.check-card[data-passed="true"]');
  await page.waitForSelector('.lab-link[data-lab="04"][data-passed="true"]');
  step('all pass → banner, sidebar ✓');

  const before = await page.locator('.hint').count();
  await page.click('[data-action="hint"]');
  await page.waitForFunction((n) => document.querySelectorAll('.hint').length === n + 1, before);
  step('Hint reveals one more');

  await page.click('[data-action="reset"]');
  await page.click('[data-action="confirm-reset"]');
  await page.waitForSelector('.done-list li');
  await page.click('.dialog-foot .btn-primary');
  step('Reset with confirmation shows what was done');

  assert.ok(await page.locator('svg[data-mode="vxlan"] [data-pod="node1/web"]').count());
  assert.ok(await page.locator('[data-node="router"][data-role="router"]').count());
  assert.ok(await page.locator('[data-tunnel="node1/flannel.1"]').count());
  assert.ok(await page.locator('[data-route="node1/10.244.2.0/24"][data-target="node2"]').count());
  step('topology data attributes');

  await mock('/__mock/state', { fail: { '/api/topology': 500 } });
  await page.click('[aria-label="Refresh the topology"]');
  await page.waitForSelector('.topo-body .alert-error:has-text("mock failure")');
  await mock('/__mock/state', { fail: {} });
  step('topology 500 → readable message, last picture kept');

  await page.click('[data-theme-toggle]');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  assert.equal(await page.evaluate(() => localStorage.getItem('cnilab.theme')), 'dark');
  await page.reload();
  await page.waitForSelector('.prose h1');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  step('theme toggle remembered (and the token survives a reload)');

  await page.setViewportSize({ width: 820, height: 1000 });
  await page.reload();
  await page.waitForSelector('.prose h1');
  await page.waitForTimeout(500);
  await page.screenshot({ path: '/tmp/cnilab-shots/narrow-820.png' });
  step('narrow layout screenshot: /tmp/cnilab-shots/narrow-820.png');

  assert.deepEqual(errors, []);
  step('no page errors');
  await ctx.close();
} finally {
  await browser.close();
}
