// The `process` a hosted program sees: its env, argv, stdin, stdout/stderr, exit code, pid, clock.
import { chunkText } from './buffer.ts';
import { EventEmitter } from './events.ts';
import type { Life } from './life.ts';
import { now, platform } from './platform.ts';
import type { HostTimers } from './timers.ts';
import { format } from './modules/util.ts';

export interface ProcessSetup {
  life: Life;
  timers: HostTimers;
  env: Record<string, string>;
  argv: string[];
  filename: string;
  pid: number;
  nodeVersion: string;
  cwd: string;
  takeStdin(): string;
  isAlive(pid: number): boolean;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGPIPE: 13, SIGTERM: 15 };

class OutStream extends EventEmitter {
  readonly writable = true;
  readonly isTTY = false;
  constructor(
    readonly fd: number,
    private readonly _write: (s: string) => void,
  ) {
    super();
  }
  write(chunk: unknown, enc?: unknown, cb?: unknown): boolean {
    this._write(chunkText(chunk));
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') Promise.resolve().then(() => (done as () => void)());
    return true;
  }
  end(chunk?: unknown, cb?: unknown) {
    if (chunk !== undefined && typeof chunk !== 'function') this._write(chunkText(chunk));
    const done = typeof chunk === 'function' ? chunk : cb;
    if (typeof done === 'function') Promise.resolve().then(() => (done as () => void)());
    return this;
  }
  cork() {}
  uncork() {}
  hasColors() {
    return false;
  }
  getColorDepth() {
    return 1;
  }
}

/** Standard input: a pipe holding what the caller gave, then closed. */
class InStream extends EventEmitter {
  readonly fd = 0;
  readonly readable = true;
  private _encoding: string | undefined;
  private _flowing = false;
  constructor(private readonly _setup: ProcessSetup) {
    super();
  }
  setEncoding(enc: string) {
    this._encoding = enc;
    return this;
  }
  override on(event: string | symbol, fn: (...args: any[]) => void): this {
    super.on(event, fn);
    if (event === 'data') this.resume();
    return this;
  }
  resume() {
    if (this._flowing) return this;
    this._flowing = true;
    // A pending read keeps the program alive until the data and 'end' have been delivered.
    const release = this._setup.life.hold();
    this._setup.timers.setImmediate(() => {
      const text = this._setup.takeStdin();
      if (text) this.emit('data', this._encoding ? text : chunkOf(text));
      this.emit('end');
      this.emit('close');
      release();
    });
    return this;
  }
  pause() {
    return this;
  }
  read() {
    const text = this._setup.takeStdin();
    return text ? (this._encoding ? text : chunkOf(text)) : null;
  }
  async *[Symbol.asyncIterator]() {
    const release = this._setup.life.hold();
    try {
      await new Promise((r) => this._setup.timers.setImmediate(r));
      const text = this._setup.takeStdin();
      if (text) yield this._encoding ? text : chunkOf(text);
    } finally {
      release();
    }
  }
  pipe<T extends { write(c: unknown): unknown; end?(): unknown }>(dest: T): T {
    this.on('data', (c) => dest.write(c));
    this.on('end', () => dest.end?.());
    return dest;
  }
}

const chunkOf = (text: string) => (platform.Buffer ? platform.Buffer.from(text) : text);

