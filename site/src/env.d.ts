import type { Terminal } from '@xterm/xterm';
import type { Engine } from './engine/types.ts';
import type { NodeDriver } from '../../src/cluster/driver.ts';

declare global {
  interface Window {
    /** For tests: each node's xterm.js Terminal (read its buffer with term.buffer.active.getLine(i)). */
    __cnilab?: {
      terminals: Record<string, Terminal>;
      engine?: Engine;
      driver?: NodeDriver;
      /** How the static site chose its engine: the WebContainer tried or not, how long it took, why it fell back. */
      engineChoice?: { tried: 'webcontainer' | 'none'; ms: number; reason?: string };
    };
  }
  interface ImportMetaEnv {
    /** `page` for the static site (npm run build:web); otherwise the lab server's engine. */
    readonly VITE_CNILAB_ENGINE?: string;
    /** Each lab folder's English lab.mdx SHA-256, computed at build time (vite.config.ts). */
    readonly VITE_LAB_SHA256: Record<string, string>;
  }
}
