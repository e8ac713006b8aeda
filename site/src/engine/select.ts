// Which engine this build runs on: chosen when the site is built (VITE_CNILAB_ENGINE=page for the
// static site), so the server build carries no simulated kernel and the static one no WebSocket.
import type { Engine } from './types.ts';

export async function loadEngine(): Promise<Engine> {
  if (import.meta.env.VITE_CNILAB_ENGINE === 'page') {
    const { createPageEngine } = await import('./page/index.ts');
    return createPageEngine();
  }
  const { createServerEngine } = await import('./server/index.ts');
  return createServerEngine();
}
