// The plugin host's worker pool starts workers as the work needs them: a burst of quick runs on a
// cold pool takes one worker (each new worker costs an isolate and the host bundle); slow runs
// spread over several; a run past its deadline ends its worker and the pool carries on.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { WorkerPool } from '../../src/host/node/workerPool.ts';

// A stand-in for the host bundle: a run sleeps `ms`, then answers with its worker's thread id.
// The first run of a worker takes `firstMs` more, as the real host's first run loads its bundles.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnilab-pool-'));
// `ready.cjs` also says it has loaded, as the sim's plugin host does.
const standIn = (saysReady: boolean) =>
  `const { parentPort, threadId } = require('node:worker_threads');
let first = true;
${saysReady ? 'parentPort.postMessage({ id: 0, ready: true });' : ''}
parentPort.on('message', (req) => {
  const ms = req.job.ms + (first ? req.job.firstMs : 0);
  first = false;
  setTimeout(() => parentPort.postMessage({ id: req.id, result: { code: 0, stdout: String(threadId), stderr: '' } }), ms);
});
`;
const script = path.join(dir, 'worker.cjs');
const readyScript = path.join(dir, 'ready.cjs');
fs.writeFileSync(script, standIn(false));
fs.writeFileSync(readyScript, standIn(true));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Job {
  ms: number;
  firstMs: number;
}
const opts = { timeoutMs: 5000, onTimeout: () => ({ code: 124, stdout: '', stderr: 'stopped' }) };

/** A pool for one test; every worker it started ends after the test, passed or failed. */
const pools: WorkerPool<Job>[] = [];
const newPool = (...args: ConstructorParameters<typeof WorkerPool<Job>>) => {
  const pool = new WorkerPool<Job>(...args);
  pools.push(pool);
  return pool;
};
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

it('a burst of quick runs on a cold pool is served by one worker', async () => {
  // A grace time far above a 2 ms run: a busy test machine cannot make it look slow.
  const pool = newPool(script, 4, 300);
  // Three at once, each 2 ms once warm; the cold worker's first run takes 150 ms.
  const rs = await Promise.all([0, 1, 2].map(() => pool.run({ ms: 2, firstMs: 150 }, opts)));
  expect(rs.map((r) => r.code)).toEqual([0, 0, 0]);
  expect(new Set(rs.map((r) => r.stdout)).size).toBe(1);
  expect(pool.started).toBe(1);
});

it('slow runs spread over more workers, never more than the pool holds', async () => {
  const pool = newPool(script, 4);
  const rs = await Promise.all(Array.from({ length: 10 }, () => pool.run({ ms: 200, firstMs: 0 }, opts)));
  expect(rs.every((r) => r.code === 0)).toBe(true);
  const threads = new Set(rs.map((r) => r.stdout)).size;
  expect(threads).toBeGreaterThan(1);
  expect(threads).toBeLessThanOrEqual(4);
  expect(pool.started).toBe(threads);
});

it('a run past its deadline ends its worker; the runs waiting for it go on', async () => {
  const pool = newPool(script, 1);
  const [late, next] = await Promise.all([
    pool.run({ ms: 10_000, firstMs: 0 }, { ...opts, timeoutMs: 300 }),
    pool.run({ ms: 1, firstMs: 0 }, opts),
  ]);
  expect(late).toEqual({ code: 124, stdout: '', stderr: 'stopped' });
  expect(next.code).toBe(0);
  expect(pool.started).toBe(2);
});

it('prestart warms every worker before the runs come, and the runs take them at once', async () => {
  const pool = newPool(readyScript, 3);
  await pool.prestart();
  expect(pool.started).toBe(3);
  const rs = await Promise.all([0, 1, 2].map(() => pool.run({ ms: 100, firstMs: 0 }, opts)));
  expect(new Set(rs.map((r) => r.stdout)).size).toBe(3);
  expect(pool.started).toBe(3);
});
