// Hosted programs in worker threads: each run gets a worker to itself, so a plugin that throws,
// never ends or loops forever is stopped at its deadline (the worker is terminated) and the
// caller — the CLI, the lab server — carries on. Workers are reused between runs and never keep
// the process alive by themselves.
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

/** Is `pid` (a hosted program's) running in some worker of the pool? For use inside workers. */
export function hostPidAlive(alive: SharedArrayBuffer, pid: number): boolean {
  const block = pid - ((pid - HOST_PID_BASE) % PID_BLOCK);
  const slots = new Int32Array(alive);
  for (let i = 0; i < slots.length; i++) if (Atomics.load(slots, i) === block) return true;
  return false;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

export class StoppedRun extends Error {}

export class WorkerPool<J> {
  private readonly _slots: (Slot | undefined)[];
  private readonly _queue: (() => void)[] = [];
  private readonly _alive: SharedArrayBuffer;
  private _nextPid = HOST_PID_BASE;
  private _nextId = 1;

  constructor(
    private readonly _script: string,
    readonly size = 4,
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
        const onMessage = (m: WorkerReply) => {
          if (m.id !== id) return;
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

  /** Ends every worker (idle ones too). */
  async close(): Promise<void> {
    await Promise.all(this._slots.map((s, i) => (s ? this._retire(i) : undefined)));
  }

  private _acquire(): Promise<number> {
    const free = this._slots.findIndex((s) => !s?.busy);
    if (free >= 0) {
      let s = this._slots[free];
      if (!s) {
        const worker = new Worker(this._script);
        worker.unref();
        s = { worker, busy: false };
        this._slots[free] = s;
      }
      s.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this._queue.push(() => resolve(this._acquire())));
  }

  private _release(i: number) {
    const s = this._slots[i];
    if (s) s.busy = false;
    this._queue.shift()?.();
  }

  private _retire(i: number): Promise<number> | undefined {
    const s = this._slots[i];
    this._slots[i] = undefined;
    Atomics.store(new Int32Array(this._alive), i, 0);
    return s?.worker.terminate();
  }
}
