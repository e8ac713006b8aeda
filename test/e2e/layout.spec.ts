// The lab page on the most common workshop laptop screen, 1280×800: an 80-column terminal, a
// toolbar whose Check button stays put, and the code editor (Code tab) with its in-page build.
// Screenshots land in test-results/screenshots/.
import { expect, test, type Browser, type Page } from '@playwright/test';

const url = () => process.env.CNILAB_URL!;
const origin = () => new URL(url()).origin;
/** The site's URL with a query (before the #token=… hash). */
const withQuery = (q: string) => {
  const u = new URL(url());
  return `${u.origin}/${q}${u.hash}`;
};
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png` });

async function laptop(browser: Browser, theme: 'light' | 'dark', address = url()): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: theme });
  const page = await ctx.newPage();
  await page.goto(address);
  return page;
}

/** node1's xterm, once its shell has printed a prompt: its size in columns and rows. */
async function terminalSize(page: Page, node: string): Promise<{ cols: number; rows: number }> {
  await expect
    .poll(() =>
      page.evaluate((n) => {
        const term = (globalThis as unknown as { __cnilab?: { terminals?: Record<string, any> } }).__cnilab?.terminals?.[n];
        if (!term) return '';
        const buf = term.buffer.active;
        let text = '';
        for (let i = 0; i < buf.length; i++) text += buf.getLine(i)?.translateToString(true) ?? '';
        return text;
      }, node),
      { timeout: 20_000 },
    )
    .toMatch(/#/);
  return page.evaluate((n) => {
    const term = (globalThis as unknown as { __cnilab: { terminals: Record<string, { cols: number; rows: number }> } }).__cnilab.terminals[n]!;
    return { cols: term.cols, rows: term.rows };
  }, node);
}

test('at 1280×800 the terminal has 80 columns and Check stays where it was when Solution appears', async ({ browser }) => {
  const page = await laptop(browser, 'light');
  await page.locator('nav[aria-label="Labs"] [data-lab="00"]').click();
  await expect(page.getByRole('heading', { level: 1, name: /00 · Setup and tour/ })).toBeVisible({ timeout: 30_000 });

  const size = await terminalSize(page, 'node1');
  expect(size.cols).toBeGreaterThanOrEqual(80);
  expect(size.rows).toBeGreaterThanOrEqual(12);
  // What xterm says matches what is drawn: a row of the screen is ≥ 80 characters wide.
  const drawn = await page.locator('#term-panel-node1 .xterm-screen').boundingBox();
  const cell = await page.evaluate(() => {
    const term = (globalThis as unknown as { __cnilab: { terminals: Record<string, any> } }).__cnilab.terminals.node1;
    return term._core?._renderService?.dimensions?.css?.cell?.width as number | undefined;
  });
  if (cell) expect(drawn!.width / cell).toBeGreaterThanOrEqual(80);

  // The topology shows every node of the cluster, whole, without scrolling.
  const topo = (await page.locator('.topo-body').boundingBox())!;
  for (const node of ['node1', 'node2', 'node3']) {
    const box = (await page.locator(`.topo-svg [data-node="${node}"] .node-box`).first().boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(topo.x - 1);
    expect(box.x + box.width).toBeLessThanOrEqual(topo.x + topo.width + 1);
  }

  const check = page.locator('[data-action="check"]');
  await expect(page.locator('[data-action="solution"]')).toHaveCount(0);
  const before = (await check.boundingBox())!;
  await check.click();
  await expect(page.locator('[data-status="done"][data-passed="true"]')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('[data-action="solution"]')).toBeVisible();
  const after = (await check.boundingBox())!;
  expect(after).toEqual(before);
  // Solution sits on the same row as Check, to its left.
  const solution = (await page.locator('[data-action="solution"]').boundingBox())!;
  expect(Math.abs(solution.y + solution.height / 2 - (after.y + after.height / 2))).toBeLessThan(2);
  expect(solution.x).toBeLessThan(after.x);
  await shot(page, 'laptop-1280-light');
  await page.context().close();
});

test('at 1280×800 in the dark theme: 80 columns, the lab list as a rail that still navigates', async ({ browser }) => {
  const page = await laptop(browser, 'dark');
  await page.locator('nav[aria-label="Labs"] [data-lab="04"]').click();
  await expect(page.getByRole('heading', { level: 1, name: /04 · Bridge and veth/ })).toBeVisible({ timeout: 30_000 });
  expect((await terminalSize(page, 'node1')).cols).toBeGreaterThanOrEqual(80);
  await shot(page, 'laptop-1280-dark');

  // The full lab list comes back with the sidebar button, and is remembered.
  await page.getByRole('button', { name: 'Show the lab list' }).click();
  await expect(page.locator('nav[aria-label="Labs"]').getByText('Bridge and veth: your first pod')).toBeVisible();
  await page.reload();
  await expect(page.locator('nav[aria-label="Labs"]').getByText('Bridge and veth: your first pod')).toBeVisible();
  await shot(page, 'laptop-1280-dark-sidebar');
  await page.context().close();
});

for (const theme of ['light', 'dark'] as const) {
  test(`the code editor (${theme}): TODOs, Deploy built in the page, a syntax error at its file:line, reset to the starter`, async ({ browser }) => {
    // The first Deploy compiles esbuild's WebAssembly: tens of seconds on a busy machine.
    test.setTimeout(300_000);
    const page = await laptop(browser, theme, withQuery('?code=tab'));
    const foreign: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.protocol !== 'blob:' && u.protocol !== 'data:' && u.origin !== origin()) foreign.push(r.url());
    });
    await page.locator('nav[aria-label="Labs"] [data-lab="04"]').click();
    await expect(page.getByRole('heading', { level: 1, name: /04 · Bridge and veth/ })).toBeVisible({ timeout: 30_000 });
    // The Code tab sits beside the terminals; the terminal tabs keep their contract (your machine and the four nodes).
    await expect(page.locator('[role="tab"][data-node]')).toHaveCount(5);
    await expect(page.locator('[role="tab"][data-node="workstation"]')).toHaveCount(1);
    await page.locator('[data-action="open-code"]').click();
    await expect(page.locator('.cm-editor .cm-line').first()).toBeVisible({ timeout: 30_000 });

    // Lab 04's TODOs come first; clicking one puts the cursor on its line.
    const todo = page.locator('[data-todo="04"]').first();
    await expect(todo).toBeVisible();
    const file = (await todo.getAttribute('data-file'))!;
    await todo.click();
    await expect(page.locator('.cm-editor')).toHaveAttribute('data-file', file);
    await expect(page.locator('.cm-activeLine')).toContainText('TODO(lab 04)');
    await expect(page.locator('.cm-todo-line').first()).toBeVisible();

    // The starter builds in the page (esbuild-wasm, from this site, not the network).
    const deploy = page.locator('[data-action="deploy"]');
    await deploy.click();
    await expect(deploy).toHaveAttribute('data-state', 'ok', { timeout: 180_000 });
    await expect(page.locator('.code-output')).toContainText('Built simplecni');

    // A syntax error: nothing deployed, the error at file:line:column, a click goes there.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.type('const broken = 1 2;\n');
    await deploy.click();
    await expect(deploy).toHaveAttribute('data-state', 'error', { timeout: 60_000 });
    const err = page.locator(`[data-build-error="${file}:1:18"]`);
    await expect(err).toContainText('Expected ";" but found "2"');
    await page.keyboard.press('Control+End');
    await err.click();
    await expect(page.locator('.cm-activeLine')).toContainText('const broken = 1 2;');
    await expect(page.locator(`.code-file[data-file="${file}"]`)).toHaveClass(/has-error/);
    await shot(page, `editor-1280-${theme}`);

    // Reset the file to the starter: the broken line is gone, the TODO is back.
    await page.locator('[data-action="reset-file"]').click();
    await expect(page.locator('.cm-line').first()).not.toContainText('const broken');
    await expect(page.locator(`[data-todo="04"][data-file="${file}"]`).first()).toBeVisible();

    expect(foreign).toEqual([]);
    await page.context().close();
  });
}
