// Which engine this build runs on: chosen when the site is built (VITE_CNILAB_ENGINE=page for the
// static site), so the server build carries no simulated kernel and the static one no WebSocket.
// The static site tries the WebContainer engine first where the page is cross-origin isolated
// (`?engine=page` skips it), and falls back to the page engine with a notice.
import type { Engine } from './types.ts';

export async function loadEngine(): Promise<Engine> {
  if (import.meta.env.VITE_CNILAB_ENGINE === 'page') {
    window.__cnilab ??= { terminals: {} };
    const { webContainerPossible, tryWebContainer, fallbackNotice, showNotice } = await import('./webcontainer/choose.ts');
    if (webContainerPossible() && new URLSearchParams(window.location.search).get('engine') !== 'page') {
      const attempt = await tryWebContainer();
      window.__cnilab.engineChoice = { tried: 'webcontainer', ms: attempt.ms, ...('reason' in attempt ? { reason: attempt.reason } : {}) };
      if ('engine' in attempt) return attempt.engine;
      showNotice(fallbackNotice(attempt.reason));
    } else {
      window.__cnilab.engineChoice = { tried: 'none', ms: 0 };
    }
    const { createPageEngine } = await import('./page/front.ts');
    return createPageEngine();
  }
  const { createServerEngine } = await import('./server/index.ts');
  return createServerEngine();
}
