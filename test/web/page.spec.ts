// The static site with the page engine (site/dist-web on a plain static server): the course in
// the tab, nothing else. Each test starts from a fresh browser profile (its own IndexedDB).
import * as fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { checkLab, LAB01, laterModulesFetched, onlyOwnOrigin, run, terminalText } from './helpers.ts';

const ORIGIN = `http://127.0.0.1:${process.env.CNILAB_WEB_PORT ?? 5192}`;
const shot = (page: import('@playwright/test').Page, name: string) => page.screenshot({ path: `test-results/screenshots/web-${name}.png` });

test('lab 01 typed in node1’s terminal in the tab passes its checks; a deleted address fails them', async ({ page }) => {
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/01');
  await expect(page.locator('[data-engine="page"]')).toContainText('simulated kernel');
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="01"]')).toHaveAttribute('data-passed', 'false');
  for (const line of LAB01) await run(page, 'node1', line);
  expect(await run(page, 'node1', 'ip netns exec lab1-a ping -c2 172.16.1.3')).toContain('2 received');
  await checkLab(page, true);
  await expect(page.locator('[data-check][data-state="pass"]')).toHaveCount(4);
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="01"]')).toHaveAttribute('data-passed', 'true');
  await shot(page, 'lab01-passed-light');

  await run(page, 'node1', 'ip -n lab1-b addr del 172.16.1.3/24 dev eth0');
  await checkLab(page, false);
  await expect(page.locator('[data-check="byhand-pods"]')).toHaveAttribute('data-state', 'fail');

  // cnilab in the node's shell says the same.
  const out = await run(page, 'node1', 'cnilab check 01');
  expect(out).toContain('✗');
  expect(out).toContain('2 of 4 checks pass');
  expect(foreign).toEqual([]);
});

test('a reload keeps progress and the cluster; the node’s shell carries on', async ({ page }) => {
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/01');
  await run(page, 'node1', 'cnilab solve 01');
  await checkLab(page, true);
  await run(page, 'node1', 'ip link add keepme type dummy');
  await page.reload();
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="01"]')).toHaveAttribute('data-passed', 'true');
  expect(await run(page, 'node1', 'ip -br link show keepme')).toContain('keepme');
  await checkLab(page, true);
  expect(foreign).toEqual([]);
});

test('export, start over, import: the work comes back', async ({ page }) => {
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/01');
  await run(page, 'node1', 'cnilab solve 01');
  await checkLab(page, true);

  await page.locator('[data-action="work"]').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-action="export"]').click()]);
  const file = test.info().outputPath('work.json');
  await download.saveAs(file);
  const exported = JSON.parse(fs.readFileSync(file, 'utf8'));
  expect(exported.kind).toBe('simplecni-lab-work');
  expect(Object.keys(exported.progress.passed)).toEqual(['01']);
  expect(exported.checks['01'].passed).toBe(true);

  await page.locator('[data-action="start-over"]').click();
  await page.locator('[data-action="confirm-start-over"]').click();
  await page.waitForEvent('load');
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="01"]')).toHaveAttribute('data-passed', 'false');
  expect(await run(page, 'node1', 'ip -br link show lab1br')).toContain('does not exist');

  // A file that is not an export is refused with a reason, and nothing is lost.
  await page.locator('[data-action="work"]').click();
  await page.locator('[data-import-file]').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"hello":1}') });
  await expect(page.getByRole('alert')).toContainText('not a SimpleCNI Lab export');

  await page.locator('[data-import-file]').setInputFiles(file);
  await page.waitForEvent('load');
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="01"]')).toHaveAttribute('data-passed', 'true');
  expect(await run(page, 'node1', 'ip -br addr show lab1br')).toContain('172.16.1.1/24');
  await checkLab(page, true);
  expect(foreign).toEqual([]);
});

test('with the network cut after load, the lab still works in the tab', async ({ page, context }) => {
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/01');
  await expect(page.locator('#term-panel-node1 .xterm')).toBeVisible();
  // Every chunk the lab needs later (the lab texts load lazily) is fetched before going offline.
  await page.locator('nav[aria-label="Labs"] [data-lab="00"]').click();
  await page.locator('nav[aria-label="Labs"] [data-lab="01"]').click();
  // The shell's commands, each a chunk of its own, come once the page has settled.
  await laterModulesFetched(page);
  await context.setOffline(true);
  for (const line of LAB01) await run(page, 'node1', line);
  // A shell command run for the first time (its chunk fetched before, not on this run).
  expect(await run(page, 'node1', "echo abc | sed 's/b/X/' | grep X | tr a-z A-Z")).toContain('AXC');
  await checkLab(page, true);
  await page.locator('[data-action="hint"]').click();
  await expect(page.locator('[data-hint="1"]')).toBeVisible();
  await context.setOffline(false);
  expect(foreign).toEqual([]);
});

