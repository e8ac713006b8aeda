// The static site (page engine) in Chinese: a lab URL that carries ?lang=zh-CN opens the Chinese
// page (its code blocks exactly the English ones), and a failed Check in the tab shows Chinese
// titles, expected / found and hint.
import { expect, test } from '@playwright/test';
import * as fs from 'node:fs';
import { codeBlocksOf } from '../../src/i18n/labPages.ts';
import { checkLab, onlyOwnOrigin, run, terminalText } from './helpers.ts';

const ORIGIN = `http://127.0.0.1:${process.env.CNILAB_WEB_PORT ?? 5192}`;

test('lab 04 in the tab in Chinese: its Chinese page, a failed Check in Chinese; lab 11 in Chinese, its policy block as in English', async ({ page }) => {
  const foreign = onlyOwnOrigin(page, ORIGIN);
  await page.goto('./#/lab/00?lang=zh-CN');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('heading', { level: 1, name: '00 · 准备与导览' })).toBeVisible();
  await page.locator('nav[aria-label="Labs"] [data-lab="11"]').click();
  await expect(page.getByRole('heading', { level: 1, name: '11 · NetworkPolicy：从一条策略到一个被丢弃的包' })).toBeVisible();
  await expect(page.locator('h2#the-idea')).toHaveText('思路');
  await expect(page.locator('[data-translation]')).toHaveCount(0);
  const yaml = codeBlocksOf(fs.readFileSync('labs/11-network-policy/lab.mdx', 'utf8')).find((b) => b.startsWith('```yaml'))!;
  expect(await page.locator('.codeblock.lang-yaml pre').first().evaluate((el) => el.textContent)).toBe(yaml.split('\n').slice(1, -1).join('\n'));
  await page.locator('nav[aria-label="Labs"] [data-lab="04"]').click();
  await expect(page).toHaveURL(/#\/lab\/04\?lang=zh-CN$/);
  await expect(page.getByRole('heading', { level: 1, name: '04 · 网桥与 veth：你的第一个 Pod' })).toBeVisible();
  await checkLab(page, false);
  const wired = page.locator('[data-check="pod-wired"][data-state="fail"]');
  await expect(wired).toContainText('node1 上的 Pod web 有一个 up 的 eth0');
  await expect(wired.locator('dt')).toHaveText(['预期', '实际', '提示']);
  await expect(wired).toContainText('node1 上没有 Pod “web”');
  await page.screenshot({ path: 'test-results/screenshots/web-zh-lab04-failing.png' });

  // The node's terminal greets in Chinese, and cnilab in it speaks the page's language.
  await expect.poll(() => terminalText(page, 'node1')).toContain('输入 help 查看这里能用的命令');
  const trace = await run(page, 'node1', 'cnilab trace node1 node2');
  expect(trace).toContain('✓ 收到来自 192.168.56.12 的应答');
  expect(trace).toContain('ICMP echo 请求');
  expect(trace).not.toMatch(/reply received|echo request/);
  const solve = await run(page, 'node1', 'cnilab solve 04');
  expect(solve).toContain('✓ 已在每个节点上部署参考插件');
  expect(solve).toContain('✓ node1 上的 Pod web 已就绪');

  // Reset from its dialog: what was done, in Chinese.
  await page.locator('[data-action="reset"]').click();
  const reset = page.getByRole('dialog', { name: '要重置实验 04 吗？' });
  await reset.locator('[data-action="confirm-reset"]').click();
  await expect(reset.locator('.done-list li').first()).toHaveText('已删除所有 Pod');
  await expect(reset.locator('.done-list')).not.toContainText('pods deleted');
  await page.screenshot({ path: 'test-results/screenshots/web-zh-reset.png' });
  await reset.getByRole('button', { name: '完成' }).click();

  // The engine chip and its dialog, and the work menu, in Chinese; the commands inside stay as they are.
  await expect(page.locator('.chip-engine')).toContainText('在本标签页中：模拟内核');
  await page.locator('.chip-engine').click();
  const where = page.getByRole('dialog', { name: '这些实验在哪里运行' });
  await expect(where).toContainText('一切都在这个浏览器标签页里运行');
  await expect(where.locator('li code')).toHaveText(['npm start', 'npx cnilab cluster up --backend vagrant', 'npm start']);
  await page.screenshot({ path: 'test-results/screenshots/web-zh-engine.png' });
  await page.keyboard.press('Escape');
  await expect(page.locator('[data-action="work"]')).toHaveText('我的成果');
  expect(foreign).toEqual([]);
});
