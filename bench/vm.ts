// A lab check over ssh on the Vagrant VMs against the same check on a netns cluster, measured in
// the same run: goal ≤ 3× netns per lab. Also reports how long `cnilab cluster up --backend vagrant`
// took (SIMPLECNI_VM_UP_SECONDS, measured by vm/test-vm.sh). Run by `npm run bench:vm`, which
// brings the VMs up, runs this inside their network namespace, and removes them.
//
// Two things make a check slower on a VM: the ssh round trip per command (the transport, which
// the kit controls) and the VM running each command (under QEMU's software emulation here, Node.js
// starts ~20× slower than on the host). The bench separates them: it counts the commands each
// check runs and measures one round trip of `true` on each backend.
import type { ClusterBackend } from '../src/cluster/backend.ts';
import { makeBackend } from '../src/cluster/backends.ts';
import { applyDataplane } from '../src/cluster/dataplane.ts';
import type { NodeDriver } from '../src/cluster/driver.ts';
import { ShellFileAccess } from '../src/cluster/fileAccess.ts';
import { loadTopology } from '../src/cluster/topology.ts';
import { checkContext, solveLab, type LabEnv } from '../src/labs/actions.ts';
import { loadCatalog, type Lab } from '../src/labs/catalog.ts';
import { runLabChecks } from '../src/validators/registry.ts';

const GOAL_RATIO = 3;
const RUNS = 3;
const topology = loadTopology();
// Lab 09 needs a container image on node1; 07 needs IPIP, which this machine's own kernel may lack.
const labs = loadCatalog().filter((l) => l.id !== '09');

/** The backend's driver, counting the commands run through it. */
function counting(driver: NodeDriver): NodeDriver & { commands: number } {
  const d = Object.create(driver) as NodeDriver & { commands: number };
  d.commands = 0;
  d.exec = (...a) => (d.commands++, driver.exec(...a));
  d.execPod = (...a) => (d.commands++, driver.execPod(...a));
  // File reads go through the node's shell too: counted with the rest.
  (d as { files: NodeDriver['files'] }).files = new ShellFileAccess((...a) => d.exec(...a));
  return d;
}
const drivers = new Map<ClusterBackend, NodeDriver & { commands: number }>();
const envOf = (backend: ClusterBackend): LabEnv => {
  if (!drivers.has(backend)) drivers.set(backend, counting(backend.driver));
  return { topology, backend, driver: drivers.get(backend)! };
};

/** One command's round trip: the median of 20 `true` on node1. */
async function roundTrip(driver: NodeDriver): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    await driver.exec('node1', ['true']);
    if (i > 0) xs.push(performance.now() - t0);
  }
  return median(xs);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The median time of a lab's checks (after the reference solution), or NaN where the lab can't be solved here. */
async function timeChecks(env: LabEnv, lab: Lab): Promise<{ ms: number; result: string; commands: number }> {
  try {
    await solveLab(env, lab);
  } catch (err) {
    return { ms: NaN, result: `not solvable here: ${(err as Error).message.split(':')[0]}`, commands: 0 };
  }
  const driver = env.driver as NodeDriver & { commands: number };
  const before = driver.commands;
  const times: number[] = [];
  let result = '';
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = await runLabChecks(lab, checkContext(env));
    times.push(performance.now() - t0);
    result = `${r.checks.filter((c) => c.passed).length}/${r.checks.length} pass`;
  }
  return { ms: median(times), result, commands: Math.round((driver.commands - before) / RUNS) };
}

const vagrant = makeBackend('vagrant', topology, 'lab');
if (!vagrant.readState()?.complete) {
  console.error('bench/vm.ts: the vagrant cluster is not up (run it through `npm run bench:vm`, which brings the VMs up first)');
  process.exit(1);
}
const netns = makeBackend('netns', topology, `bvm${Math.random().toString(36).slice(2, 6)}`);
type Timing = Awaited<ReturnType<typeof timeChecks>>;
const rows: { lab: Lab; netns: Timing; vm: Timing }[] = [];
let rtt = { netns: NaN, vm: NaN };
try {
  await netns.up({ mode: 'host-gw' });
  await applyDataplane(netns.driver, { mode: 'host-gw' });
  rtt = { netns: await roundTrip(netns.driver), vm: await roundTrip(vagrant.driver) };
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
console.log(`\nOne command's round trip (\`true\` on node1, median of 20): netns ${rtt.netns.toFixed(1)} ms, vagrant over ssh ${rtt.vm.toFixed(1)} ms`);
console.log(`\nLab checks after the reference solution, median of ${RUNS}: netns vs vagrant (over ssh); goal ≤ ${GOAL_RATIO}× netns.`);
console.log('"transport" is commands × the extra round trip over ssh (an upper bound: checks run commands concurrently);');
console.log('the rest of the VM time is the emulated VM running the commands themselves.\n');
console.log(`${'lab'.padEnd(4)} ${'title'.padEnd(34)} ${'netns'.padStart(8)} ${'vagrant'.padStart(9)} ${'ratio'.padStart(6)} ${'cmds'.padStart(5)} ${'transport'.padStart(10)}  result (vagrant)`);
let over = 0;
const extra = rtt.vm - rtt.netns;
for (const { lab, netns: n, vm } of rows) {
  const ratio = vm.ms / n.ms;
  const verdict = Number.isNaN(ratio) || ratio <= GOAL_RATIO ? '' : '  (over the goal)';
  if (ratio > GOAL_RATIO) over++;
  const ratioText = Number.isNaN(ratio) ? '—' : `${ratio.toFixed(1)}×`;
  console.log(`${lab.id.padEnd(4)} ${lab.title.slice(0, 34).padEnd(34)} ${fmt(n.ms).padStart(8)} ${fmt(vm.ms).padStart(9)} ${ratioText.padStart(6)} ${String(vm.commands).padStart(5)} ${fmt(vm.commands * extra).padStart(10)}  ${vm.result}${verdict}`);
}
const both = rows.filter((r) => !Number.isNaN(r.netns.ms) && !Number.isNaN(r.vm.ms));
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const netnsTotal = sum(both.map((r) => r.netns.ms));
const vmTotal = sum(both.map((r) => r.vm.ms));
const transport = sum(both.map((r) => r.vm.commands)) * extra;
console.log(`all labs: ${fmt(netnsTotal)} on netns, ${fmt(vmTotal)} over ssh: ${(vmTotal / netnsTotal).toFixed(1)}× — ${vmTotal / netnsTotal <= GOAL_RATIO ? 'within' : 'over'} the ${GOAL_RATIO}× goal (${over} lab(s) over it)`);
console.log(`of which the ssh transport is at most ${fmt(transport)}: netns time + transport = ${((netnsTotal + transport) / netnsTotal).toFixed(1)}× netns, what the checks would take over ssh on VMs as fast as this machine`);
