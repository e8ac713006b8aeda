// Glue between an xterm.js Terminal and the page shell's line discipline: keys in, text out,
// width for wrapping. The caller owns the Terminal (theme, fit, disposal).
import type { Terminal } from '@xterm/xterm';
import { LineShell, type LineBackend } from './lineShell.ts';

export interface AttachedLineShell {
  shell: LineShell;
  /** Detaches from the terminal and stops a running command. */
  dispose(): void;
}

export function attachLineShell(term: Terminal, backend: LineBackend, opts: { greeting?: string; history?: string[] } = {}): AttachedLineShell {
  const shell = new LineShell({ write: (s) => term.write(s) }, backend, { cols: term.cols, ...(opts.history ? { history: opts.history } : {}) });
  const data = term.onData((d) => void shell.input(d));
  const resize = term.onResize(({ cols }) => shell.resize(cols));
  shell.start(opts.greeting);
  return {
    shell,
    dispose() {
      data.dispose();
      resize.dispose();
      shell.dispose();
    },
  };
}
