// The line discipline of a terminal whose shell runs in the page (no PTY, no kernel tty): it echoes
// and edits the line (←/→, Home/End, Backspace, Delete, Ctrl-A/E/U/W/K), keeps history (↑/↓),
// completes command names and paths (Tab), stops a running command or clears the line (Ctrl-C),
// clears the screen (Ctrl-L), and runs pasted lines one after another. Platform-free: it reads
// keys as strings and writes ANSI text; xtermLineShell.ts attaches it to an xterm.js Terminal.

/** What the line discipline runs lines on (a ShellSession of src/sim/machine fits). */
export interface LineBackend {
  readonly node: string;
  /** The prompt's directory (~ for home). */
  readonly displayCwd: string;
  run(line: string, io: { signal: AbortSignal; onStdout(s: string): void; onStderr(s: string): void }): Promise<number>;
  commandNames(): string[];
  /** Entries of a directory, relative to the cwd; directories end in "/". */
  listDir(dir: string): Promise<string[]>;
}

/** The part of a terminal the line discipline writes to. */
export interface TerminalOutput {
  write(data: string): void;
}

const ESC = '\x1b';
const HISTORY_MAX = 1000;

/** Keys as terminals send them, longest first. */
const KEYS: [string, Key][] = [
  [`${ESC}[1~`, 'home'],
  [`${ESC}[4~`, 'end'],
  [`${ESC}[3~`, 'delete'],
  [`${ESC}[A`, 'up'],
  [`${ESC}[B`, 'down'],
  [`${ESC}[C`, 'right'],
  [`${ESC}[D`, 'left'],
  [`${ESC}[H`, 'home'],
  [`${ESC}[F`, 'end'],
  [`${ESC}OA`, 'up'],
  [`${ESC}OB`, 'down'],
  [`${ESC}OC`, 'right'],
  [`${ESC}OD`, 'left'],
  [`${ESC}OH`, 'home'],
  [`${ESC}OF`, 'end'],
  ['\r\n', 'enter'],
  ['\r', 'enter'],
  ['\n', 'enter'],
  ['\x7f', 'backspace'],
  ['\b', 'backspace'],
  ['\t', 'tab'],
  ['\x01', 'home'],
  ['\x05', 'end'],
  ['\x02', 'left'],
  ['\x06', 'right'],
  ['\x03', 'ctrl-c'],
  ['\x04', 'ctrl-d'],
  ['\x0b', 'kill-end'],
  ['\x0c', 'ctrl-l'],
  ['\x10', 'up'],
  ['\x0e', 'down'],
  ['\x15', 'kill-start'],
  ['\x17', 'kill-word'],
];

type Key = 'home' | 'end' | 'delete' | 'up' | 'down' | 'right' | 'left' | 'enter' | 'backspace' | 'tab' | 'ctrl-c' | 'ctrl-d' | 'kill-end' | 'ctrl-l' | 'kill-start' | 'kill-word';

