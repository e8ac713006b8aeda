// One terminal tab: an xterm.js Terminal + FitAddon wired to a TerminalConnection from the engine
// (a WebSocket PTY on the lab server, or a shell in the tab). The Terminal lives as long as the
// page: hidden tabs keep it.
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { ConnState, Engine, TerminalConnection } from '../engine/types.ts';
import type { Theme } from '../lib/theme.ts';

export type { ConnState };

const lightTheme: ITheme = {
  background: '#ffffff',
  foreground: '#1f2328',
  cursor: '#1f2328',
  cursorAccent: '#ffffff',
  selectionBackground: '#b6d3ff',
  black: '#24292f',
  red: '#cf222e',
  green: '#116329',
  yellow: '#7d4e00',
  blue: '#0969da',
  magenta: '#8250df',
  cyan: '#1b7c83',
  white: '#6e7781',
  brightBlack: '#57606a',
  brightRed: '#a40e26',
  brightGreen: '#1a7f37',
  brightYellow: '#633c01',
  brightBlue: '#218bff',
  brightMagenta: '#a475f9',
  brightCyan: '#3192aa',
  brightWhite: '#8c959f',
};

const darkTheme: ITheme = {
  background: '#0b0f14',
  foreground: '#e6edf3',
  cursor: '#e6edf3',
  cursorAccent: '#0b0f14',
  selectionBackground: '#264f78',
  black: '#484f58',
  red: '#ff7b72',
  green: '#3fb950',
  yellow: '#d29922',
  blue: '#58a6ff',
  magenta: '#bc8cff',
  cyan: '#39c5cf',
  white: '#b1bac4',
  brightBlack: '#6e7681',
  brightRed: '#ffa198',
  brightGreen: '#56d364',
  brightYellow: '#e3b341',
  brightBlue: '#79c0ff',
  brightMagenta: '#d2a8ff',
  brightCyan: '#56d4dd',
  brightWhite: '#ffffff',
};

export function xtermTheme(theme: Theme): ITheme {
  return theme === 'dark' ? darkTheme : lightTheme;
}

export function registry(): { terminals: Record<string, Terminal> } {
  if (!window.__cnilab) window.__cnilab = { terminals: {} };
  return window.__cnilab;
}

export class TermSession {
  readonly term: Terminal;
  private readonly fitAddon = new FitAddon();
  private readonly conn: TerminalConnection;
  private disposed = false;
  state: ConnState = { status: 'connecting' };

  constructor(
    readonly node: string,
    host: HTMLElement,
    theme: Theme,
    engine: Engine,
    private readonly onState: (node: string, s: ConnState) => void,
  ) {
    this.term = new Terminal({
      allowProposedApi: false,
      cursorBlink: true,
      cursorStyle: 'block',
      fontFamily: 'ui-monospace, "SFMono-Regular", "Cascadia Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace',
      fontSize: 13,
      lineHeight: 1.15,
      scrollback: 5000,
      theme: xtermTheme(theme),
      convertEol: false,
    });
    this.term.loadAddon(this.fitAddon);
    this.term.open(host);
    registry().terminals[node] = this.term;
    this.conn = engine.openTerminal(node, {
      output: (d) => {
        if (!this.disposed) this.term.write(d);
      },
      state: (st) => {
        if (this.disposed) return;
        this.state = st;
        this.onState(this.node, st);
        if (st.status === 'open') {
          this.fit();
          this.conn?.resize(this.term.cols, this.term.rows);
        }
      },
    });
    this.term.onData((d) => this.conn.input(d));
    this.term.onResize(({ cols, rows }) => this.conn.resize(cols, rows));
    this.fit();
    this.conn.resize(this.term.cols, this.term.rows);
  }

  retryNow(): void {
    this.conn.retryNow();
  }

  /** After an exit: a fresh shell. */
  restart(): void {
    this.conn.restart();
  }

  /** Fits the terminal to its element (no-op while the element has no size). */
  fit(): void {
    if (this.disposed) return;
    try {
      const dims = this.fitAddon.proposeDimensions();
      if (!dims || !Number.isFinite(dims.cols) || !Number.isFinite(dims.rows) || dims.cols < 2 || dims.rows < 1) return;
      if (dims.cols !== this.term.cols || dims.rows !== this.term.rows) this.fitAddon.fit();
    } catch {
      /* element not laid out yet */
    }
  }

  focus(): void {
    this.term.focus();
  }

  setTheme(theme: Theme): void {
    this.term.options.theme = xtermTheme(theme);
  }

  dispose(): void {
    this.disposed = true;
    this.conn.close();
    const reg = registry();
    if (reg.terminals[this.node] === this.term) delete reg.terminals[this.node];
    this.term.dispose();
  }
}
