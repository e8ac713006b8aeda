// Processes the data-plane benchmark starts: each in its own process group, each bounded by a
// timeout, each tracked until it exits, so a timeout or Ctrl-C can end exactly what we started
// (the group holds the cnilab launcher and the iperf3/ping it runs) and nothing else.
import { spawn, type ChildProcess } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

const live = new Set<ChildProcess>();
/** Set once the benchmark is stopping: from then on only cleanup commands may start. */
let closed = false;

/** Sends a signal to the process group of one child we started (detached, so it leads its group). */
function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    // the group is already gone
  }
}

/** Runs argv to completion (or until timeoutMs, then SIGTERM, then SIGKILL 2 s later). */
export function run(argv: readonly string[], opts: { timeoutMs: number; input?: string; duringShutdown?: boolean }): Promise<RunResult> {
  const t0 = performance.now();
  if (closed && !opts.duringShutdown) {
    return Promise.resolve({ code: 125, stdout: '', stderr: 'not started: the benchmark is stopping', timedOut: false, ms: 0 });
  }
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    live.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), 2000);
    }, opts.timeoutMs);
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    const finish = (code: number, extraErr = '') => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      live.delete(child);
      resolve({
        code,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString() + extraErr + (timedOut ? `\n(timed out after ${opts.timeoutMs} ms)` : ''),
        timedOut,
        ms: performance.now() - t0,
      });
    };
    child.on('error', (e) => finish(127, `could not run ${argv[0]}: ${e.message}`));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

/** A long-running process (an iperf3 server): started, waited on until a line appears, then stopped. */
export class Background {
  private readonly child: ChildProcess;
  private out = '';
  private exited: Promise<number>;

  constructor(argv: readonly string[]) {
    // While stopping, start nothing: `true` exits at once and the caller sees a failed start.
    const a = closed ? ['true'] : argv;
    this.child = spawn(a[0]!, a.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    live.add(this.child);
    this.child.stdout!.on('data', (b: Buffer) => (this.out += b.toString()));
    this.child.stderr!.on('data', (b: Buffer) => (this.out += b.toString()));
    this.exited = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.out += `could not run ${argv[0]}: ${e.message}\n`;
        live.delete(this.child);
        resolve(127);
      });
      this.child.on('close', (code, signal) => {
        live.delete(this.child);
        resolve(code ?? (signal ? 128 : 1));
      });
    });
  }

  get output(): string {
    return this.out;
  }

  /** Resolves true once the output matches `re`, false if the process exits first or timeoutMs passes. */
  async waitFor(re: RegExp, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    let done = false;
    void this.exited.then(() => (done = true));
    while (performance.now() < deadline) {
      if (re.test(this.out)) return true;
      if (done) return false;
      await sleep(25);
    }
    return re.test(this.out);
  }

  /** Waits up to graceMs for the process to exit by itself, then ends its process group. */
  async stop(graceMs: number): Promise<{ code: number; killed: boolean }> {
    const timeout = Symbol('timeout');
    const first = await Promise.race([this.exited, sleep(graceMs).then(() => timeout)]);
    if (first !== timeout) return { code: first as number, killed: false };
    signalGroup(this.child, 'SIGTERM');
    const second = await Promise.race([this.exited, sleep(2000).then(() => timeout)]);
    if (second !== timeout) return { code: second as number, killed: true };
    signalGroup(this.child, 'SIGKILL');
    return { code: await this.exited, killed: true };
  }
}

/**
 * Stops new processes from starting (except those run with duringShutdown), then ends every
 * process group we started that is still running (Ctrl-C, SIGTERM, a crash, or the normal end).
 */
export async function killAllStarted(): Promise<number> {
  closed = true;
  const children = [...live];
  for (const c of children) signalGroup(c, 'SIGTERM');
  const deadline = performance.now() + 2000;
  while (live.size > 0 && performance.now() < deadline) await sleep(50);
  for (const c of live) signalGroup(c, 'SIGKILL');
  return children.length;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
