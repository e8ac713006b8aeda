import type { Terminal } from '@xterm/xterm';

declare global {
  interface Window {
    /** For tests: each node's xterm.js Terminal (read its buffer with term.buffer.active.getLine(i)). */
    __cnilab?: { terminals: Record<string, Terminal> };
  }
}
