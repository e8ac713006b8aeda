// A terminal on the lab server: /api/term?node=<id> over a WebSocket (subprotocol cnilab.<token>,
// JSON text frames per src/server/api.ts). Drops reconnect with backoff; a refused connection says why.
import { tx, txt } from '../../lib/lang.ts';
import { getToken } from '../../lib/token.ts';
import type { ConnState, TerminalConnection, TerminalSink } from '../types.ts';
import { termUrl, type TermClientMessage, type TermServerMessage } from './http.ts';

/** Same limits as LIMITS in src/server/api.ts (a value, so not imported into the browser bundle). */
const MAX_COLS = 500;
const MAX_ROWS = 200;
const MAX_INPUT_CHUNK = 8 * 1024;

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

/** Close codes after which retrying cannot help (policy / auth). */
const FATAL_CLOSE = new Set([1008, 4001, 4003, 4401, 4403, 4404]);

export class ServerTerminal implements TerminalConnection {
  private ws: WebSocket | null = null;
  private timer = 0;
  private attempt = 0;
  private disposed = false;
  private everOpened = false;
  private lostNoticeShown = false;
  private lastError = '';
  private size: { cols: number; rows: number } | null = null;
  private state: ConnState = { status: 'connecting' };

  constructor(
    private readonly node: string,
    private readonly sink: TerminalSink,
  ) {
    window.addEventListener('online', this.retrySoon);
    document.addEventListener('visibilitychange', this.retrySoon);
    this.connect();
  }

  private setState(s: ConnState): void {
    this.state = s;
    this.sink.state(s);
  }

  private readonly retrySoon = (): void => {
    if (this.state.status === 'reconnecting' && document.visibilityState === 'visible') this.retryNow();
  };

  retryNow(): void {
    if (this.disposed || this.ws) return;
    window.clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  restart(): void {
    if (this.disposed) return;
    this.attempt = 0;
    this.lostNoticeShown = false;
    this.sink.output('\r\n');
    this.connect();
  }

  private connect(): void {
    if (this.disposed) return;
    const token = getToken();
    if (!token) {
      this.setState({ status: 'failed', message: tx('server.noToken') });
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
      if (this.everOpened && this.lostNoticeShown) this.sink.output(`${DIM}── reconnected to ${this.node} ──${RESET}\r\n`);
      this.everOpened = true;
      this.lostNoticeShown = false;
      this.lastError = '';
      this.setState({ status: 'open' });
      if (this.size) this.send({ type: 'resize', ...this.size });
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
        this.sink.output(msg.data);
      } else if (msg.type === 'exit') {
        this.sink.output(`\r\n${DIM}[${tx('term.shellExitedLine', { node: this.node, code: msg.code })}]${RESET}\r\n`);
        this.setState({ status: 'exited', code: msg.code });
        this.ws = null;
        ws.close();
      } else if (msg.type === 'error') {
        const said = msg.text ? txt(msg.text) : msg.message;
        if (msg.message !== this.lastError) this.sink.output(`\r\n${RED}[${this.node}] ${said}${RESET}\r\n`);
        this.lastError = msg.message;
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.disposed || this.state.status === 'exited') return;
      if (FATAL_CLOSE.has(ev.code)) {
        const why = ev.reason || (ev.code === 1008 ? tx('term.refused') : tx('term.closedCode', { code: ev.code }));
        this.sink.output(`\r\n${RED}[${this.node}] ${why}${RESET}\r\n`);
        this.setState({ status: 'failed', message: why });
        return;
      }
      this.scheduleReconnect(ev.reason || tx(this.everOpened ? 'term.lost' : 'term.cannotConnect'));
    };
  }

  private scheduleReconnect(reason: string): void {
    if (this.disposed) return;
    if (this.everOpened && !this.lostNoticeShown) {
      this.sink.output(`\r\n${DIM}[connection to ${this.node} lost — reconnecting…]${RESET}\r\n`);
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

  input(data: string): void {
    const s = this.state.status;
    if (s === 'open') {
      for (let i = 0; i < data.length; i += MAX_INPUT_CHUNK) this.send({ type: 'input', data: data.slice(i, i + MAX_INPUT_CHUNK) });
    } else if (s === 'exited' && data.includes('\r')) {
      this.restart();
    } else if ((s === 'reconnecting' || s === 'failed') && data.includes('\r')) {
      this.retryNow();
    }
  }

  resize(cols: number, rows: number): void {
    this.size = { cols: Math.max(1, Math.min(MAX_COLS, cols)), rows: Math.max(1, Math.min(MAX_ROWS, rows)) };
    this.send({ type: 'resize', ...this.size });
  }

  close(): void {
    this.disposed = true;
    window.clearTimeout(this.timer);
    window.removeEventListener('online', this.retrySoon);
    document.removeEventListener('visibilitychange', this.retrySoon);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
  }
}