/** Visible width of text with ANSI colour codes. */
const visibleLength = (s: string) => [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;

/** Output of a command for a terminal that does not turn \n into \r\n. */
const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

export class LineShell {
  private _line = '';
  private _cursor = 0;
  /** Row of the cursor below the prompt's first row (for redraws of wrapped lines). */
  private _row = 0;
  private _cols = 80;
  private _history: string[] = [];
  private _historyAt = 0;
  private _draft = '';
  private _pending = '';
  private _running: AbortController | undefined;
  private _lastOut = '\n';
  private _busy: Promise<void> = Promise.resolve();
  private _disposed = false;

  constructor(
    private readonly _term: TerminalOutput,
    private readonly _backend: LineBackend,
    opts: { cols?: number; history?: string[] } = {},
  ) {
    this._cols = opts.cols ?? 80;
    this._history = [...(opts.history ?? [])].slice(-HISTORY_MAX);
    this._historyAt = this._history.length;
  }

  /** The prompt, as bash's default root prompt on a Debian node. */
  get prompt(): string {
    return `${ESC}[1;31mroot@${this._backend.node}${ESC}[0m:${ESC}[1;34m${this._backend.displayCwd}${ESC}[0m# `;
  }

  get history(): readonly string[] {
    return this._history;
  }

  /** Is a command running? */
  get running(): boolean {
    return this._running !== undefined;
  }

  /** Writes the first prompt (after an optional greeting). */
  start(greeting = '') {
    if (greeting) this._term.write(crlf(greeting.endsWith('\n') ? greeting : `${greeting}\n`));
    this._writePrompt();
  }

  resize(cols: number) {
    if (cols > 0) this._cols = cols;
  }

  dispose() {
    this._disposed = true;
    this._running?.abort();
  }

  /** Keys and pasted text from the terminal. Resolves when what it started has finished (tests wait on it). */
  input(data: string): Promise<void> {
    if (this._running) {
      // Ctrl-C goes to the running command; anything else is typed ahead.
      const i = data.indexOf('\x03');
      if (i >= 0) {
        this._pending = '';
        this._term.write('^C');
        this._running.abort();
        return this._busy;
      }
      this._pending += data;
      return Promise.resolve();
    }
    this._pending += data;
    this._busy = this._busy.then(() => this._drain());
    return this._busy;
  }

  private async _drain() {
    while (this._pending && !this._disposed) {
      const data = this._pending;
      let consumed = 0;
      let enter = false;
      while (consumed < data.length) {
        const rest = data.slice(consumed);
        const key = KEYS.find(([seq]) => rest.startsWith(seq));
        if (key) {
          consumed += key[0].length;
          if (key[1] === 'enter') {
            enter = true;
            break;
          }
          await this._key(key[1]);
          continue;
        }
        if (rest.startsWith(ESC)) {
          // An escape sequence we do not handle (function keys, Alt-…): skip it whole.
          const m = /^\x1b(\[[0-9;?]*[ -/]*[@-~]|O.|.)?/.exec(rest);
          consumed += m?.[0].length || 1;
          continue;
        }
        const ch = [...rest][0]!;
        consumed += ch.length;
        if (ch < ' ') continue; // other control characters: nothing
        this._insert(ch);
      }
      this._pending = data.slice(consumed) + this._pending.slice(data.length);
      if (enter) await this._submit();
      else this._redraw();
    }
  }

  private _insert(text: string) {
    this._line = this._line.slice(0, this._cursor) + text + this._line.slice(this._cursor);
    this._cursor += text.length;
  }

  private async _key(k: Key) {
    const line = this._line;
    switch (k) {
      case 'left':
        this._cursor = Math.max(0, this._cursor - 1);
        break;
      case 'right':
        this._cursor = Math.min(line.length, this._cursor + 1);
        break;
      case 'home':
        this._cursor = 0;
        break;
      case 'end':
        this._cursor = line.length;
        break;
      case 'backspace':
        if (this._cursor > 0) {
          this._line = line.slice(0, this._cursor - 1) + line.slice(this._cursor);
          this._cursor--;
        }
        break;
      case 'delete':
      case 'ctrl-d':
        this._line = line.slice(0, this._cursor) + line.slice(this._cursor + 1);
        break;
      case 'kill-start':
        this._line = line.slice(this._cursor);
        this._cursor = 0;
        break;
      case 'kill-end':
        this._line = line.slice(0, this._cursor);
        break;
      case 'kill-word': {
        const before = line.slice(0, this._cursor).replace(/\S+\s*$/, '');
        this._line = before + line.slice(this._cursor);
        this._cursor = before.length;
        break;
      }
      case 'up':
      case 'down': {
        if (this._historyAt === this._history.length) this._draft = line;
        const at = Math.max(0, Math.min(this._history.length, this._historyAt + (k === 'up' ? -1 : 1)));
        if (at === this._historyAt) break;
        this._historyAt = at;
        this._line = at === this._history.length ? this._draft : this._history[at]!;
        this._cursor = this._line.length;
        break;
      }
      case 'ctrl-c':
        this._moveToEnd();
        this._term.write('^C\r\n');
        this._line = '';
        this._cursor = 0;
        this._historyAt = this._history.length;
        this._writePrompt();
        return;
      case 'ctrl-l':
        this._term.write(`${ESC}[H${ESC}[2J`);
        this._row = 0;
        this._term.write(this.prompt);
        break;
      case 'tab':
        await this._complete();
        break;
    }
    this._redraw();
  }

  /** Tab: a command name in command position, else a path; a common prefix is filled in, several matches are listed. */
  private async _complete() {
    const before = this._line.slice(0, this._cursor);
    const word = /[^\s;|&<>()]*$/.exec(before)![0];
    const head = before.slice(0, before.length - word.length);
    const commandPosition = /(^|[;|&(]\s*|\b(sudo|exec|then|do|else)\s+)$/.test(head.trimEnd() === '' ? '' : head) || head.trim() === '';
    let candidates: string[];
    let stem = word;
    if (commandPosition && !word.includes('/')) {
      candidates = this._backend.commandNames().filter((c) => c.startsWith(word)).map((c) => `${c} `);
    } else {
      const slash = word.lastIndexOf('/');
      const dir = slash >= 0 ? word.slice(0, slash + 1) : '';
      stem = word.slice(slash + 1);
      candidates = (await this._backend.listDir(dir || '.')).filter((n) => n.startsWith(stem) && (stem.startsWith('.') || !n.startsWith('.'))).map((n) => (n.endsWith('/') ? n : `${n} `));
    }
    if (candidates.length === 0) return;
    const common = candidates.reduce((a, b) => {
      let i = 0;
      while (i < a.length && a[i] === b[i]) i++;
      return a.slice(0, i);
    });
    const add = candidates.length === 1 ? candidates[0]!.slice(stem.length) : common.slice(stem.length).replace(/ $/, '');
    if (add) {
      this._insert(add);
      return;
    }
    if (candidates.length > 1) {
      this._moveToEnd();
      const names = candidates.map((c) => c.trimEnd());
      const width = Math.max(...names.map((n) => n.length)) + 2;
      const perRow = Math.max(1, Math.floor(this._cols / width));
      let out = '\r\n';
      names.forEach((n, i) => (out += n.padEnd(width) + ((i + 1) % perRow === 0 || i === names.length - 1 ? '\r\n' : '')));
      this._term.write(out);
      this._row = 0;
      this._term.write(this.prompt);
    }
  }

  private async _submit() {
    const line = this._line;
    this._moveToEnd();
    this._term.write('\r\n');
    this._line = '';
    this._cursor = 0;
    this._row = 0;
    if (line.trim() && this._history[this._history.length - 1] !== line) this._history.push(line);
    if (this._history.length > HISTORY_MAX) this._history.splice(0, this._history.length - HISTORY_MAX);
    this._historyAt = this._history.length;
    this._draft = '';
    if (!line.trim()) {
      this._writePrompt();
      return;
    }
    const ac = new AbortController();
    this._running = ac;
    this._lastOut = '\n';
    const write = (s: string) => {
      if (!s || this._disposed) return;
      this._term.write(crlf(s));
      this._lastOut = s;
    };
    try {
      await this._backend.run(line, { signal: ac.signal, onStdout: write, onStderr: write });
    } catch (err) {
      write(`${(err as Error).message}\n`);
    } finally {
      this._running = undefined;
    }
    if (ac.signal.aborted) {
      // Type-ahead is dropped with the interrupted command, as a tty flushes its input on ^C.
      this._pending = '';
      if (!this._lastOut.endsWith('\n')) this._term.write('\r\n');
    } else if (!this._lastOut.endsWith('\n')) this._term.write('\r\n');
    this._writePrompt();
  }

  private _writePrompt() {
    this._row = 0;
    this._term.write(this.prompt);
    if (this._line) this._redraw();
  }

  /** Moves the cursor to the end of the line being edited (before output goes below it). */
  private _moveToEnd() {
    this._cursor = this._line.length;
    this._redraw();
  }

  /** Rewrites the prompt and line (wrapping at the terminal's width) and puts the cursor in place. */
  private _redraw() {
    const cols = this._cols;
    const p = visibleLength(this.prompt);
    let out = this._row > 0 ? `${ESC}[${this._row}A` : '';
    out += `\r${this.prompt}${this._line}${ESC}[J`;
    const total = p + [...this._line].length;
    // At the last column the cursor waits to wrap: move it to the next row explicitly.
    if (total > 0 && total % cols === 0) out += '\r\n';
    const endRow = Math.floor(total / cols);
    const at = p + [...this._line.slice(0, this._cursor)].length;
    const row = Math.floor(at / cols);
    const col = at % cols;
    if (endRow > row) out += `${ESC}[${endRow - row}A`;
    out += '\r';
    if (col > 0) out += `${ESC}[${col}C`;
    this._row = row;
    this._term.write(out);
  }
}
