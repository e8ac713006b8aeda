// The lab server under a small workshop: clients with 3 terminals typing and a check stream each,
// for a bounded time. No output lost or reordered, every check finished, no shell left behind,
// and the server's memory back near where it started. (Full scale, with latencies: bench/load.ts.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, rssMiB, runLoad } from '../helpers/load.ts';
import { startLoadServer, type LoadServer } from '../helpers/loadServerProcess.ts';

const CLIENTS = 4;

describe('the lab server under load', () => {
  let server: LoadServer;
  beforeAll(async () => {
    server = await startLoadServer();
  }, 300_000);
  afterAll(async () => server?.stop(), 300_000);

  it(`${CLIENTS} clients × (3 terminals + 1 check stream): nothing lost, nothing left`, async () => {
    // Warm up first (the PTY addon, the check code): the baseline is a server that has served once.
    await runLoad({ url: server.url, clients: 1, terminalsPerClient: 1, durationMs: 500 });
    // What runs under the server between sessions (tsx's esbuild service here): left alone, and expected back.
    await settle(server.pid, [], /nsenter|bash/);
    const resident = descendants(server.pid).map((p) => p.pid);
    const before = rssMiB(server.pid);

    const r = await runLoad({ url: server.url, clients: CLIENTS, durationMs: 8000 });
    expect(r.problems).toEqual([]);
    expect(r.terminals).toBe(CLIENTS * 3);
    expect(r.checksDone).toBeGreaterThanOrEqual(CLIENTS);
    expect(r.linesTyped).toBeGreaterThanOrEqual(CLIENTS * 3 * 5);

    // Every shell ends with its socket: nothing of the terminals is left under the server.
    const left = await settle(server.pid, resident);
    expect(left.map((p) => `${p.pid} ${p.cmd}`)).toEqual([]);
    const after = rssMiB(server.pid);
    expect(after, `RSS ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after`).toBeLessThan(before + 40);
  }, 600_000);
});

/** Waits (bounded) until nothing but `resident` (of what `only` matches) runs under the server; returns what else still does. */
async function settle(pid: number, resident: number[], only = /./) {
  const others = () => descendants(pid).filter((p) => !resident.includes(p.pid) && only.test(p.cmd));
  let left = others();
  for (let i = 0; i < 300 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = others();
  }
  return left;
}
