// A workshop's load on the real `cnilab serve` (the built CLI, its own cluster): 30 clients, each
// with 3 terminals typing and a check stream, for 30 s; then every socket closed. Reports p50/p95
// keystroke echo latency and check latency, output lost or reordered, shells left, and the
// server's memory before and after. Run as root, loopback only: npx tsx bench/load.ts [--clients N] [--seconds S]
import { spawnSync } from 'node:child_process';
import { descendants, percentile, rssMiB, runLoad } from '../test/helpers/load.ts';
import { startServeProcess } from '../test/helpers/serve.ts';

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const clients = arg('clients', 30);
const seconds = arg('seconds', 30);
const cluster = `bld${Math.random().toString(36).slice(2, 6)}`;

const server = await startServeProcess(cluster, { SIMPLECNI_PROGRESS: `/tmp/${cluster}-progress.json`, SIMPLECNI_WORKSPACE: `/tmp/${cluster}-workspace` });
const pid = server.child.pid!;
let exitCode = 0;
try {
  await runLoad({ url: server.url, clients: 1, terminalsPerClient: 1, durationMs: 500 });
  await settle(pid, [], /nsenter|bash/);
  const resident = descendants(pid).map((p) => p.pid);
  const before = rssMiB(pid);
  const t0 = performance.now();
  const r = await runLoad({ url: server.url, clients, durationMs: seconds * 1000, typingGapMs: 250 });
  const wall = (performance.now() - t0) / 1000;
  const left = await settle(pid, resident);
  const after = rssMiB(pid);
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`\nLab server under load: ${clients} clients × (3 terminals + 1 check stream of lab 00), ${seconds} s (${wall.toFixed(0)} s with closing)\n`);
  console.log(`terminals opened         ${r.terminals} of ${clients * 3}`);
  console.log(`lines typed              ${r.linesTyped}`);
  console.log(`keystroke echo latency   p50 ${ms(percentile(r.echoMs, 50))}, p95 ${ms(percentile(r.echoMs, 95))}, max ${ms(Math.max(...r.echoMs))}`);
  console.log(`checks finished          ${r.checksDone}; latency p50 ${ms(percentile(r.checkMs, 50))}, p95 ${ms(percentile(r.checkMs, 95))}`);
  console.log(`server memory (RSS)      ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after every socket closed`);
  console.log(`left under the server    ${left.length ? left.map((p) => `${p.pid} ${p.cmd}`).join('; ') : 'nothing'}`);
  console.log(`problems                 ${r.problems.length ? `\n  ${r.problems.slice(0, 20).join('\n  ')}` : 'none'}`);
  if (r.problems.length || left.length) exitCode = 1;
} catch (err) {
  console.error(`bench failed: ${(err as Error).stack}`);
  exitCode = 1;
} finally {
  await server.stop();
  spawnSync(process.execPath, ['dist/cnilab.mjs', '--cluster', cluster, 'cluster', 'down'], { stdio: 'ignore' });
  spawnSync('rm', ['-rf', `/tmp/${cluster}-progress.json`, `/tmp/${cluster}-workspace`]);
}
process.exitCode = exitCode;

/** Waits (bounded) until nothing but `resident` (of what `only` matches) runs under the server; returns the rest. */
async function settle(p: number, resident: number[], only = /./) {
  const others = () => descendants(p).filter((d) => !resident.includes(d.pid) && only.test(d.cmd));
  let left = others();
  for (let i = 0; i < 300 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = others();
  }
  return left;
}
