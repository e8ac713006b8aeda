// Hosted programs in worker threads: each run gets a worker to itself, so a plugin that throws,
// never ends or loops forever is stopped at its deadline (the worker is terminated) and the
// caller — the CLI, the lab server — carries on. Workers are reused between runs and never keep
// the process alive by themselves.
//
// Workers are started as the work needs them, not one per waiting run: a new worker costs a
// Node.js isolate and the host bundle (hundreds of ms of CPU on a small machine), a warm one runs
// a plugin in milliseconds. So a run waits for a busy worker first, and another worker starts only
// when the run has waited SPAWN_GRACE_MS and every worker there is already warm (a burst of quick
// runs, such as VERSION on three nodes, takes one worker; a burst of slow ones spreads out).
import { Worker } from 'node:worker_threads';
import type { RunResult } from '../types.ts';

/** Pids of hosted programs start above Linux's largest (2^22), so they never name a real process. */
export const HOST_PID_BASE = 4_194_304 + 4096;
/** A run may start nested programs of its own: they take the pids up to the next block. */
export const PID_BLOCK = 16;

/** What a worker is sent: the run, with its pid and where to mark it alive. */
export interface WorkerRequest<J> {
  id: number;
  job: J;
  pid: number;
  /** Shared Int32Array: slot i holds the pid (block) of the run in progress on worker i, or 0. */
  alive: SharedArrayBuffer;
}

export type WorkerReply = { id: number; result: RunResult } | { id: number; error: string };
/** What a host says once, when it has loaded (before any run). */
export interface WorkerReady {
  id: 0;
  ready: true;
}

/** Is `pid` (a hosted program's) running in some worker of the pool? For use inside workers. */
export function hostPidAlive(alive: SharedArrayBuffer, pid: number): boolean {
  const block = pid - ((pid - HOST_PID_BASE) % PID_BLOCK);
  const slots = new Int32Array(alive);
  for (let i = 0; i < slots.length; i++) if (Atomics.load(slots, i) === block) return true;
  return false;
}

/** How long a run waits for a busy worker before the pool starts another (when it has room). */
export const SPAWN_GRACE_MS = 25;

interface Slot {
  worker: Worker;
  busy: boolean;
  /** Has it said anything yet (a host says it is ready once its bundle is loaded; else its first answer)? */
  warm: boolean;
  /** Settles when it is warm, or has ended. */
  ready: Promise<void>;
}

export class StoppedRun extends Error {}

export class WorkerPool<J> {
  private readonly _slots: (Slot | undefined)[];
  /** Runs waiting for a worker; each returns false when it no longer waits (it started one itself). */
  private readonly _queue: (() => boolean)[] = [];
  private readonly _alive: SharedArrayBuffer;
  private _nextPid = HOST_PID_BASE;
  private _nextId = 1;

  constructor(
    private readonly _script: string,
    readonly size = 4,
    private readonly _graceMs = SPAWN_GRACE_MS,
  ) {
    this._slots = Array.from({ length: size }, () => undefined);
    this._alive = new SharedArrayBuffer(4 * size);
  }

