// Whether this page runs on the WebContainer engine: tried only where it can work (a cross-origin
// isolated page), for a bounded time; on failure or timeout the page engine runs instead and a
// plain notice says why. Never a blank tab.
import type { Engine } from '../types.ts';

/** How long boot + mount + cluster up may take before the page engine is used instead. */
export const BOOT_BOUND_MS = 15_000;

export type Attempt = { engine: Engine; ms: number } | { reason: string; ms: number };

/** Can a WebContainer run on this page at all? (Its runtime needs SharedArrayBuffer: cross-origin isolation.) */
export const webContainerPossible = () => globalThis.crossOriginIsolated === true;

export async function tryWebContainer(boundMs = BOOT_BOUND_MS): Promise<Attempt> {
  const t0 = performance.now();
  const ac = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new Error(`it did not start within ${boundMs / 1000} s (offline, or stackblitz.com is blocked?)`));
    }, boundMs);
  });
  try {
    if (navigator.onLine === false) throw new Error('this browser is offline');
    const { createWebContainerEngine } = await import('./index.ts');
    const engine = await Promise.race([createWebContainerEngine(ac.signal), bound]);
    return { engine, ms: performance.now() - t0 };
  } catch (e) {
    ac.abort();
    return { reason: (e as Error).message.split('\n')[0]!, ms: performance.now() - t0 };
  } finally {
    clearTimeout(timer);
  }
}

/** The line shown when the page engine runs instead. */
export const fallbackNotice = (reason: string) =>
  `The WebContainer engine (StackBlitz’s Node.js runtime, loaded from stackblitz.com) could not start: ${reason}. ` +
  'The labs run on the page engine instead: a simulated kernel in this tab, nothing to download.';

/** A plain, dismissable notice at the bottom of the page (outside the app: no component knows engines). */
export function showNotice(text: string) {
  const el = document.createElement('div');
  el.setAttribute('role', 'status');
  el.dataset.engineNotice = 'fallback';
  el.className = 'engine-notice';
  el.style.cssText =
    'position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:1000;padding:.75rem 2.5rem .75rem 1rem;border-radius:8px;' +
    'background:var(--surface, #fff8e1);color:var(--text, #222);border:1px solid var(--border, #e0c060);box-shadow:0 2px 8px rgba(0,0,0,.15);font:inherit';
  el.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.textContent = '×';
  close.setAttribute('aria-label', 'Dismiss');
  close.style.cssText = 'position:absolute;right:.5rem;top:.4rem;background:none;border:0;font-size:1.25rem;cursor:pointer;color:inherit';
  close.onclick = () => el.remove();
  el.append(close);
  document.body.append(el);
}
