// A hosted program's life, as Node's event loop decides it: the program runs until nothing keeps
// it alive (no timer, no child, no pending input) or it calls process.exit(); an exception nobody
// catches ends it with exit code 1 and the stack on stderr. Output is collected as it is written.
import { platform } from './platform.ts';
import type { RunResult } from './types.ts';

/** Thrown by process.exit() to unwind the program's stack: Node never returns from exit(). */
export class ExitSignal {
  constructor(readonly code: number) {}
}

export interface LifeHooks {
  /** 'exit' listeners, 'beforeExit', 'uncaughtException' listeners: the process object's. */
  emit(event: string, ...args: unknown[]): boolean;
  listenerCount(event: string): number;
  /** How Node names itself at the end of a crash report. */
  nodeVersion: string;
  /** The program's file: a crash report's stack ends at its last frame there (the host's own are not the program's). */
  filename: string;
  onStdout?: (text: string) => void;
  onStderr?: (text: string) => void;
}

const defer = (fn: () => void) => platform.setTimeout(fn, 0);

export class Life {
  stdout = '';
  stderr = '';
  exitCode: number | undefined;
  ended = false;
  readonly result: Promise<RunResult>;
  private _resolve!: (r: RunResult) => void;
  private _refs = 0;
  private _idleScheduled = false;
  private _beforeExitDone = false;
  private readonly _cleanups = new Set<() => void>();

  constructor(private readonly _hooks: LifeHooks) {
    this.result = new Promise((resolve) => {
      this._resolve = resolve;
    });
  }

  writeStdout(text: string) {
    if (this.ended || text === '') return;
    this.stdout += text;
    this._hooks.onStdout?.(text);
  }

  writeStderr(text: string) {
    if (this.ended || text === '') return;
    this.stderr += text;
    this._hooks.onStderr?.(text);
  }

  /** Something that keeps the program alive (a timer, a child): call the returned function when it is done. */
  hold(): () => void {
    this._refs++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this._refs--;
      this.checkIdle();
    };
  }

  /** Work to undo if the program ends first (its timers). */
  onEnd(cleanup: () => void): () => void {
    this._cleanups.add(cleanup);
    return () => this._cleanups.delete(cleanup);
  }

  /** Runs a callback of the program's as the event loop does: an exception in it is uncaught. */
  call(fn: () => void) {
    if (this.ended) return;
    try {
      fn();
    } catch (err) {
      this.uncaught(err, 'exception');
    }
    this.checkIdle();
  }

  /** After the microtasks now queued have run, end the program if nothing keeps it alive. */
  checkIdle() {
    if (this.ended || this._idleScheduled) return;
    this._idleScheduled = true;
    defer(() => {
      this._idleScheduled = false;
      if (this.ended || this._refs > 0) return;
      if (!this._beforeExitDone && this._hooks.listenerCount('beforeExit') > 0) {
        this._beforeExitDone = true;
        this.call(() => this._hooks.emit('beforeExit', this.exitCode ?? 0));
        return;
      }
      this._emitExit();
      this._finish(this.exitCode ?? 0);
    });
  }

  /** process.exit(code) */
  exit(code: number | undefined): never {
    if (!this.ended) {
      if (code !== undefined) this.exitCode = code;
      // process.exit() inside an 'exit' listener changes the code; the listeners do not run again.
      if (!this._exiting) {
        this._emitExit();
        this._finish(this.exitCode ?? 0);
      }
    }
    throw new ExitSignal(this.exitCode ?? 0);
  }

  /** An exception or a rejection nobody handled: Node's report and exit code 1 (or the program's handler). */
  uncaught(err: unknown, kind: 'exception' | 'rejection') {
    if (this.ended || err instanceof ExitSignal) return;
    const event = kind === 'exception' ? 'uncaughtException' : 'unhandledRejection';
    if (this._hooks.listenerCount(event) > 0) {
      try {
        if (kind === 'exception') this._hooks.emit(event, err, 'uncaughtException');
        else this._hooks.emit(event, err, Promise.reject(err).catch(() => {}));
        return;
      } catch (again) {
        if (again instanceof ExitSignal) return;
        err = again;
      }
    }
    this.writeStderr(`${crashReport(err, kind, this._hooks.filename)}\n\nNode.js ${this._hooks.nodeVersion}\n`);
    this.exitCode = 1;
    this._emitExit();
    this._finish(1);
  }

  /** Killed from outside (Ctrl-C, a timeout): no exit handlers run, as with SIGKILL. */
  kill(code: number) {
    this._finish(code);
  }

  private _exiting = false;

  private _emitExit() {
    this._exiting = true;
    try {
      this._hooks.emit('exit', this.exitCode ?? 0);
    } catch (err) {
      if (!(err instanceof ExitSignal)) this.writeStderr(`${crashReport(err, 'exception')}\n`);
    }
  }

  private _finish(code: number) {
    if (this.ended) return;
    this.ended = true;
    for (const c of this._cleanups) c();
    this._cleanups.clear();
    this._resolve({ code, stdout: this.stdout, stderr: this.stderr });
  }
}

/** What Node prints for an error nobody caught. */
export function crashReport(err: unknown, kind: 'exception' | 'rejection', filename?: string): string {
  if (err instanceof Error || (typeof err === 'object' && err !== null && typeof (err as Error).stack === 'string')) {
    const e = err as Error;
    const lines = (e.stack ?? `${e.name}: ${e.message}`).split('\n');
    const last = filename ? lines.map((l, i) => (/^\s+at /.test(l) && l.includes(filename) ? i : -1)).reduce((a, b) => Math.max(a, b), -1) : -1;
    return (last >= 0 ? lines.slice(0, last + 1) : lines).join('\n');
  }
  if (kind === 'rejection') {
    return (
      '[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, ' +
      `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${String(err)}".] {\n  code: 'ERR_UNHANDLED_REJECTION'\n}`
    );
  }
  return `Uncaught ${typeof err === 'string' ? `'${err}'` : String(err)}`;
}