export function makeProcess(s: ProcessSetup) {
  const { life, timers } = s;
  let cwd = s.cwd;
  const t0 = now();
  const proc = new EventEmitter() as EventEmitter & Record<string, unknown>;
  const hrtime = (prev?: [number, number]) => {
    const ns = Math.round((now() - t0) * 1e6) + 1e9;
    const t: [number, number] = [Math.floor(ns / 1e9), ns % 1e9];
    if (!prev) return t;
    let [sec, nsec] = [t[0] - prev[0], t[1] - prev[1]];
    if (nsec < 0) {
      sec--;
      nsec += 1e9;
    }
    return [sec, nsec];
  };
  hrtime.bigint = () => BigInt(Math.round((now() - t0) * 1e6) + 1e9);
  Object.assign(proc, {
    env: s.env,
    argv: ['/usr/bin/node', s.filename, ...s.argv],
    argv0: 'node',
    execArgv: [],
    execPath: '/usr/bin/node',
    title: 'node',
    version: s.nodeVersion,
    versions: { node: s.nodeVersion.replace(/^v/, '') },
    release: { name: 'node' },
    platform: 'linux',
    arch: 'x64',
    pid: s.pid,
    ppid: 1,
    features: {},
    config: { variables: {} },
    stdout: new OutStream(1, (t) => life.writeStdout(t)),
    stderr: new OutStream(2, (t) => life.writeStderr(t)),
    stdin: new InStream(s),
    cwd: () => cwd,
    chdir: (d: string) => {
      cwd = d.startsWith('/') ? d : `${cwd.replace(/\/$/, '')}/${d}`;
    },
    exit: (code?: number | string) => life.exit(code === undefined ? undefined : Number(code) || 0),
    abort: () => life.kill(134),
    kill: (pid: number, signal: string | number = 'SIGTERM') => {
      const sig = typeof signal === 'number' ? signal : SIGNALS[signal];
      if (sig === undefined) throw Object.assign(new TypeError(`Unknown signal: ${signal}`), { code: 'ERR_UNKNOWN_SIGNAL' });
      if (pid === s.pid) {
        if (sig !== 0) life.kill(128 + sig);
        return true;
      }
      if (!s.isAlive(pid)) throw Object.assign(new Error('kill ESRCH'), { errno: -3, code: 'ESRCH', syscall: 'kill' });
      if (sig !== 0) throw Object.assign(new Error('kill EPERM'), { errno: -1, code: 'EPERM', syscall: 'kill' });
      return true;
    },
    hrtime,
    uptime: () => (now() - t0) / 1000,
    memoryUsage: Object.assign(() => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }), { rss: () => 0 }),
    cpuUsage: () => ({ user: 0, system: 0 }),
    nextTick: (fn: (...a: unknown[]) => void, ...args: unknown[]) => {
      const release = life.hold();
      Promise.resolve().then(() => {
        release();
        life.call(() => fn(...args));
      });
    },
    emitWarning: (w: string | Error) => life.writeStderr(`(node:${s.pid}) ${typeof w === 'string' ? `Warning: ${w}` : `${w.name}: ${w.message}`}\n`),
    umask: () => 0o022,
    getuid: () => 0,
    geteuid: () => 0,
    getgid: () => 0,
    getegid: () => 0,
    binding: () => {
      throw new Error('No such module');
    },
  });
  Object.defineProperty(proc, 'exitCode', {
    get: () => life.exitCode,
    set: (v: unknown) => {
      life.exitCode = v === undefined || v === null ? undefined : Number(v);
    },
    enumerable: true,
  });
  return proc;
}

export function makeConsole(life: Life) {
  const counts = new Map<string, number>();
  const times = new Map<string, number>();
  const out = (...a: unknown[]) => life.writeStdout(`${format(...a)}\n`);
  const err = (...a: unknown[]) => life.writeStderr(`${format(...a)}\n`);
  return {
    log: out,
    info: out,
    debug: out,
    dir: out,
    table: out,
    error: err,
    warn: err,
    trace: (...a: unknown[]) => err(`Trace: ${format(...a)}\n${(new Error().stack ?? '').split('\n').slice(2).join('\n')}`),
    assert: (ok: unknown, ...a: unknown[]) => {
      if (!ok) err(`Assertion failed${a.length ? `: ${format(...a)}` : ''}`);
    },
    count: (label = 'default') => {
      const n = (counts.get(label) ?? 0) + 1;
      counts.set(label, n);
      out(`${label}: ${n}`);
    },
    time: (label = 'default') => void times.set(label, now()),
    timeEnd: (label = 'default') => {
      const t = times.get(label);
      if (t !== undefined) out(`${label}: ${(now() - t).toFixed(3)}ms`);
      times.delete(label);
    },
    timeLog: (label = 'default') => {
      const t = times.get(label);
      if (t !== undefined) out(`${label}: ${(now() - t).toFixed(3)}ms`);
    },
    group: () => {},
    groupEnd: () => {},
  };
}
