// Modules the page imports on demand that a later step may need with no network: the shell's
// commands (each a chunk its first run imports). The build lists them in index.html
// (`#modules-later`, site/vite.config.ts). They are fetched as module preloads, which puts them in
// the page's module map, so the import that needs one later finds it there, offline too. A page
// without the list (the dev server) loads each on its first use.
//
// When: not before a node's shell has answered its first line (a line typed at once waits for
// nothing but the interpreter and its own commands), a second after it, or a few seconds after a
// terminal opened if no line comes; and then once the page is idle.
let done = false;
let scheduled = false;

function preload(): void {
  if (done) return;
  done = true;
  const list = document.getElementById('modules-later')?.textContent;
  if (!list) return;
  let files: unknown;
  try {
    files = JSON.parse(list);
  } catch {
    return;
  }
  if (!Array.isArray(files)) return;
  for (const f of files) {
    if (typeof f !== 'string') continue;
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.crossOrigin = '';
    link.href = `./${f}`;
    document.head.appendChild(link);
  }
}

const whenIdle = (f: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(f, { timeout: 2000 }) : setTimeout(f, 0));

function schedule(ms: number): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => whenIdle(preload), ms);
}

/** A node's terminal has its shell: the modules come in a few seconds if no line runs first. */
export const terminalReady = (): void => void setTimeout(() => schedule(0), 3000);

/** A node's shell answered a line: the modules come a second later. */
export const lineAnswered = (): void => schedule(1000);
