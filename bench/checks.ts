// How long each lab's checks take, in the state the reference solution leaves: on the netns
// backend (goal ≤ 1 s per lab) and on the simulated kernel (goal ≤ 0.5 s per lab), plus a
// 3-node pod ping mesh on each. Run as root: npx tsx bench/checks.ts [netns|sim] [--lab 03,05]
// (--lab measures only those labs; the labs before them are still solved, in order.)
import type { ClusterBackend } from '../src/cluster/backend.ts';
import { makeBackend } from '../src/cluster/backends.ts';
import { applyDataplane } from '../src/cluster/dataplane.ts';
import type { Backend } from '../src/cluster/driver.ts';
import { loadTopology, workers } from '../src/cluster/topology.ts';
import { checkContext, LabActionError, solveLab, type LabEnv } from '../src/labs/actions.ts';
import { loadCatalog } from '../src/labs/catalog.ts';
import { readPolicies, syncPolicies } from '../src/cluster/policySync.ts';
import { Pods } from '../src/runtime/pods.ts';
import { runLabChecks } from '../src/validators/registry.ts';
import { median } from './lib/stats.ts';

type Local = Extract<Backend, 'netns' | 'sim'>;
const GOAL_MS: Record<Local, number> = { netns: 1000, sim: 500 };
const asked = process.argv.slice(2).filter((a) => a === 'netns' || a === 'sim') as Local[];
const backends: Local[] = asked.length ? asked : ['netns', 'sim'];
const labFlag = process.argv.indexOf('--lab');
const onlyLabs = labFlag >= 0 ? new Set((process.argv[labFlag + 1] ?? '').split(',').filter(Boolean)) : undefined;
const measured = (id: string) => !onlyLabs || onlyLabs.has(id);

async function benchBackend(kind: Local): Promise<number> {
  const name = `bchk${Math.random().toString(36).slice(2, 6)}`;
  const topology = loadTopology();
  const backend: ClusterBackend = makeBackend(kind, topology, name);
  const env: LabEnv = { topology, backend, driver: backend.driver };
  const goal = GOAL_MS[kind];
  try {
    await backend.up({ mode: 'host-gw' });
    await applyDataplane(env.driver, { mode: 'host-gw' });
    // As `cnilab serve` does: what runs the nodes' programs is ready before the first Check.
    await env.driver.prepare?.();
    const rows: [string, string, number, string][] = [];
    const labs = loadCatalog();
    const last = labs.filter((l) => measured(l.id)).at(-1)?.id;
    for (const lab of labs) {
      if (last === undefined || lab.id > last) break;
      try {
        await solveLab(env, lab);
      } catch (err) {
        // A lab this backend cannot run (lab 09 without containerd, lab 11 where br_netfilter is
        // not loaded) is reported, and the labs after it are still measured.
        const why = err instanceof LabActionError ? err.message.split(':')[0] : (err as Error).message.split('\n')[0]!.slice(0, 100);
        if (measured(lab.id)) rows.push([lab.id, lab.title, NaN, `not solvable here: ${why}`]);
        continue;
      }
      if (!measured(lab.id)) continue;
      const t0 = performance.now();
      const r = await runLabChecks(lab, checkContext(env));
      const ms = performance.now() - t0;
      rows.push([lab.id, lab.title, ms, `${r.checks.filter((c) => c.passed).length}/${r.checks.length} pass`]);
    }
    // The reference in the same run: one Node.js process started on node1 (the plugin, its IPAM and
    // lab 11's TCP listeners are each one), median of 7. A lab that runs the plugin N times on two CPUs
    // cannot take much less than N × this ÷ 2, however little it waits.
    const nodeStart = kind === 'netns' ? await medianMs(7, () => env.driver.exec('node1', ['node', '-e', '0'])) : undefined;
    console.log(`\nLab checks on the ${kind} backend (cluster ${name}), after the reference solution; goal ≤ ${goal} ms per lab\n`);
    console.log(`${'lab'.padEnd(4)} ${'title'.padEnd(48)} ${'time'.padStart(9)}${nodeStart ? '  ÷ start' : ''}  result`);
    for (const [id, title, ms, res] of rows) {
      const t = Number.isNaN(ms) ? '—' : `${ms.toFixed(0)} ms`;
      const ratio = nodeStart ? `  ${(Number.isNaN(ms) ? '—' : (ms / nodeStart).toFixed(1)).padStart(7)}` : '';
      console.log(`${id.padEnd(4)} ${title.padEnd(48)} ${t.padStart(9)}${ratio}  ${res}${ms > goal ? '  (over the goal)' : ''}`);
    }
    if (nodeStart) console.log(`÷ start: the lab's time in Node.js starts on node1 (one takes ${nodeStart.toFixed(0)} ms here, median of 7; each plugin run and TCP listener is one; a probe client is bash)`);
    const timed = rows.filter((r) => !Number.isNaN(r[2]));
    const worst = timed.reduce((a, b) => (b[2] > a[2] ? b : a));
    const over = timed.filter((r) => r[2] > goal).map((r) => r[0]);
    console.log(`slowest: lab ${worst[0]} at ${worst[2].toFixed(0)} ms — ${worst[2] <= goal ? 'within' : 'over'} the ${goal} ms goal`);
    console.log(over.length ? `over the goal: lab ${over.join(', ')}` : `every lab within the ${goal} ms goal`);
    // The mesh: every pod pings every other pod once (vxlan: all pairs reachable). Lab 11's policy
    // would drop the pings to the pod it isolates: the mesh runs with no policy in force.
    if ((await readPolicies(env.driver)).length > 0) await syncPolicies(env.driver, []);
    const pods = await new Pods(env.driver).list();
    const t0 = performance.now();
    let ok = 0;
    let total = 0;
    for (const a of pods) {
      for (const b of pods) {
        if (a === b || !b.address) continue;
        total++;
        const r = await env.driver.execPod(a.node, a.name, ['ping', '-c1', '-W1', '-q', b.address.split('/')[0]!]);
        if (r.code === 0) ok++;
      }
    }
    console.log(`ping mesh (${workers(topology).length} nodes, ${pods.length} pods): ${ok}/${total} replies in ${(performance.now() - t0).toFixed(0)} ms`);
    return 0;
  } catch (err) {
    console.error(`bench (${kind}) failed: ${(err as Error).stack}`);
    return 1;
  } finally {
    await backend.down();
  }
}

/** The median time of `n` runs of `fn`, one after another. */
async function medianMs(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

let exitCode = 0;
for (const b of backends) exitCode |= await benchBackend(b);
process.exitCode = exitCode;
