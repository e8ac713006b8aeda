// Lab 04 as a learner does it in the tab: the starter in the Code tab, deployed as given, fails
// Check; each of the lab's own TODOs replaced in the editor by its region of the reference
// solution (the same "own TODOs solved" as test/helpers/starters.ts), deployed in the page, a pod
// added in node1's terminal, and every check passes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { deriveStarter, isWorkspaceSource } from '../../src/labs/starterCore.ts';
import { checkLab, onlyOwnOrigin, run } from './helpers.ts';

const ORIGIN = `http://127.0.0.1:${process.env.CNILAB_WEB_PORT ?? 5192}`;

/** The reference sources a workspace holds, by workspace path (as the page bundles them). */
function referenceSources(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const abs = path.join(process.cwd(), rel);
    if (fs.statSync(abs).isDirectory()) for (const e of fs.readdirSync(abs)) walk(`${rel}/${e}`);
    else if (isWorkspaceSource(rel)) out[rel] = fs.readFileSync(abs, 'utf8');
  };
  for (const d of ['src/plugin', 'src/node', 'src/shared/cniSpec.ts']) walk(d);
  return out;
}

/** Lab 04's own regions in the order the editor lists its TODOs: the stub's line count and the solution. */
const regions = deriveStarter(referenceSources(), '04')
  .todos.filter((r) => r.lab === '04')
  .map((r) => ({ file: r.file, description: r.description, stubLines: 1 + (r.starter?.length ?? 1), solution: r.solution.join('\n') }));

async function deploy(page: Page, expected: 'ok' | 'error', timeout: number) {
  const button = page.locator('[data-action="deploy"]');
  await button.click();
  await expect(button).toHaveAttribute('data-state', expected, { timeout });
}

const openCode = async (page: Page) => {
  await page.locator('[data-action="open-code"]').click();
  await expect(page.locator('.cm-editor .cm-line').first()).toBeVisible({ timeout: 30_000 });
};

test('lab 04 as a learner: the starter fails Check; its TODOs filled in the editor, deployed, a pod added: every check passes', async ({ page }) => {
  // The first Deploy compiles esbuild's WebAssembly: tens of seconds on a busy machine.
  test.setTimeout(300_000);
  expect(regions.length, 'lab 04 has TODOs of its own').toBeGreaterThan(0);
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/04');

  // The starter as given: it builds and deploys, but its ADD is a TODO, so the lab fails.
  await openCode(page);
  await expect(page.locator('[data-todo="04"]')).toHaveCount(regions.length);
  await deploy(page, 'ok', 180_000);
  await page.locator('#work-tab-terminals').click();
  expect(await run(page, 'node1', 'cnilab pod add node1 web')).toContain('not written yet: TODO(lab 04)');
  await checkLab(page, false);
  await expect(page.locator('[data-check="pod-wired"]')).toHaveAttribute('data-state', 'fail');

  // Each TODO: jump to it from the TODO list, select its stub, paste the region's solution.
  await openCode(page);
  for (const [i, r] of regions.entries()) {
    const todo = page.locator('[data-todo="04"]').first();
    await expect(todo, `TODO ${i + 1} of lab 04`).toHaveAttribute('data-file', r.file);
    await expect(todo).toContainText(r.description);
    await todo.click();
    await expect(page.locator('.cm-editor')).toHaveAttribute('data-file', r.file);
    for (let k = 1; k < r.stubLines; k++) await page.keyboard.press('Shift+ArrowDown');
    await page.keyboard.press('Shift+End');
    await page.keyboard.insertText(r.solution);
    await page.keyboard.press('Escape'); // an autocompletion list the paste may have opened
    await expect(page.locator('[data-todo="04"]')).toHaveCount(regions.length - i - 1);
  }
  await deploy(page, 'ok', 60_000);
  await expect(page.locator('.code-output')).toContainText('on every node');

  await page.locator('#work-tab-terminals').click();
  expect(await run(page, 'node1', 'cnilab pod add node1 web')).toContain('pod node1/web is up: 10.244.1.');
  await checkLab(page, true);
  const checks = page.locator('[data-check][data-state]');
  await expect(checks).toHaveCount(6);
  for (const c of await checks.all()) await expect(c).toHaveAttribute('data-state', 'pass');
  expect(foreign).toEqual([]);
});
