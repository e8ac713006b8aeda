// Driving the static site's page engine in a real browser: a node's terminal typed into, the
// terminal's text read back, and every request checked to stay on the site's own origin.
import { expect, type Page } from '@playwright/test';
import { terminalText } from '../helpers/terminal.ts';

export { terminalText };

const prompts = (text: string, node: string) => text.split(`root@${node}:`).length - 1;

/** Types a line into a node's terminal and waits for the next prompt; returns what the line printed. */
export async function run(page: Page, node: string, line: string): Promise<string> {
  await page.locator(`[role="tab"][data-node="${node}"]`).click();
  await page.locator(`#term-panel-${node} .xterm`).click();
  await expect.poll(async () => prompts(await terminalText(page, node), node), { message: `${node}: a prompt` }).toBeGreaterThan(0);
  const before = await terminalText(page, node);
  const n = prompts(before, node);
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await expect.poll(async () => prompts(await terminalText(page, node), node), { message: `${node}: the prompt after "${line}"`, timeout: 30_000 }).toBeGreaterThan(n);
  const after = await terminalText(page, node);
  // xterm wraps long lines: join the rows of the output back together is not needed for the checks below.
  return after.slice(before.trimEnd().length);
}

/**
 * Waits until the page has asked for the modules it fetches once it has settled (the shell's
 * commands, `#modules-later`) and every module preload of the page has arrived.
 */
export async function laterModulesFetched(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const doc = (globalThis as any).document;
      const later: string[] = JSON.parse(doc.getElementById('modules-later')?.textContent ?? '[]');
      const links: { href: string }[] = [...doc.querySelectorAll('link[rel="modulepreload"]')];
      const arrived = (href: string) => (globalThis as any).performance.getEntriesByName(href).some((e: { responseEnd: number }) => e.responseEnd > 0);
      return later.length > 0 && later.every((f) => links.some((l) => l.href.endsWith(f))) && links.every((l) => arrived(l.href));
    },
    undefined,
    { timeout: 60_000, polling: 100 },
  );
}

/** Fails the test on any request that leaves the site's origin (the page must need nothing else). */
export function onlyOwnOrigin(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:')) foreign.push(u);
  });
  return foreign;
}

/** Lab 01's steps, as its text gives them. */
export const LAB01 = [
  'ip link add lab1br type bridge',
  'ip addr add 172.16.1.1/24 dev lab1br',
  'ip link set lab1br up',
  'ip netns add lab1-a',
  'ip netns add lab1-b',
  'ip link add veth-a type veth peer name veth-a-ns',
  'ip link set veth-a-ns netns lab1-a',
  'ip -n lab1-a link set veth-a-ns name eth0',
  'ip link add veth-b type veth peer name eth0 netns lab1-b',
  'ip link set veth-a master lab1br',
  'ip link set veth-b master lab1br',
  'ip link set veth-a up',
  'ip link set veth-b up',
  'ip -n lab1-a addr add 172.16.1.2/24 dev eth0',
  'ip -n lab1-a link set eth0 up',
  'ip -n lab1-a link set lo up',
  'ip -n lab1-b addr add 172.16.1.3/24 dev eth0',
  'ip -n lab1-b link set eth0 up',
  'ip -n lab1-b link set lo up',
];

export async function checkLab(page: Page, expectPassed: boolean) {
  await page.locator('[data-action="check"]').click();
  await expect(page.locator('[data-status]')).toHaveAttribute('data-passed', String(expectPassed), { timeout: 30_000 });
}
