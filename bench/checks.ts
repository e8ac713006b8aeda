// How long each lab's checks take on the netns backend, in the state the reference solution leaves
// (goal: one lab's checks in ≤ 2 s). Run as root: npx tsx bench/checks.ts
import { applyDataplane } from '../src/cluster/dataplane.ts';
import { clusterDown, clusterUp } from '../src/cluster/netns/builder.ts';
import { NetnsLayout } from '../src/cluster/netns/layout.ts';
import { NetnsDriver } from '../src/cluster/netns/netnsDriver.ts';
import { loadTopology } from '../src/cluster/topology.ts';
import { checkContext, LabActionError, solveLab } from '../src/labs/actions.ts';
import { loadCatalog } from '../src/labs/catalog.ts';
import { runLabChecks } from '../src/validators/registry.ts';

const GOAL_MS = 2000;
const name = `bchk${Math.random().toString(36).slice(2, 6)}`;
const layout = new NetnsLayout(name);
const topology = loadTopology();
const env = { topology, layout, driver: new NetnsDriver(topology, layout) };

let exitCode = 0;
try {
  await clusterUp(topology, layout, { mode: 'host-gw' });
  await applyDataplane(env.driver, { mode: 'host-gw' });
  const rows: [string, string, number, string][] = [];
  for (const lab of loadCatalog()) {
    try {
      await solveLab(env, lab);
    } catch (err) {
      if (!(err instanceof LabActionError)) throw err;
      rows.push([lab.id, lab.title, NaN, `not solvable here: ${err.message.split(':')[0]}`]);
      continue;
    }
    const t0 = performance.now();
    const r = await runLabChecks(lab, checkContext(env));
    const ms = performance.now() - t0;
    rows.push([lab.id, lab.title, ms, `${r.checks.filter((c) => c.passed).length}/${r.checks.length} pass`]);
  }
  console.log(`Lab checks on the netns backend (cluster ${name}), after the reference solution; goal ≤ ${GOAL_MS} ms per lab\n`);
  console.log(`${'lab'.padEnd(4)} ${'title'.padEnd(40)} ${'time'.padStart(9)}  result`);
  for (const [id, title, ms, res] of rows) {
    const t = Number.isNaN(ms) ? '—' : `${ms.toFixed(0)} ms`;
    console.log(`${id.padEnd(4)} ${title.padEnd(40)} ${t.padStart(9)}  ${res}${ms > GOAL_MS ? '  (over the goal)' : ''}`);
  }
  const measured = rows.filter((r) => !Number.isNaN(r[2]));
  const worst = measured.reduce((a, b) => (b[2] > a[2] ? b : a));
  console.log(`\nslowest: lab ${worst[0]} at ${worst[2].toFixed(0)} ms — ${worst[2] <= GOAL_MS ? 'within' : 'over'} the ${GOAL_MS} ms goal`);
} catch (err) {
  console.error(`bench failed: ${(err as Error).message}`);
  exitCode = 1;
} finally {
  await clusterDown(layout);
}
process.exitCode = exitCode;