  /**
   * Runs a job in a free worker. After `timeoutMs` the worker is terminated and `onTimeout` says
   * what the caller sees (the output so far is lost, as with a killed process's pipe).
   */
  async run(job: J, opts: { timeoutMs: number; onTimeout: () => RunResult }): Promise<RunResult> {
    const i = await this._acquire();
    const slot = this._slots[i]!;
    const pid = this._nextPid;
    this._nextPid += PID_BLOCK;
    if (this._nextPid > 2 ** 31 - PID_BLOCK) this._nextPid = HOST_PID_BASE;
    const id = this._nextId++;
    Atomics.store(new Int32Array(this._alive), i, pid);
    try {
      return await new Promise<RunResult>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          this._retire(i);
          resolve(opts.onTimeout());
        }, opts.timeoutMs);
        const onMessage = (m: WorkerReply | WorkerReady) => {
          if (m.id !== id || 'ready' in m) return;
          cleanup();
          if ('error' in m) reject(new Error(m.error));
          else resolve(m.result);
        };
        const onExit = (code: number) => {
          cleanup();
          this._slots[i] = undefined;
          reject(new StoppedRun(`the plugin host's worker stopped (exit code ${code}) before the program finished`));
        };
        const onError = (err: Error) => {
          cleanup();
          this._retire(i);
          reject(err);
        };
        const cleanup = () => {
          clearTimeout(timer);
          slot.worker.off('message', onMessage);
          slot.worker.off('exit', onExit);
          slot.worker.off('error', onError);
        };
        slot.worker.on('message', onMessage);
        slot.worker.once('exit', onExit);
        slot.worker.once('error', onError);
        const req: WorkerRequest<J> = { id, job, pid, alive: this._alive };
        slot.worker.postMessage(req);
      });
    } finally {
      Atomics.store(new Int32Array(this._alive), i, 0);
      this._release(i);
    }
  }

  /**
   * Starts every worker the pool holds now, to be warm when the runs come: for a process that will
   * run many (the lab server), so no Check pays for starting one.
   */
  async prestart(): Promise<void> {
    this._slots.forEach((s, i) => s || this._spawn(i));
    await Promise.all(this._slots.map((s) => s?.ready));
  }

  /** Ends every worker (idle ones too). */
  async close(): Promise<void> {
    await Promise.all(this._slots.map((s, i) => (s ? this._retire(i) : undefined)));
  }

  /** Workers started so far (for tests and benches: how many a workload needed). */
  get started(): number {
    return this._started;
  }
  private _started = 0;
  /** When a worker last turned warm. */
  private _warmAt = 0;

  private _acquire(): Promise<number> {
    const idle = this._slots.findIndex((s) => s && !s.busy);
    if (idle >= 0) return Promise.resolve(this._take(idle));
    if (this._slots.every((s) => !s)) return Promise.resolve(this._take(this._spawn(0)));
    return new Promise((resolve) => {
      let waiting = true;
      let timer: NodeJS.Timeout | undefined;
      const stopWaiting = () => {
        waiting = false;
        clearTimeout(timer);
      };
      this._queue.push(() => {
        if (!waiting) return false;
        stopWaiting();
        resolve(this._acquire());
        return true;
      });
      // Room for another worker: start one if this run is still waiting after the grace time, and
      // only once every worker there has been warm that long (while one starts, another would
      // compete with it for the CPU; once warm, it may well take this run within the grace time).
      const consider = () => {
        if (!waiting) return;
        const empty = this._slots.findIndex((s) => !s);
        if (empty < 0) return; // full: the queue serves it
        const cold = this._slots.some((s) => s && !s.warm);
        const warmFor = performance.now() - this._warmAt;
        if (cold || warmFor < this._graceMs) {
          timer = setTimeout(consider, cold ? this._graceMs : this._graceMs - warmFor);
          return;
        }
        stopWaiting();
        resolve(this._take(this._spawn(empty)));
      };
      timer = setTimeout(consider, this._graceMs);
    });
  }

  private _spawn(i: number): number {
    const worker = new Worker(this._script);
    worker.unref();
    const slot: Slot = { worker, busy: false, warm: false, ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve) => {
      const settle = () => {
        slot.warm = true;
        this._warmAt = performance.now();
        resolve();
      };
      worker.once('message', settle);
      worker.once('exit', resolve);
      worker.once('error', resolve);
    });
    this._slots[i] = slot;
    this._started++;
    return i;
  }

  private _take(i: number): number {
    this._slots[i]!.busy = true;
    return i;
  }

  private _release(i: number) {
    const s = this._slots[i];
    if (s) s.busy = false;
    // The first run still waiting takes it (or a worker, when one retired).
    while (this._queue.length > 0 && !this._queue.shift()!()) {
      /* that one had started a worker of its own */
    }
  }

  private _retire(i: number): Promise<number> | undefined {
    const s = this._slots[i];
    this._slots[i] = undefined;
    Atomics.store(new Int32Array(this._alive), i, 0);
    return s?.worker.terminate();
  }
}
