// A node's terminal in the tab: prompt, line editing (←/→, Home/End, Backspace), history (↑/↓,
// kept with the rest of the student's state), Ctrl-C, Ctrl-L, Tab completion of command names,
// and each line run by the node's shell. Output uses CRLF, as a PTY would.
//
// The node's shell may come after the terminal opened: the shell library and the kernel model are
// most of the page's code and load after it. The greeting and the prompt (with the saved working
// directory) show at once, and the line editor works; a line typed before the shell is there runs
// as soon as it is.
import type { ConnState, TerminalConnection, TerminalSink } from '../types.ts';

export interface NodeShell {
  /** Runs a line; output goes to write as it comes. */
  run(line: string, write: (s: string, err?: boolean) => void, signal: AbortSignal): Promise<number>;
  /** Command names for Tab completion. */
  commandNames(): string[];
  /** The working directory, for the prompt. */
  cwd(): string;
}

/** What a terminal needs from its node: the shell, and the history kept with the student's state. */
export interface TerminalNode {
  shell: NodeShell;
  history: string[];
  /** Called after a line was added to the history (to save it). */
  onHistory: () => void;
}

/** Until the node is there: the working directory and the history as saved. */
export interface EarlyTerminal {
  cwd: string;
  history: string[];
}

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
const RED = '\x1b[31m';
const RESET = '\x1b[0m';
const BOLD_GREEN = '\x1b[1;32m';
const BOLD_BLUE = '\x1b[1;34m';

export class PageTerminal implements TerminalConnection {
  private line = '';
  private cursor = 0;
  private histIndex = -1;
  private busy: AbortController | null = null;
  /** Typed while a line runs: handled once it ends, as a terminal's type-ahead is. */
  private typeAhead = '';
  private closed = false;

  /** The node, once its shell is there. */
  private parts: TerminalNode | undefined;
  private readonly ready: Promise<TerminalNode>;

  constructor(
    private readonly node: string,
    source: TerminalNode | Promise<TerminalNode>,
    private readonly sink: TerminalSink,
    banner: string,
    private readonly early: EarlyTerminal = { cwd: '/root', history: [] },
  ) {
    this.ready = Promise.resolve(source);
    if ('shell' in source) this.parts = source;
    else {
      source.then(
        (parts) => {
          if (this.closed) return;
          const shown = this.promptText;
          this.parts = parts;
          // The saved directory may be gone from the restored machine: the prompt says where the shell is.
          if (!this.busy && this.promptText !== shown) this.redraw();
        },
        (e: unknown) => {
          if (!this.closed) sink.state({ status: 'failed', message: e instanceof Error ? e.message : String(e) });
        },
      );
    }
    const open: ConnState = { status: 'open' };
    queueMicrotask(() => {
      if (this.closed) return;
      sink.state(open);
      sink.output(crlf(banner));
      this.prompt();
    });
  }

  private get history(): string[] {
    return this.parts?.history ?? this.early.history;
  }

  private get promptText(): string {
    const cwd = this.parts?.shell.cwd() ?? this.early.cwd;
    const shown = cwd === '/root' ? '~' : cwd.startsWith('/root/') ? `~${cwd.slice(5)}` : cwd;
    return `${BOLD_GREEN}root@${this.node}${RESET}:${BOLD_BLUE}${shown}${RESET}# `;
  }

  private prompt(): void {
    this.sink.output(this.promptText);
  }

  /** Redraws the line after the prompt with the cursor in place. */
  private redraw(): void {
    this.sink.output(`\r\x1b[K${this.promptText}${this.line}`);
    const back = this.line.length - this.cursor;
    if (back > 0) this.sink.output(`\x1b[${back}D`);
  }

