// Runs a CommonJS bundle (the plugin, the node agent, a student's build) as if it were a process:
// its own `process`, `require` of the built-ins it uses onto the caller's file system and command
// runner, timers that keep it alive, and Node's answer when it ends or crashes — without Node.js.
import { HostBuffer } from './buffer.ts';
import { eventsModule } from './events.ts';
import { ExitSignal, Life } from './life.ts';
import { createChildProcess } from './modules/childProcess.ts';
import type { ModuleContext } from './modules/context.ts';
import { createFs } from './modules/fs.ts';
import { cryptoModule, osModule, pathModule, ttyModule } from './modules/small.ts';
import { utilModule } from './modules/util.ts';
import { platform } from './platform.ts';
import { makeConsole, makeProcess } from './process.ts';
import { makeTimers } from './timers.ts';
import type { RunBundleOptions, RunResult } from './types.ts';

export const DEFAULT_NODE_VERSION = 'v18.19.0';

/** The names a bundle's code sees besides its own: CommonJS's and Node's globals. */
const PARAMS = [
  'exports', 'require', 'module', '__filename', '__dirname',
  'process', 'Buffer', 'console', 'global',
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'performance',
] as const;

type Compiled = (...args: unknown[]) => unknown;
const compiled = new Map<string, Compiled>();

/** One compiled function per bundle text (compiling a 40 kB bundle is most of a run's cost). */
function compile(source: string, filename: string): Compiled {
  const key = `${filename}\n${source}`;
  let fn = compiled.get(key);
  if (!fn) {
    // A shebang line is not JavaScript inside a function body.
    const body = source.startsWith('#!') ? `//${source}` : source;
    // Indirect eval of a function expression whose body starts on line 1: stack traces then give
    // the bundle's own line numbers (new Function would shift them by two).
    fn = (0, eval)(`(function (${PARAMS.join(', ')}) {${body}\n})\n//# sourceURL=${filename}`) as Compiled;
    if (compiled.size >= 16) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, fn);
  }
  return fn;
}

/** A started program: its result, and the means to stop it. */
export interface HostedProcess {
  readonly pid: number;
  readonly result: Promise<RunResult>;
  /** Stops it at once, as a signal would (SIGINT: 130, SIGTERM: 143, SIGKILL: 137). */
  kill(signal?: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): void;
  /**
   * A promise rejection nobody handled, seen by the platform (Node's 'unhandledRejection', a
   * page's 'unhandledrejection'): Node's report and exit code 1, as for an uncaught exception.
   */
  reportUnhandledRejection(reason: unknown): void;
}

