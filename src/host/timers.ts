// Timers for a hosted program: each one keeps the program alive until it fires or is cleared
// (or unref()'d), as in Node; all of them die with the program.
import type { Life } from './life.ts';
import { platform } from './platform.ts';

type Fn = (...args: unknown[]) => void;

export interface HostTimers {
  setTimeout(fn: Fn, ms?: number, ...args: unknown[]): HostTimer;
  setInterval(fn: Fn, ms?: number, ...args: unknown[]): HostTimer;
  setImmediate(fn: Fn, ...args: unknown[]): HostTimer;
  clearTimeout(t: unknown): void;
  clearInterval(t: unknown): void;
  clearImmediate(t: unknown): void;
}

export interface HostTimer {
  ref(): HostTimer;
  unref(): HostTimer;
  hasRef(): boolean;
  refresh(): HostTimer;
  close(): void;
  [Symbol.toPrimitive](): number;
}

const MAX_DELAY = 2 ** 31 - 1;

export function makeTimers(life: Life): HostTimers {
  const byId = new Map<number, Timer>();
  let nextId = 1;

  class Timer implements HostTimer {
    readonly id = nextId++;
    private _handle: unknown;
    private _release: (() => void) | undefined;
    private _forget: () => void;
    private _live = true;

    constructor(
      private readonly _fn: Fn,
      private readonly _ms: number,
      private readonly _args: unknown[],
      private readonly _repeat: boolean,
    ) {
      byId.set(this.id, this);
      this._release = life.hold();
      this._forget = life.onEnd(() => platform.clearTimeout(this._handle));
      this._arm();
    }

    private _arm() {
      this._handle = platform.setTimeout(() => this._fire(), this._ms);
    }

    private _fire() {
      if (!this._live) return;
      if (this._repeat) this._arm();
      else this.close();
      life.call(() => this._fn(...this._args));
    }

    ref() {
      if (this._live && !this._release) this._release = life.hold();
      return this;
    }
    unref() {
      const r = this._release;
      this._release = undefined;
      r?.();
      return this;
    }
    hasRef() {
      return this._release !== undefined;
    }
    refresh() {
      if (this._live) {
        platform.clearTimeout(this._handle);
        this._arm();
      }
      return this;
    }
    close() {
      if (!this._live) return;
      this._live = false;
      platform.clearTimeout(this._handle);
      byId.delete(this.id);
      this._forget();
      this.unref();
    }
    [Symbol.toPrimitive]() {
      return this.id;
    }
  }

  const delay = (ms: unknown) => {
    const n = Number(ms);
    return n >= 1 && n <= MAX_DELAY ? n : 1;
  };
  const clear = (t: unknown) => {
    if (t instanceof Timer) t.close();
    else if (typeof t === 'number' || typeof t === 'string') byId.get(Number(t))?.close();
  };
  return {
    setTimeout: (fn, ms, ...args) => new Timer(fn, delay(ms), args, false),
    setInterval: (fn, ms, ...args) => new Timer(fn, delay(ms), args, true),
    setImmediate: (fn, ...args) => new Timer(fn, 0, args, false),
    clearTimeout: clear,
    clearInterval: clear,
    clearImmediate: clear,
  };
}
