// The site in Chinese, in a real browser against the real server: the switch, translated lab pages
// (their code blocks exactly the English ones), a failed Check in Chinese (titles, found, hint), the
// topology and trace labels. Screenshots in test-results/screenshots/zh-*.png. (A lab without a
// Chinese page, the English text with a note, is test/unit/i18n.test.ts's: every lab has one.)
import { expect, test, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import { codeBlocksOf } from '../../src/i18n/labPages.ts';

const url = () => process.env.CNILAB_URL!;
const shot = (page: Page, name: string) => page.screenshot({ path: `test-results/screenshots/${name}.png` });

/** The body of the English page's code block that contains `text`, as written between its fences. */
function englishBlock(labMdx: string, text: string): string {
  const block = codeBlocksOf(fs.readFileSync(labMdx, 'utf8')).find((b) => b.includes(text));
  if (!block) throw new Error(`no code block with "${text}" in ${labMdx}`);
  return block.split('\n').slice(1, -1).join('\n');
}

test('a student switches to 简体中文: lab pages, a failed Check, topology and trace speak Chinese', async ({ page }) => {
  await page.goto(url());
  await page.locator('.lang-switch').selectOption('zh-CN');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');

  // A translated page: Chinese text, the English page's anchors, links that carry the language.
  await page.locator('nav[aria-label="Labs"] [data-lab="00"]').click();
  await expect(page.getByRole('heading', { level: 1, name: '00 · 准备与导览' })).toBeVisible();
  await expect(page).toHaveURL(/#\/lab\/00\?lang=zh-CN$/);
  await expect(page.locator('h2#objectives')).toHaveText('目标');
  await expect(page.locator('h3[id="1-bring-the-cluster-up"]')).toHaveText('1. 启动集群');
  await expect(page.locator('[data-translation]')).toHaveCount(0); // up to date: no note
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="04"]')).toHaveAttribute('href', '#/lab/04?lang=zh-CN');
  await expect(page.locator('nav[aria-label="Labs"] [data-lab="04"]')).toContainText('网桥与 veth：你的第一个 Pod');
  await shot(page, 'zh-lab-00');

  // Lab 11 in Chinese: its headings under the English anchors, the ruleset block byte for byte the
  // English one (tabs, box drawing and all); the frame in Chinese.
  await page.locator('nav[aria-label="Labs"] [data-lab="11"]').click();
  await expect(page.getByRole('heading', { level: 1, name: '11 · NetworkPolicy：从一条策略到一个被丢弃的包' })).toBeVisible();
  await expect(page).toHaveURL(/#\/lab\/11\?lang=zh-CN$/);
  await expect(page.locator('h3[id="4-probe-the-matrix"]')).toHaveText('4. 探测连通矩阵');
  await expect(page.locator('h2#going-further')).toHaveText('更进一步');
  await expect(page.locator('[data-translation]')).toHaveCount(0);
  await expect(page.getByText('没有被任何策略选中的 Pod，接受来自任何地方的流量。')).toBeVisible();
  const ruleset = page.locator('.codeblock pre').filter({ hasText: 'delete table inet simplecni-policy' });
  expect(await ruleset.evaluate((el) => el.textContent)).toBe(englishBlock('labs/11-network-policy/lab.mdx', 'delete table inet simplecni-policy'));
  await expect(page.locator('[data-action="check"]')).toHaveText('检查');
  await shot(page, 'zh-lab-11');

  await page.locator('nav[aria-label="Labs"] [data-lab="04"]').click();
  await expect(page.getByRole('heading', { level: 1, name: '04 · 网桥与 veth：你的第一个 Pod' })).toBeVisible();
  await expect(page.locator('[data-translation]')).toHaveCount(0);

  // A failed Check: Chinese titles, expected / found / hint, the same data-* contracts.
  await page.locator('[data-action="check"]').click();
  const results = page.locator('[data-status="done"]');
  await expect(results).toBeVisible({ timeout: 30_000 });
  await expect(results).toHaveAttribute('data-passed', 'false');
  const wired = page.locator('[data-check="pod-wired"][data-state="fail"]');
  await expect(wired).toContainText('node1 上的 Pod web 有一个 up 的 eth0，带着自己的地址，并接到了网桥上');
  await expect(wired.locator('dt')).toHaveText(['预期', '实际', '提示']);
  await expect(wired).toContainText('web 里的 eth0：是 veth，处于 up 状态');
  await expect(wired).toContainText('node1 上没有 Pod “web”');
  await expect(wired).toContainText('检查看的是 node1 上名为 web 的 Pod');
  await expect(page.locator('#check-summary')).toContainText(/6 项检查中 \d 项未通过/);
  await shot(page, 'zh-check-failing');

  // The topology panel and a traced ping, labelled in Chinese.
  await expect(page.locator('.topo-panel .panel-title')).toHaveText('拓扑');
  await page.getByRole('button', { name: '刷新拓扑' }).click();
  const form = page.getByRole('form', { name: '追踪一次 ping' });
  await expect(form).toContainText('从');
  await form.locator('select[name="from"]').selectOption('node1');
  await form.locator('select[name="to"]').selectOption('node2');
  await form.locator('[data-action="trace"]').click();
  const summary = page.locator('.topo-panel .trace-summary');
  await expect(summary).toBeVisible({ timeout: 30_000 });
  await expect(summary).toContainText('收到应答');
  await expect(page.locator('.topo-panel .trace-group[data-direction="request"] .trace-group-title')).toContainText('请求：node1 →');
  // What the kernel decided, hop by hop, in Chinese too: the verdict and every hop's detail.
  await expect(summary.locator('.trace-summary-text')).toHaveText('收到来自 192.168.56.12 的应答');
  const details = page.locator('.topo-panel .trace-group .hop-detail');
  await expect(details.first()).toContainText('ICMP echo 请求');
  for (const d of await details.allTextContents()) expect(d).toMatch(/[\u4e00-\u9fff]/);
  await shot(page, 'zh-trace');
  await details.nth(4).scrollIntoViewIfNeeded();
  await shot(page, 'zh-trace-hops');

  // The frame around the lab in Chinese too: terminals, the engine chip and its dialog, the reset dialog.
  const workstation = page.locator('[role="tab"][data-node][data-kind="workstation"]');
  await expect(workstation).toContainText('你的机器');
  await workstation.click();
  await expect(page.locator('.term-status-text')).toHaveText('你的机器 · 已连接', { timeout: 30_000 });
  await expect(page.locator('.chip-engine')).toContainText('实验服务器');
  await page.locator('.chip-engine').click();
  await expect(page.getByRole('dialog', { name: '这些实验在哪里运行' })).toContainText('实验服务器在它启动时所用的集群上运行终端和检查。');
  await page.keyboard.press('Escape');
  await page.locator('[data-action="reset"]').click();
  const reset = page.getByRole('dialog', { name: '要重置实验 04 吗？' });
  await expect(reset).toContainText('这会把实验 04 的起始代码放回 workspace/');
  await expect(reset.locator('[data-action="confirm-reset"]')).toHaveText('重置实验');
  await reset.getByRole('button', { name: '取消' }).click();
  await expect(reset).toBeHidden();
  await page.locator('[data-theme-toggle]').click();
  await expect(page.locator('[data-theme-toggle]')).toHaveAttribute('title', '切换到浅色主题');
  await shot(page, 'zh-dark');

  // Remembered: a link without ?lang= opens in Chinese after a reload; switching back is English.
  await page.evaluate("history.replaceState(null, '', '#/lab/00')");
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: '00 · 准备与导览' })).toBeVisible();
  await page.locator('.lang-switch').selectOption('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1, name: '00 · Setup and tour' })).toBeVisible();
  await expect(page.locator('h2#objectives')).toHaveText('Objectives');
  await expect(page.locator('[data-action="check"]')).toHaveText('Check');
});