export function startBundle(source: string, opts: RunBundleOptions): HostedProcess {
  const filename = opts.filename ?? '/opt/cni/bin/bundle.cjs';
  const pid = opts.pid ?? 4242;
  const nodeVersion = opts.nodeVersion ?? DEFAULT_NODE_VERSION;
  let stdin: string | undefined = opts.stdin;
  const takeStdin = () => {
    const s = stdin ?? '';
    stdin = undefined;
    return s;
  };
  let proc: ReturnType<typeof makeProcess> | undefined;
  const life = new Life({
    emit: (e, ...a) => proc?.emit(e, ...a) ?? false,
    listenerCount: (e) => proc?.listenerCount(e) ?? 0,
    nodeVersion,
    filename,
    onStdout: opts.onStdout,
    onStderr: opts.onStderr,
  });
  const timers = makeTimers(life);
  proc = makeProcess({
    life,
    timers,
    env: { ...opts.env },
    argv: opts.argv,
    filename,
    pid,
    nodeVersion,
    cwd: opts.cwd ?? '/',
    takeStdin,
    isAlive: (p) => opts.isAlive?.(p) ?? false,
  });
  const p = proc;
  const ctx: ModuleContext = {
    life,
    timers,
    fs: opts.fs,
    runner: opts.runner,
    env: () => p.env as Record<string, string>,
    cwd: () => (p.cwd as () => string)(),
    pid,
    hostname: opts.hostname ?? 'localhost',
    takeStdin,
  };
  const modules = builtins(ctx, p, timers, opts.modules ?? {});
  const require = (name: string): unknown => {
    const id = String(name).replace(/^node:/, '');
    if (id in modules) return modules[id]!();
    throw Object.assign(new Error(`Cannot find module '${name}'\nRequire stack:\n- ${filename}`), { code: 'MODULE_NOT_FOUND', requireStack: [filename] });
  };
  require.resolve = (name: string) => name;
  require.cache = {};
  const module = { exports: {} as unknown, id: '.', filename, loaded: false, children: [], paths: [], require };
  const performance = {
    now: () => (platform.performance?.now() ?? Date.now()) - t0,
    timeOrigin: Date.now(),
    mark: () => {},
    measure: () => {},
  };
  const t0 = platform.performance?.now() ?? Date.now();
  const fakeGlobal = new Proxy(globalThis as Record<string | symbol, unknown>, {
    get: (g, k) => (k === 'process' ? p : k === 'console' ? modules.console!() : k === 'Buffer' ? HostBuffer : g[k]),
  });
  const dirname = filename.slice(0, filename.lastIndexOf('/')) || '/';
  const args: Record<(typeof PARAMS)[number], unknown> = {
    exports: module.exports,
    require,
    module,
    __filename: filename,
    __dirname: dirname,
    process: p,
    Buffer: HostBuffer,
    console: modules.console!(),
    global: fakeGlobal,
    ...timers,
    performance,
  };

  try {
    compile(source, filename).apply(module.exports, PARAMS.map((k) => args[k]));
    module.loaded = true;
  } catch (err) {
    if (!(err instanceof ExitSignal)) life.uncaught(err, 'exception');
  }
  life.checkIdle();

  return {
    pid,
    result: life.result,
    kill: (signal = 'SIGTERM') => life.kill(128 + ({ SIGINT: 2, SIGTERM: 15, SIGKILL: 9 } as const)[signal]),
    reportUnhandledRejection: (reason) => life.uncaught(reason, 'rejection'),
  };
}

/** Runs a bundle to its end: { code, stdout, stderr } as from a process. */
export function runBundle(source: string, opts: RunBundleOptions): Promise<RunResult> {
  return startBundle(source, opts).result;
}

function builtins(ctx: ModuleContext, proc: unknown, timers: ReturnType<typeof makeTimers>, extra: Record<string, unknown>): Record<string, () => unknown> {
  const once = <T>(make: () => T) => {
    let v: T | undefined;
    let made = false;
    return () => {
      if (!made) {
        v = make();
        made = true;
      }
      return v;
    };
  };
  const fs = once(() => createFs(ctx));
  const crypto = once(cryptoModule);
  const timersPromises = {
    setTimeout: (ms: number, value?: unknown) => new Promise((r) => timers.setTimeout(() => r(value), ms)),
    setImmediate: (value?: unknown) => new Promise((r) => timers.setImmediate(() => r(value))),
  };
  const table: Record<string, () => unknown> = {
    fs,
    'fs/promises': () => (fs() as { promises: unknown }).promises,
    path: () => pathModule,
    'path/posix': () => pathModule,
    child_process: once(() => createChildProcess(ctx)),
    util: () => utilModule,
    os: once(() => osModule(ctx.hostname)),
    tty: () => ttyModule,
    events: () => eventsModule,
    buffer: () => ({ Buffer: HostBuffer }),
    timers: () => timers,
    'timers/promises': () => timersPromises,
    process: () => proc,
    console: once(() => makeConsole(ctx.life)),
  };
  if (crypto()) table.crypto = crypto;
  for (const [name, mod] of Object.entries(extra)) table[name.replace(/^node:/, '')] = () => mod;
  return table;
}