  input(data: string): void {
    if (this.closed) return;
    if (this.busy) {
      if (data.includes('\x03')) {
        this.busy.abort();
        this.typeAhead = '';
      } else this.typeAhead += data;
      return;
    }
    // Pasted text: several lines run one after the other.
    for (let i = 0; i < data.length; i++) {
      const c = data[i]!;
      const rest = data.slice(i);
      if (rest.startsWith('\x1b[A')) {
        this.historyStep(1);
        i += 2;
      } else if (rest.startsWith('\x1b[B')) {
        this.historyStep(-1);
        i += 2;
      } else if (rest.startsWith('\x1b[C')) {
        if (this.cursor < this.line.length) {
          this.cursor++;
          this.sink.output('\x1b[C');
        }
        i += 2;
      } else if (rest.startsWith('\x1b[D')) {
        if (this.cursor > 0) {
          this.cursor--;
          this.sink.output('\x1b[D');
        }
        i += 2;
      } else if (rest.startsWith('\x1b[H') || c === '\x01') {
        this.cursor = 0;
        this.redraw();
        if (c !== '\x01') i += 2;
      } else if (rest.startsWith('\x1b[F') || c === '\x05') {
        this.cursor = this.line.length;
        this.redraw();
        if (c !== '\x05') i += 2;
      } else if (rest.startsWith('\x1b[3~')) {
        this.line = this.line.slice(0, this.cursor) + this.line.slice(this.cursor + 1);
        this.redraw();
        i += 3;
      } else if (c === '\x1b') {
        // another escape sequence: skip it
        const m = /^\x1b\[[0-9;]*[A-Za-z~]/.exec(rest);
        if (m) i += m[0].length - 1;
      } else if (c === '\r' || c === '\n') {
        if (c === '\n' && data[i - 1] === '\r') continue;
        const line = this.line;
        this.sink.output('\r\n');
        this.line = '';
        this.cursor = 0;
        this.histIndex = -1;
        void this.execute(line, data.slice(i + 1));
        return;
      } else if (c === '\x7f' || c === '\b') {
        if (this.cursor > 0) {
          this.line = this.line.slice(0, this.cursor - 1) + this.line.slice(this.cursor);
          this.cursor--;
          this.redraw();
        }
      } else if (c === '\x03') {
        this.sink.output('^C\r\n');
        this.line = '';
        this.cursor = 0;
        this.prompt();
      } else if (c === '\x0c') {
        this.sink.output('\x1b[H\x1b[2J');
        this.redraw();
      } else if (c === '\x15') {
        this.line = this.line.slice(this.cursor);
        this.cursor = 0;
        this.redraw();
      } else if (c === '\t') {
        this.complete();
      } else if (c >= ' ') {
        this.line = this.line.slice(0, this.cursor) + c + this.line.slice(this.cursor);
        this.cursor++;
        if (this.cursor === this.line.length) this.sink.output(c);
        else this.redraw();
      }
    }
  }

  private historyStep(dir: 1 | -1): void {
    const h = this.history;
    const next = this.histIndex + dir;
    if (next < -1 || next >= h.length) return;
    this.histIndex = next;
    this.line = next === -1 ? '' : h[h.length - 1 - next]!;
    this.cursor = this.line.length;
    this.redraw();
  }

  private complete(): void {
    const before = this.line.slice(0, this.cursor);
    if (/\s/.test(before.trimStart())) return; // only the command word
    const word = before.trimStart();
    const hits = (this.parts?.shell.commandNames() ?? []).filter((n) => n.startsWith(word));
    if (hits.length === 1) {
      const add = hits[0]!.slice(word.length) + ' ';
      this.line = this.line.slice(0, this.cursor) + add + this.line.slice(this.cursor);
      this.cursor += add.length;
      this.redraw();
    } else if (hits.length > 1) {
      this.sink.output(`\r\n${hits.join('  ')}\r\n`);
      this.redraw();
    }
  }

  private async execute(line: string, typedAhead: string): Promise<void> {
    // Busy from here: keys typed while the shell loads or the line runs are type-ahead.
    const ctrl = new AbortController();
    this.busy = ctrl;
    try {
      const parts = this.parts ?? (await this.ready);
      if (line.trim()) {
        if (parts.history[parts.history.length - 1] !== line) parts.history.push(line);
        if (parts.history.length > 500) parts.history.splice(0, parts.history.length - 500);
        parts.onHistory();
      }
      if (line.trim() === 'clear') {
        this.sink.output('\x1b[H\x1b[2J');
      } else if (line.trim() && !ctrl.signal.aborted) {
        await parts.shell.run(line, (s, err) => this.sink.output(err ? `${RED}${crlf(s)}${RESET}` : crlf(s)), ctrl.signal);
      }
    } catch (e) {
      this.sink.output(`${RED}${crlf((e as Error).message)}${RESET}\r\n`);
    } finally {
      this.busy = null;
    }
    if (ctrl.signal.aborted) this.sink.output('^C\r\n');
    if (this.closed) return;
    this.prompt();
    const more = typedAhead + this.typeAhead;
    this.typeAhead = '';
    if (more) this.input(more);
  }

  resize(): void {}

  retryNow(): void {}

  restart(): void {
    this.sink.output('\r\n');
    this.prompt();
  }

  close(): void {
    this.closed = true;
    this.busy?.abort();
  }
}
