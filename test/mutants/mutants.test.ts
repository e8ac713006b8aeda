// The mutation run (`npm run test:mutants`, not part of `npm test`): every breakage of the table —
// state breakages and broken-plugin variants — applied on a real-kernel cluster and on a simulated
// one, from the solution bot's end state. Prints check id × backend → killed by N breakages, and
// fails if any check that can run on a backend is killed by none there. Lab 07 runs where the
// kernel has IP-in-IP (the sim always; netns only on such a kernel); lab 09 needs a running
// containerd container, which test/integration/containerd.test.ts provides for its breakages.
import { afterAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/cluster/driver.ts';
import { checkContext, type LabEnv } from '../../src/labs/actions.ts';
import { loadCatalog } from '../../src/labs/catalog.ts';
import { kernelHasIpip } from '../../src/validators/labs/lab07.ts';
import { breakagesFor, killsOf, logOutcome, runBreakages, solveAll, type BreakageOutcome } from '../helpers/breakages.ts';
import { startSimCluster, startTestCluster, type Cluster } from '../helpers/cluster.ts';
import type { ClusterBackend } from '../../src/cluster/backend.ts';

const checks = loadCatalog().flatMap((l) => l.checks.map((c) => ({ lab: l.id, id: c.id })));
/** Per backend: check id → breakages that killed it, or why it cannot run there. */
const kills: Record<string, Record<string, number | string>> = {};
const clusters: Cluster<ClusterBackend>[] = [];

async function mutate(backend: Backend, env: LabEnv) {
  const ipip = await kernelHasIpip(checkContext(env));
  const na: Record<string, string> = { '09': 'n/a ctrd' }; // needs a containerd container: containerd.test.ts runs these
  if (!ipip) na['07'] = 'n/a ipip'; // the kernel lacks IP-in-IP
  // Lab 11 last, and solved only when its breakages come (runBreakages solves a failing lab first):
  // its policy isolates db, which other labs' breakages and checks would meet.
  const table = breakagesFor(backend)
    .filter((b) => !(b.lab in na))
    .sort((a, b) => Number(a.lab === '11') - Number(b.lab === '11'));
  await solveAll(env, [...Object.keys(na), '11']);
  const outcomes: BreakageOutcome[] = await runBreakages(env, table, logOutcome(backend));
  const row: Record<string, number | string> = {};
  for (const c of checks) {
    row[c.id] = na[c.lab] ?? killsOf(outcomes, c.lab, c.id);
  }
  kills[backend] = row;
  console.log(`[${backend}] ${outcomes.length} breakages applied (${outcomes.filter((o) => o.breakage.what.startsWith('broken plugin')).length} broken plugins)`);
}

describe('mutation run: every check killed by a breakage, on every backend', () => {
  afterAll(async () => {
    for (const c of clusters) await c.down();
    const backends = Object.keys(kills);
    const w = Math.max(...checks.map((c) => c.id.length)) + 5;
    const lines = [`${'check'.padEnd(w)}${backends.map((b) => b.padEnd(12)).join('')}`];
    for (const c of checks) lines.push(`${`${c.lab}/${c.id}`.padEnd(w)}${backends.map((b) => String(kills[b]![c.id]).padEnd(12)).join('')}`);
    console.log(`\n*** mutation run: check id × backend → killed by N breakages ***\n${lines.join('\n')}\n`);
  });

  it('netns: every check that can run here is killed', async () => {
    const c = await startTestCluster('host-gw');
    clusters.push(c);
    await mutate('netns', c.env);
    expect(Object.entries(kills.netns!).filter(([, n]) => n === 0).map(([id]) => id)).toEqual([]);
  }, 7_200_000);

  it('sim: every check that can run here is killed', async () => {
    const c = await startSimCluster('host-gw');
    clusters.push(c);
    await mutate('sim', c.env);
    expect(Object.entries(kills.sim!).filter(([, n]) => n === 0).map(([id]) => id)).toEqual([]);
  }, 7_200_000);
});
