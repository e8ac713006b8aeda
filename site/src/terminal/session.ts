// One node's terminal: an xterm.js Terminal + FitAddon attached to /api/term?node=<name> over a
// WebSocket (subprotocol cnilab.<token>, JSON text frames per src/server/api.ts). The Terminal
// lives as long as the page: hidden tabs keep it, drops reconnect with backoff.
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import type { TermClientMessage, TermServerMessage } from '../lib/api.ts';
import { termUrl } from '../lib/api.ts';
import { getToken } from '../lib/token.ts';
import type { Theme } from '../lib/theme.ts';

export type ConnState =
  | { status: 'connecting' }
  | { status: 'open' }
  | { status: 'reconnecting'; attempt: number; retryAt: number; reason: string }
  | { status: 'exited'; code: number }
  | { status: 'failed'; message: string };

/** Same limits as LIMITS in src/server/api.ts (a value, so not imported into the browser bundle). */
const MAX_COLS = 500;
const MAX_ROWS = 200;
const MAX_INPUT_CHUNK = 8 * 1024;

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

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** Close codes after which retrying cannot help (policy / auth). */
const FATAL_CLOSE = new Set([1008, 4001, 4003, 4401, 4403, 4404]);

export function registry(): { terminals: Record<string, Terminal> } {
  if (!window.__cnilab) window.__cnilab = { terminals: {} };
  return window.__cnilab;
}

export class TermSession {
  readonly term: Terminal;
  private readonly fitAddon = new FitAddon();
  private ws: WebSocket | null = null;
  private timer = 0;
  private attempt = 0;
  private disposed = false;
  private everOpened = false;
  private lostNoticeShown = false;
  private lastError = '';
  state: ConnState = { status: 'connecting' };

  constructor(
    readonly node: string,
    host: HTMLElement,
    theme: Theme,
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
    this.term.onData((d) => this.onInput(d));
    this.term.onResize(() => this.sendResize());
    registry().terminals[node] = this.term;
    window.addEventListener('online', this.retrySoon);
    document.addEventListener('visibilitychange', this.retrySoon);
    this.fit();
    this.connect();
  }

  private setState(s: ConnState): void {
    this.state = s;
    this.onState(this.node, s);
  }

  private readonly retrySoon = (): void => {
    if (this.state.status === 'reconnecting' && document.visibilityState === 'visible') this.retryNow();
  };

  retryNow(): void {
    if (this.disposed || this.ws) return;
    window.clearTimeout(this.timer);
    this.connect();
  }

  /** After an exit: a fresh shell. */
  restart(): void {
    if (this.disposed) return;
    this.attempt = 0;
    this.lostNoticeShown = false;
    this.term.write('\r\n');
    this.connect();
  }

  private connect(): void {
    if (this.disposed) return;
    const token = getToken();
    if (!token) {
      this.setState({ status: 'failed', message: 'This page has no access token: open the URL that npm start printed.' });
      return;
    }
    if (this.state.status !== 'reconnecting') this.setState({ status: 'connecting' });
    let ws: WebSocket;
    try {
      ws = new WebSocket(termUrl(this.node), [`cnilab.${token}`]);
    } catch (e) {
      this.scheduleReconnect(e instanceof Error ? e.message : String(e));
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      if (this.everOpened && this.lostNoticeShown) this.term.write(`${DIM}── reconnected to ${this.node} ──${RESET}\r\n`);
      this.everOpened = true;
      this.lostNoticeShown = false;
      this.lastError = '';
      this.setState({ status: 'open' });
      this.fit();
      this.sendResize();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (this.ws !== ws || typeof ev.data !== 'string') return;
      let msg: TermServerMessage;
      try {
        msg = JSON.parse(ev.data) as TermServerMessage;
      } catch {
        return;
      }
      if (msg.type === 'output') {
        this.term.write(msg.data);
      } else if (msg.type === 'exit') {
        this.term.write(`\r\n${DIM}[shell on ${this.node} exited with code ${msg.code} — press Enter for a new shell]${RESET}\r\n`);
        this.setState({ status: 'exited', code: msg.code });
        this.ws = null;
        ws.close();
      } else if (msg.type === 'error') {
        if (msg.message !== this.lastError) this.term.write(`\r\n${RED}[${this.node}] ${msg.message}${RESET}\r\n`);
        this.lastError = msg.message;
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.disposed || this.state.status === 'exited') return;
      if (FATAL_CLOSE.has(ev.code)) {
        const why = ev.reason || (ev.code === 1008 ? 'the server refused the connection (token or origin)' : `closed with code ${ev.code}`);
        this.term.write(`\r\n${RED}[${this.node}] ${why}${RESET}\r\n`);
        this.setState({ status: 'failed', message: why });
        return;
      }
      this.scheduleReconnect(ev.reason || (this.everOpened ? 'connection lost' : 'cannot connect'));
    };
  }

  private scheduleReconnect(reason: string): void {
    if (this.disposed) return;
    if (this.everOpened && !this.lostNoticeShown) {
      this.term.write(`\r\n${DIM}[connection to ${this.node} lost — reconnecting…]${RESET}\r\n`);
      this.lostNoticeShown = true;
    }
    this.attempt += 1;
    const base = Math.min(10_000, 500 * 2 ** (this.attempt - 1));
    const delay = Math.round(base * (0.85 + Math.random() * 0.3));
    this.setState({ status: 'reconnecting', attempt: this.attempt, retryAt: Date.now() + delay, reason });
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.connect(), delay);
  }

  private send(msg: TermClientMessage): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private onInput(data: string): void {
    const s = this.state.status;
    if (s === 'open') {
      for (let i = 0; i < data.length; i += MAX_INPUT_CHUNK) this.send({ type: 'input', data: data.slice(i, i + MAX_INPUT_CHUNK) });
    } else if (s === 'exited' && data.includes('\r')) {
      this.restart();
    } else if ((s === 'reconnecting' || s === 'failed') && data.includes('\r')) {
      this.attempt = 0;
      this.retryNow();
    }
  }

  private sendResize(): void {
    const cols = Math.max(1, Math.min(MAX_COLS, this.term.cols));
    const rows = Math.max(1, Math.min(MAX_ROWS, this.term.rows));
    this.send({ type: 'resize', cols, rows });
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
    window.clearTimeout(this.timer);
    window.removeEventListener('online', this.retrySoon);
    document.removeEventListener('visibilitychange', this.retrySoon);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    const reg = registry();
    if (reg.terminals[this.node] === this.term) delete reg.terminals[this.node];
    this.term.dispose();
  }
}