test('the solution bot: every lab the page runs, solved and checked in order; the others say why', async ({ page }) => {
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/01');
  await expect(page.locator('#term-panel-node1 .xterm')).toBeVisible();
  const results = await page.evaluate(async () => {
    const engine = (globalThis as any).__cnilab.engine;
    const { labs } = await engine.labs();
    const out: { id: string; note?: string; passed?: boolean; failing?: string[] }[] = [];
    for (const l of labs) {
      const note = engine.labNote?.(l.id);
      if (note && !note.runs) {
        out.push({ id: l.id, note: note.text });
        continue;
      }
      await engine.solve(l.id);
      const done = await engine.check(l.id, () => undefined);
      // The failing checks, with what they found: the assertion's message names them.
      const failing = done.checks.filter((c: any) => !c.passed).map((c: any) => `${c.id}: ${c.found}`);
      out.push({ id: l.id, passed: done.passed, failing });
    }
    return out;
  });
  const ran = results.filter((r) => r.note === undefined);
  // Labs 00-08, 10 and 11 run in the tab: the plugin, its IPAM plugin and the node agent (the
  // cross-node data plane of host-gw, ipip and vxlan; NetworkPolicy rendered into the simulated
  // kernel's nftables) run there through the plugin host.
  expect(ran.map((r) => r.id)).toEqual(['00', '01', '02', '03', '04', '05', '06', '07', '08', '10', '11']);
  for (const r of ran) expect(r, `lab ${r.id}`).toMatchObject({ passed: true, failing: [] });
  // Lab 09 (containerd) is left out.
  expect(results.filter((r) => r.note !== undefined).map((r) => r.id)).toEqual(['09']);
  // Lab 09 needs containerd: the page says so rather than pretending.
  expect(results.find((r) => r.id === '09')?.note).toContain('containerd');
  await page.locator('nav[aria-label="Labs"] [data-lab="09"]').click();
  await expect(page.locator('[data-unsupported="09"]')).toContainText('containerd');
  expect(foreign).toEqual([]);
});

test('lab 06 in the tab: reset clears the data plane; cnilab cluster mode plans and applies it; Check passes', async ({ page }) => {
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/06');
  await expect(page.locator('[data-unsupported="06"]')).toHaveCount(0);
  expect(await run(page, 'node1', 'cnilab reset 06')).toContain('cross-node routes and tunnels removed');
  expect(await run(page, 'node1', 'ip route show 10.244.2.0/24')).not.toContain('via');
  for (const n of ['node1', 'node2', 'node3']) expect(await run(page, 'node1', `cnilab pod add ${n} web`)).toContain(`pod ${n}/web is up: 10.244.`);
  await checkLab(page, false);
  await expect(page.locator('[data-check="hostgw-routes"]')).toHaveAttribute('data-state', 'fail');

  expect(await run(page, 'node1', 'cnilab cluster mode bogus')).toContain('unknown mode "bogus"');
  // The lab's other node commands: the router's routes, and where node2's shell is.
  expect(await run(page, 'node1', 'cnilab exec router -- ip route')).toContain('192.168.57.0/24');
  expect(await run(page, 'node1', 'cnilab shell node2')).toContain('open the node2 tab');
  const plan = await run(page, 'node1', 'cnilab cluster mode host-gw --dry-run');
  expect(plan).toContain('node1: would run');
  expect(plan).toMatch(/ip route replace 10\.244\.2\.0\/24 via 192\.168\./);
  // A dry run changes nothing.
  expect(await run(page, 'node1', 'ip route show 10.244.2.0/24')).not.toContain('via');
  const applied = await run(page, 'node1', 'cnilab cluster mode host-gw');
  expect(applied).toContain('mode host-gw → host-gw on every node (pod MTU 1500 for new pods)');
  expect(await run(page, 'node1', 'ip route show 10.244.2.0/24')).toContain('via');
  await checkLab(page, true);
  expect(foreign).toEqual([]);
});

test('dark theme, the engine badge and its ways to a real kernel', async ({ page }) => {
  await page.goto('./#/lab/01');
  await run(page, 'node1', 'ip -br link');
  await page.locator('[data-theme-toggle]').click();
  await page.locator('[data-engine="page"]').click();
  await expect(page.getByRole('dialog')).toContainText('npm start');
  await shot(page, 'engine-dialog-dark');
  await page.keyboard.press('Escape');
  await shot(page, 'lab01-dark');
  expect(await terminalText(page, 'node1')).toContain('lo ');
});

test('lab 04 in the tab: the plugin runs through the plugin host; cnilab pod add, Check passes', async ({ page }) => {
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/04');
  await checkLab(page, false);
  const out = await run(page, 'node1', 'cnilab pod add node1 web');
  expect(out).toContain('10.244.1.');
  expect(await run(page, 'node1', 'cnilab exec node1/web -- ip -br addr show eth0')).toContain('10.244.1.');
  await checkLab(page, true);
  await shot(page, 'lab04-passed');
  expect(foreign).toEqual([]);
});

test('the Code tab in the tab: Deploy installs the build on the nodes; a syntax error deploys nothing', async ({ page }) => {
  // The first Deploy compiles esbuild's WebAssembly: tens of seconds on a busy machine.
  test.setTimeout(300_000);
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/04');
  await page.locator('[data-action="open-code"]').click();
  await expect(page.locator('.cm-editor .cm-line').first()).toBeVisible({ timeout: 30_000 });
  const deploy = page.locator('[data-action="deploy"]');
  await deploy.click();
  await expect(deploy).toHaveAttribute('data-state', 'ok', { timeout: 180_000 });
  await expect(page.locator('.code-output')).toContainText('on every node');
  // The starter is on the nodes now: lab 04's ADD is still a TODO.
  await page.locator('#work-tab-terminals').click();
  expect(await run(page, 'node1', 'cnilab pod add node1 web')).toContain('TODO(lab 04)');

  await page.locator('[data-action="open-code"]').click();
  const file = (await page.locator('[data-todo="04"]').first().getAttribute('data-file'))!;
  await page.locator('[data-todo="04"]').first().click();
  await page.keyboard.press('Control+Home');
  await page.keyboard.type('const broken = 1 2;\n');
  await deploy.click();
  await expect(deploy).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
  await expect(page.locator(`[data-build-error="${file}:1:18"]`)).toBeVisible();
  // Nothing was deployed: the nodes still run the last good build.
  await page.locator('#work-tab-terminals').click();
  expect(await run(page, 'node1', 'cnilab pod add node1 web2')).toContain('TODO(lab 04)');
  expect(foreign).toEqual([]);
});
