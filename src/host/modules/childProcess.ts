// node:child_process for a hosted program, onto the caller's HostCommandRunner: spawn, execFile and
// exec, with the events and stream data a program waits for. A child keeps the program alive until
// its 'close'. The runner takes a command's whole stdin at once, so a piped stdin is sent at end().
// Not available: the *Sync calls (the runner answers asynchronously) and fork.
import { chunkText, HostBuffer } from '../buffer.ts';
import { EventEmitter } from '../events.ts';
import { platform } from '../platform.ts';
import type { RunResult } from '../types.ts';
import type { ModuleContext } from './context.ts';

type Stdio = 'pipe' | 'ignore' | 'inherit' | null | undefined | number;
interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  stdio?: Stdio | Stdio[];
  shell?: boolean | string;
  encoding?: string;
}

const PROMISIFY = Symbol.for('nodejs.util.promisify.custom');

class ReadableOut extends EventEmitter {
  private _encoding: string | undefined;
  readonly readable = true;
  setEncoding(enc: string) {
    this._encoding = enc;
    return this;
  }
  push(text: string) {
    if (text) this.emit('data', this._encoding ? text : HostBuffer.from(text));
  }
  finish() {
    this.emit('end');
    this.emit('close');
  }
  pipe<T extends { write(c: unknown): unknown }>(dest: T): T {
    this.on('data', (c) => dest.write(c));
    return dest;
  }
  resume() {
    return this;
  }
  pause() {
    return this;
  }
  destroy() {
    return this;
  }
  async *[Symbol.asyncIterator]() {
    // Whole output at once: the runner answers when the command is done.
    const chunks: unknown[] = [];
    const done = new Promise<void>((resolve) => {
      this.on('data', (c) => chunks.push(c));
      this.on('end', () => resolve());
    });
    await done;
    yield* chunks;
  }
}

class WritableIn extends EventEmitter {
  private _chunks: string[] = [];
  private _ended = false;
  readonly writable = true;
  constructor(private readonly _onEnd: (text: string) => void) {
    super();
  }
  write(chunk: unknown, enc?: unknown, cb?: unknown) {
    if (!this._ended) this._chunks.push(chunkText(chunk));
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') done();
    return true;
  }
  end(chunk?: unknown, enc?: unknown, cb?: unknown): this {
    if (typeof chunk === 'function') return this.end(undefined, undefined, chunk);
    if (chunk !== undefined && chunk !== null) this.write(chunk);
    if (!this._ended) {
      this._ended = true;
      this._onEnd(this._chunks.join(''));
      this.emit('finish');
    }
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') done();
    return this;
  }
  destroy() {
    return this.end();
  }
}

class ChildProcess extends EventEmitter {
  pid: number | undefined;
  exitCode: number | null = null;
  signalCode: string | null = null;
  killed = false;
  stdin: WritableIn | null = null;
  stdout: ReadableOut | null = null;
  stderr: ReadableOut | null = null;
  readonly spawnfile: string;
  constructor(readonly spawnargs: string[]) {
    super();
    this.spawnfile = spawnargs[0]!;
  }
  kill(signal: string | number = 'SIGTERM') {
    // The runner's command cannot be stopped midway; it is reported killed when it ends.
    this.killed = true;
    this.signalCode = typeof signal === 'number' ? 'SIGTERM' : signal;
    return true;
  }
  ref() {}
  unref() {}
}

const stdioOf = (s: SpawnOptions['stdio'], i: number): Stdio => (Array.isArray(s) ? s[i] : s) ?? 'pipe';

let childPids = 1000;

