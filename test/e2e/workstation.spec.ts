// The lab text's `$ cnilab …` lines have a terminal to run in: "your machine", beside the node
// tabs, a shell in the kit's folder with cnilab on PATH and the cluster chosen. cnilab typed in a
// node's shell says where to run it instead of checking the wrong namespace.
import { expect, test } from '@playwright/test';
import { terminalText, typeInTerminal as typeIn } from '../helpers/terminal.ts';

const url = () => process.env.CNILAB_URL!;

test('the "your machine" terminal runs cnilab against the cluster; a node terminal points to it', async ({ page }) => {
  test.setTimeout(240_000);
  await page.goto(url());
  await page.locator('nav[aria-label="Labs"] [data-lab="04"]').click();
  const tab = page.locator('[role="tab"][data-node="workstation"]');
  await expect(tab).toBeVisible();
  await expect(tab).toContainText(/your machine/i);

  // The lab's own loop, typed where the text says: solve brings lab 04's end state, check passes it.
  await typeIn(page, 'workstation', 'cnilab solve 04 --yes && cnilab check 04; echo "exit=$?"');
  await expect.poll(() => terminalText(page, 'workstation'), { timeout: 120_000 }).toMatch(/exit=\d/);
  const out = await terminalText(page, 'workstation');
  expect(out).toMatch(/All \d+ checks pass\./);
  expect(out).toContain('exit=0');
  expect(out).not.toContain('✗');

  // The same command in node1's shell: one line saying where to run it, never a false ✗.
  await typeIn(page, 'node1', 'cnilab check 04; echo "node-exit=$?"');
  await expect.poll(() => terminalText(page, 'node1'), { timeout: 30_000 }).toMatch(/node-exit=\d/);
  const onNode = await terminalText(page, 'node1');
  expect(onNode).toContain('cnilab runs on your own machine');
  expect(onNode).toContain('node-exit=2');
  expect(onNode).not.toContain('✗');
  await page.screenshot({ path: 'test-results/screenshots/workstation.png' });
});
