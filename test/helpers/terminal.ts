// A site terminal in a real browser (either engine): its text read back from xterm.js's buffer,
// and a line typed into it. The page exposes its terminals on window.__cnilab.terminals.
import type { Page } from '@playwright/test';

/** The text of a terminal's buffer (a node's, or the workstation's), as xterm.js holds it. */
export function terminalText(page: Page, id: string): Promise<string> {
  return page.evaluate((n) => {
    // Runs in the page: globalThis is its window.
    const term = (globalThis as unknown as { __cnilab?: { terminals?: Record<string, any> } }).__cnilab?.terminals?.[n];
    if (!term) return '';
    const buf = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
    return lines.join('\n');
  }, id);
}

/** Opens a terminal's tab, focuses it and types a line. */
export async function typeInTerminal(page: Page, id: string, text: string) {
  await page.locator(`[role="tab"][data-node="${id}"]`).click();
  await page.locator(`#term-panel-${id} .xterm`).click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}