export function createChildProcess(ctx: ModuleContext) {
  function spawn(command: string, argsOrOpts?: readonly string[] | SpawnOptions, maybeOpts?: SpawnOptions): ChildProcess {
    const args = Array.isArray(argsOrOpts) ? [...argsOrOpts] : [];
    const opts: SpawnOptions = (Array.isArray(argsOrOpts) ? maybeOpts : (argsOrOpts as SpawnOptions | undefined)) ?? {};
    const argv = opts.shell ? [typeof opts.shell === 'string' ? opts.shell : '/bin/sh', '-c', [command, ...args].join(' ')] : [command, ...args];
    const child = new ChildProcess(argv);
    const env = Object.fromEntries(Object.entries(opts.env ?? ctx.env()).filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => [k, String(v)]));
    const release = ctx.life.hold();
    const inMode = stdioOf(opts.stdio, 0);
    const modes = [stdioOf(opts.stdio, 1), stdioOf(opts.stdio, 2)];
    if (modes[0] === 'pipe') child.stdout = new ReadableOut();
    if (modes[1] === 'pipe') child.stderr = new ReadableOut();

    const start = (stdin: string | undefined) => {
      if (ctx.life.ended) return;
      ctx.runner.run(argv, { stdin, env, cwd: opts.cwd ?? ctx.cwd() }).then(
        (r) => ctx.life.call(() => finish(r)),
        (err: { code?: string; message?: string }) => ctx.life.call(() => fail(err)),
      );
    };
    const finish = (r: RunResult) => {
      release();
      const deliver = (mode: Stdio, stream: ReadableOut | null, text: string, write: (s: string) => void) => {
        if (stream) stream.push(text);
        else if (mode === 'inherit' || mode === 1 || mode === 2) write(text);
      };
      deliver(modes[0], child.stdout, r.stdout, (s) => ctx.life.writeStdout(s));
      deliver(modes[1], child.stderr, r.stderr, (s) => (modes[1] === 1 ? ctx.life.writeStdout(s) : ctx.life.writeStderr(s)));
      const signal = child.killed ? child.signalCode : null;
      child.exitCode = signal ? null : r.code;
      child.stdout?.finish();
      child.stderr?.finish();
      child.emit('exit', child.exitCode, signal);
      child.emit('close', child.exitCode, signal);
    };
    const fail = (err: { code?: string; message?: string }) => {
      release();
      const code = err?.code ?? 'ENOENT';
      const e = Object.assign(new Error(`spawn ${command} ${code}`), { errno: code === 'ENOENT' ? -2 : -1, code, syscall: `spawn ${command}`, path: command, spawnargs: args });
      child.pid = undefined;
      child.emit('error', e);
      child.stdout?.finish();
      child.stderr?.finish();
      child.emit('close', code === 'ENOENT' ? -2 : -1, null);
    };

    child.pid = childPids++;
    if (inMode === 'pipe') {
      child.stdin = new WritableIn((text) => start(text));
      // A program that never closes the pipe (say, execFile of a command that reads nothing) would
      // still see the command finish in Node: what was written by the next turn of the loop is its stdin.
      platform.setTimeout(() => child.stdin?.end(), 0);
    } else start(undefined);
    // 'spawn' comes on the next tick in Node: listeners added right after spawn() hear it.
    Promise.resolve().then(() => ctx.life.call(() => child.pid !== undefined && child.emit('spawn')));
    return child;
  }

  type ExecCallback = (err: Error | null, stdout: unknown, stderr: unknown) => void;

  function execFile(file: string, ...rest: unknown[]): ChildProcess {
    const cb = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as ExecCallback) : undefined;
    const args = Array.isArray(rest[0]) ? (rest.shift() as string[]) : [];
    const opts = (rest[0] as SpawnOptions | undefined) ?? {};
    const child = spawn(file, args, opts);
    collect(child, [file, ...args].join(' '), opts.encoding, cb);
    return child;
  }

  function exec(command: string, ...rest: unknown[]): ChildProcess {
    const cb = typeof rest[rest.length - 1] === 'function' ? (rest.pop() as ExecCallback) : undefined;
    const opts = (rest[0] as SpawnOptions | undefined) ?? {};
    const child = spawn(command, [], { ...opts, shell: opts.shell ?? true });
    collect(child, command, opts.encoding, cb);
    return child;
  }

  function collect(child: ChildProcess, cmd: string, encoding: string | undefined, cb?: ExecCallback) {
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (c) => (out += String(c)));
    child.stderr?.on('data', (c) => (err += String(c)));
    let failed: Error | undefined;
    child.on('error', (e: Error) => (failed = e));
    child.on('close', (code: number | null, signal: string | null) => {
      const as = (s: string) => (encoding === 'buffer' ? HostBuffer.from(s) : s);
      if (!cb) return;
      if (failed) return cb(failed, as(out), as(err));
      if (code === 0 && !signal) return cb(null, as(out), as(err));
      const e = Object.assign(new Error(`Command failed: ${cmd}\n${err}`), { code, killed: child.killed, signal, cmd });
      cb(e, as(out), as(err));
    });
  }

  const promisify = (fn: (...a: any[]) => ChildProcess) => (...args: unknown[]) =>
    new Promise((resolve, reject) => {
      fn(...args, (err: (Error & { stdout?: unknown; stderr?: unknown }) | null, stdout: unknown, stderr: unknown) => {
        if (err) reject(Object.assign(err, { stdout, stderr }));
        else resolve({ stdout, stderr });
      });
    });
  Object.defineProperty(execFile, PROMISIFY, { value: promisify(execFile) });
  Object.defineProperty(exec, PROMISIFY, { value: promisify(exec) });

  const noSync = (name: string) => () => {
    throw Object.assign(
      new Error(`child_process.${name} is not available in the plugin host: commands on a simulated node run asynchronously; use spawn or execFile`),
      { code: 'ERR_NOT_AVAILABLE' },
    );
  };
  return {
    spawn,
    execFile,
    exec,
    ChildProcess,
    spawnSync: noSync('spawnSync'),
    execSync: noSync('execSync'),
    execFileSync: noSync('execFileSync'),
    fork: noSync('fork'),
  };
}
