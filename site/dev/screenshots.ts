// Screenshots of the site against a running server (the mock by default), for looking at the
// design: npx tsx site/dev/screenshots.ts [outDir=/tmp/cnilab-shots]
// Needs Debian's chromium (/usr/bin/chromium) and MOCK_TOKEN=devtoken on the mock server.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const base = process.env.SITE_URL ?? 'http://127.0.0.1:5178';
const token = process.env.MOCK_TOKEN ?? 'devtoken';
const out = process.argv[2] ?? '/tmp/cnilab-shots';
mkdirSync(out, { recursive: true });

async function mock(body: unknown): Promise<void> {
  await fetch(`${base}/__mock/state`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(out, `${name}.png`) });
  console.log(join(out, `${name}.png`));
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

try {
  for (const theme of ['light', 'dark'] as const) {
    for (const [w, h] of [
      [1280, 800],
      [1440, 900],
    ] as const) {
      await mock({ reset: true, scenario: 'vxlan', fail: {}, passAll: false });
      const ctx = await browser.newContext({ viewport: { width: w, height: h }, colorScheme: theme });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => console.error('pageerror', e.message));
      page.on('console', (m) => m.type() === 'error' && console.error('console', m.text()));
      await page.goto(`${base}/#/lab/04&token=${token}`);
      await page.waitForSelector('.prose h1');
      await page.waitForSelector('[data-pod="node1/web"]');
      await page.waitForFunction(() => !!window.__cnilab?.terminals.node1?.buffer.active.getLine(1)?.translateToString().includes('#'));
      await page.click('.term-tab[data-node="node1"]');
      await page.keyboard.type('ip -br addr\r');
      await page.waitForTimeout(300);
      await shot(page, `lab04-${theme}-${w}`);
      if (w === 1280) {
        await page.click('[data-action="check"]');
        await page.waitForSelector('.check-card[data-status="done"]');
        await page.waitForTimeout(300);
        await shot(page, `lab04-checkfail-${theme}-${w}`);
        await page.click('[data-action="check"]');
        await page.waitForSelector('.check-card[data-passed="true"]');
        await page.waitForTimeout(400);
        await shot(page, `lab04-checkpass-${theme}-${w}`);
        await page.click('.success-banner button');
        await page.waitForSelector('.solution-region');
        await shot(page, `lab04-solution-${theme}-${w}`);
        await page.keyboard.press('Escape');
        await page.click('[data-action="reset"]');
        await page.waitForTimeout(200);
        await shot(page, `lab04-reset-${theme}-${w}`);
        await page.keyboard.press('Escape');
        await page.goto(`${base}/#/lab/08`);
        await page.waitForSelector('.prose h1');
        await page.locator('.lab-scroll').evaluate((el) => (el.scrollTop = 700));
        await page.waitForTimeout(300);
        await shot(page, `lab08-${theme}-${w}`);
        await mock({ scenario: 'host-gw' });
        await page.click('[aria-label="Open the topology full size"]');
        await page.waitForTimeout(200);
        await page.click('.topo-dialog-meta button');
        await page.waitForSelector('.topo-dialog-body [data-mode="host-gw"]');
        await shot(page, `topology-dialog-hostgw-${theme}`);
        await page.keyboard.press('Escape');
        await mock({ scenario: 'node3-down' });
        await page.click('[aria-label="Refresh the topology"]');
        await page.waitForSelector('[data-node="node3"][data-reachable="false"]');
        await page.waitForTimeout(200);
        await shot(page, `topology-node3down-${theme}`);
        await mock({ scenario: 'vxlan' });
      }
      await ctx.close();
    }
  }
  // Whole-page states
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const fresh = async (url: string) => {
    const p = await ctx.newPage();
    await p.goto(url);
    await p.waitForSelector('.fullpage-card');
    return p;
  };
  await shot(await fresh(`${base}/`), 'no-token');
  await shot(await fresh(`${base}/#token=wrong`), 'bad-token');
  await mock({ fail: { '/api/labs': 500 } });
  await shot(await fresh(`${base}/#token=${token}`), 'labs-500');
  await mock({ fail: {} });
  await ctx.close();
} finally {
  await browser.close();
}
