// The benchmark's timing driver, seen from the outside.
//
// The driver (driver.ts) is a small Node process started with `nsenter --net=<node netns>`, so
// it lives in the node's network namespace and every process it spawns does too. It reads one
// batch of jobs per line on stdin, starts them all at once, times each from spawn() to exit
// (stdout and stderr drained), and answers with one JSON line. Only the plugin process is on the
// clock: nothing of nsenter, tsx or the pipe to the benchmark is.
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export interface Job {
  argv: string[];
  env: Record<string, string>;
  stdin: string;
}

export interface JobResult {
  ms: number;
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface BatchRequest {
  id: number;
  jobs: Job[];
  timeoutMs: number;
}

export interface BatchResponse {
  id: number;
  /** From just before the first spawn() to the last exit. */
  wallMs: number;
  results: JobResult[];
}

export interface DriverHello {
  ready: true;
  netns: string;
  pid: number;
}

export interface DriverFatal {
  fatal: string;
}

const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));

/** `net:[4026532…]`: how the kernel names a network namespace, the same in /proc/<pid>/ns/net and for a pinned file. */
export function netnsIdOfPath(nsPath: string): string {
  return `net:[${fs.statSync(nsPath).ino}]`;
}

export class DriverClient {
  private _nextId = 1;
  private readonly _waiting = new Map<number, { resolve: (r: BatchResponse) => void; reject: (e: Error) => void }>();
  private _exited: Error | undefined;
  private _hello: Promise<DriverHello>;

  private constructor(private readonly _child: ChildProcessByStdio<Writable, Readable, null>) {
    const lines = readline.createInterface({ input: _child.stdout });
    let onHello: { resolve: (h: DriverHello) => void; reject: (e: Error) => void } | undefined;
    this._hello = new Promise((resolve, reject) => (onHello = { resolve, reject }));
    lines.on('line', (line) => {
      let msg: BatchResponse | DriverHello | DriverFatal;
      try {
        msg = JSON.parse(line) as BatchResponse | DriverHello | DriverFatal;
      } catch {
        return; // not ours (nothing else should write there)
      }
      if ('fatal' in msg) onHello?.reject(new Error(`timing driver refused to start: ${msg.fatal}`));
      else if ('ready' in msg) onHello?.resolve(msg);
      else {
        const w = this._waiting.get(msg.id);
        this._waiting.delete(msg.id);
        w?.resolve(msg);
      }
    });
    _child.on('exit', (code, signal) => {
      this._exited = new Error(`timing driver exited (${signal ?? `code ${code}`})`);
      onHello?.reject(this._exited);
      for (const w of this._waiting.values()) w.reject(this._exited);
      this._waiting.clear();
    });
    _child.on('error', (e) => onHello?.reject(new Error(`could not start the timing driver: ${e.message}`)));
    _child.stdin.on('error', () => {}); // reported through 'exit'
  }

  /**
   * Starts the driver inside the node netns and checks, from outside, that it really is there
   * (and not in the netns this benchmark runs in) before any plugin can be run.
   */
  static async start(nodeNetnsPath: string): Promise<DriverClient> {
    const hostNs = fs.readlinkSync('/proc/self/ns/net');
    const nodeNs = netnsIdOfPath(nodeNetnsPath);
    if (nodeNs === hostNs) throw new Error(`refusing to run: ${nodeNetnsPath} is this machine's own network namespace`);
    // process.execArgv carries tsx's loader flags, so the TypeScript driver runs as this file does.
    const child = spawn('nsenter', [`--net=${nodeNetnsPath}`, '--', process.execPath, ...process.execArgv, DRIVER, nodeNetnsPath, hostNs], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const client = new DriverClient(child);
    const hello = await client._hello;
    // nsenter --net execs in place (no fork), so the driver's pid is the child's pid.
    const seen = fs.readlinkSync(`/proc/${child.pid}/ns/net`);
    if (hello.netns !== nodeNs || seen !== nodeNs || seen === hostNs) {
      await client.stop();
      throw new Error(`timing driver is in ${seen} (it says ${hello.netns}), expected the node netns ${nodeNs}; refusing to run plugins`);
    }
    return client;
  }

  run(jobs: Job[], timeoutMs: number): Promise<BatchResponse> {
    if (this._exited) return Promise.reject(this._exited);
    const id = this._nextId++;
    const req: BatchRequest = { id, jobs, timeoutMs };
    return new Promise((resolve, reject) => {
      this._waiting.set(id, { resolve, reject });
      this._child.stdin.write(`${JSON.stringify(req)}\n`);
    });
  }

  async runOne(job: Job, timeoutMs: number): Promise<JobResult> {
    return (await this.run([job], timeoutMs)).results[0]!;
  }

  private get _alive(): boolean {
    return this._child.exitCode === null && this._child.signalCode === null;
  }

  /** Ends the driver: closing its stdin makes it kill any job still running and exit. SIGKILL after 3 s. */
  async stop(): Promise<void> {
    if (!this._alive) return;
    const exited = new Promise<void>((resolve) => this._child.once('exit', () => resolve()));
    this._child.stdin.end();
    const t = setTimeout(() => {
      if (this._alive) this._child.kill('SIGKILL');
    }, 3000);
    await exited;
    clearTimeout(t);
  }

  /** Ends the driver now (signals): SIGTERM (it SIGKILLs the jobs it started), SIGKILL after 2 s. */
  async terminate(): Promise<void> {
    if (!this._alive) return;
    const exited = new Promise<void>((resolve) => this._child.once('exit', () => resolve()));
    this._child.kill('SIGTERM');
    const t = setTimeout(() => {
      if (this._alive) this._child.kill('SIGKILL');
    }, 2000);
    await exited;
    clearTimeout(t);
  }

  /**
   * For the synchronous cleanup path (process 'exit'): SIGTERM the driver (it SIGKILLs
   * the jobs it started, then exits) and wait up to 2 s for it to be gone.
   */
  killNow(): void {
    const pid = this._child.pid;
    if (!this._alive || pid === undefined) return;
    this._child.kill('SIGTERM');
    const gone = () => {
      try {
        return /^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie: exited, not yet reaped
      } catch {
        return true;
      }
    };
    const tick = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 100 && !gone(); i++) Atomics.wait(tick, 0, 0, 20);
    if (!gone()) this._child.kill('SIGKILL');
  }
}
