// A lab check over ssh on the Vagrant VMs against the same check on a netns cluster, measured in
// the same run: goal ≤ 3× netns per lab. Also reports how long `cnilab cluster up --backend vagrant`
// took (SIMPLECNI_VM_UP_SECONDS, measured by vm/test-vm.sh). Run by `npm run bench:vm`, which
// brings the VMs up, runs this inside their network namespace, and removes them.
import type { ClusterBackend } from '../src/cluster/backend.ts';
import { makeBackend } from '../src/cluster/backends.ts';
import { applyDataplane } from '../src/cluster/dataplane.ts';
import { loadTopology } from '../src/cluster/topology.ts';
import { checkContext, solveLab, type LabEnv } from '../src/labs/actions.ts';
import { loadCatalog, type Lab } from '../src/labs/catalog.ts';
import { runLabChecks } from '../src/validators/registry.ts';

const GOAL_RATIO = 3;
const RUNS = 3;
const topology = loadTopology();
// Lab 09 needs a container image on node1; 07 needs IPIP, which this machine's own kernel may lack.
const labs = loadCatalog().filter((l) => l.id !== '09');

const envOf = (backend: ClusterBackend): LabEnv => ({ topology, backend, driver: backend.driver });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The median time of a lab's checks (after the reference solution), or NaN where the lab can't be solved here. */
async function timeChecks(env: LabEnv, lab: Lab): Promise<{ ms: number; result: string }> {
  try {
    await solveLab(env, lab);
  } catch (err) {
    return { ms: NaN, result: `not solvable here: ${(err as Error).message.split(':')[0]}` };
  }
  const times: number[] = [];
  let result = '';
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await runLabChecks(lab, checkContext(env));
    times.push(performance.now() - t0);
    result = `${r.checks.filter((c) => c.passed).length}/${r.checks.length} pass`;
  }
  return { ms: median(times), result };
}

const vagrant = makeBackend('vagrant', topology, 'lab');
if (!vagrant.readState()?.complete) {
  console.error('bench/vm.ts: the vagrant cluster is not up (run it through `npm run bench:vm`, which brings the VMs up first)');
  process.exit(1);
}
const netns = makeBackend('netns', topology, `bvm${Math.random().toString(36).slice(2, 6)}`);
const rows: { lab: Lab; netns: { ms: number; result: string }; vm: { ms: number; result: string } }[] = [];
try {
  await netns.up({ mode: 'host-gw' });
  await applyDataplane(netns.driver, { mode: 'host-gw' });
  for (const lab of labs) {
    rows.push({ lab, netns: await timeChecks(envOf(netns), lab), vm: await timeChecks(envOf(vagrant), lab) });
  }
} finally {
  await netns.down();
}

const fmt = (ms: number) => (Number.isNaN(ms) ? '—' : `${ms.toFixed(0)} ms`);
if (process.env.SIMPLECNI_VM_UP_SECONDS) {
  console.log(`\ncnilab cluster up --backend vagrant (4 VMs from the offline box): ${process.env.SIMPLECNI_VM_UP_SECONDS} s`);
}
console.log(`\nLab checks after the reference solution, median of ${RUNS}: netns vs vagrant (over ssh); goal ≤ ${GOAL_RATIO}× netns\n`);
console.log(`${'lab'.padEnd(4)} ${'title'.padEnd(40)} ${'netns'.padStart(9)} ${'vagrant'.padStart(9)} ${'ratio'.padStart(6)}  result (vagrant)`);
let over = 0;
for (const { lab, netns: n, vm } of rows) {
  const ratio = vm.ms / n.ms;
  const verdict = Number.isNaN(ratio) ? '' : ratio <= GOAL_RATIO ? '' : '  (over the goal)';
  if (ratio > GOAL_RATIO) over++;
  console.log(`${lab.id.padEnd(4)} ${lab.title.slice(0, 40).padEnd(40)} ${fmt(n.ms).padStart(9)} ${fmt(vm.ms).padStart(9)} ${Number.isNaN(ratio) ? '—'.padStart(6) : `${ratio.toFixed(1)}×`.padStart(6)}  ${vm.result}${verdict}`);
}
const both = rows.filter((r) => !Number.isNaN(r.netns.ms) && !Number.isNaN(r.vm.ms));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const total = sum(both.map((r) => r.vm.ms)) / sum(both.map((r) => r.netns.ms));
console.log(`all labs: ${fmt(sum(both.map((r) => r.netns.ms)))} on netns, ${fmt(sum(both.map((r) => r.vm.ms)))} over ssh: ${total.toFixed(1)}× — ${total <= GOAL_RATIO ? 'within' : 'over'} the ${GOAL_RATIO}× goal (${over} lab(s) over it)`);
