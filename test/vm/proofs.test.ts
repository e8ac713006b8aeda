// The proofs on real VMs (the VM tier's opt-in phase `proofs`: SIMPLECNI_VM_PHASES=proofs): every
// breakage of the shared table (test/helpers/breakages.ts) applied on the cluster that
// `cnilab cluster up --backend vagrant` made, with the same judge as on netns and on the simulated
// kernel (runBreakages): its check fails and ran, its `found` names the change, every other check
// of the lab passes or is listed as failing too, and the lab passes again once mended.
//
// One cluster, from the solution bot's end state (labs 00–10 solved in order). The plugin-contract
// labs come first (their breakages are broken plugins: the most telling evidence, and the slowest
// checks on an emulated CPU); lab 07's, which the default suite already runs here, after the
// others; lab 09 runs its containers on each VM's containerd; lab 11 comes last,
// as its pods and policy would be what earlier labs' checks meet. A lab these VMs cannot run is
// printed as such, never skipped in silence. Each lab's time and a check × kills table are printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterBackend } from '../../src/cluster/backend.ts';
import { makeBackend } from '../../src/cluster/backends.ts';
import type { SshBackend } from '../../src/cluster/ssh/sshBackend.ts';
import { syncPolicies } from '../../src/cluster/policySync.ts';
import { loadTopology } from '../../src/cluster/topology.ts';
import { checkContext, type LabEnv } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { stopContainers } from '../../src/labs/solve.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { kernelHasIpip } from '../../src/validators/labs/lab07.ts';
import { breakagesFor, killsOf, logOutcome, problemsOf, runBreakages, solveAll, type BreakageOutcome } from '../helpers/breakages.ts';

const topology = loadTopology();
// The tier's VMs; or any cluster of machines reached over ssh, named by SIMPLECNI_PROOFS_SSH_CLUSTER.
const sshCluster = process.env.SIMPLECNI_PROOFS_SSH_CLUSTER;
const backend = (sshCluster ? makeBackend('ssh', topology, sshCluster) : makeBackend('vagrant', topology, 'lab')) as ClusterBackend & SshBackend;
const env: LabEnv = { topology, backend, driver: backend.driver };
const where = sshCluster ? `ssh cluster ${sshCluster}` : 'the VMs';
const catalog = loadCatalog();
const table = breakagesFor(backend.driver.backend);

/**
 * The plugin-contract labs first, then the course in order; 07 after the others (the default suite
 * already runs its breakages on these VMs), then 09 (containers) and 11 (policy) last.
 */
const PROOF_ORDER = ['02', '03', '05', '00', '01', '04', '06', '08', '10', '07', '09', '11'];

const rows: string[] = [];
const outcomesAll: BreakageOutcome[] = [];
const notRun: Record<string, string> = {};
/** The labs whose breakages this run applied (a run filtered with -t takes only some). */
const ran = new Set<string>();
const seconds = (t0: number) => (performance.now() - t0) / 1000;

afterAll(async () => {
  // Back to a plain cluster for whatever runs next on these VMs: no containers of the kit, no policy.
  await stopContainers(env).catch(() => undefined);
  await syncPolicies(env.driver, []).catch(() => undefined);
  const w = Math.max(...catalog.flatMap((l) => l.checks.map((c) => c.id.length))) + 5;
  const kills = catalog.flatMap((l) =>
    l.checks.map((c) => `  ${`${l.id}/${c.id}`.padEnd(w)} ${notRun[l.id] ? `NOT RUN (${notRun[l.id]})` : ran.has(l.id) ? killsOf(outcomesAll, l.id, c.id) : '— (not in this run)'}`),
  );
  console.log(
    `\n*** proofs on ${where}: lab · breakages · result · time ***\n${rows.join('\n')}\n` +
      `\n*** check id → killed by N breakages on ${where} ***\n${kills.join('\n')}\n` +
      (Object.keys(notRun).length ? `\n*** NOT RUN on ${where}: ${Object.entries(notRun).map(([id, why]) => `lab ${id} (${why})`).join('; ')} ***\n` : ''),
  );
});

describe('proofs on the VMs: every breakage of the shared table kills its check', () => {
  let ipip = false;
  beforeAll(async () => {
    ipip = await kernelHasIpip(checkContext(env));
    if (!ipip) notRun['07'] = 'the nodes\' kernel lacks IP-in-IP';
    // Lab 09's breakages need a container running on node1's own containerd.
    const ctr = await env.driver.exec('node1', ['ctr', 'version'], { timeoutMs: 60_000 });
    if (ctr.code !== 0) notRun['09'] = `no containerd answering on node1 (${(ctr.stderr || ctr.stdout).trim().split('\n').at(-1) ?? `exit ${ctr.code}`})`;
    const t0 = performance.now();
    // The solution bot's end state (vxlan, a pod "web" on every node, lab 01 built by hand), as on netns.
    await solveAll(env, ipip ? ['11'] : ['07', '11']);
    rows.push(`  solve labs 00–10 in order (09 aside)`.padEnd(48) + `${seconds(t0).toFixed(0).padStart(6)} s`);
  }, 1_800_000);

  it('the table has a breakage for every check of every lab on the VMs', () => {
    const have = new Set(table.map((b) => `${b.lab}/${b.check}`));
    expect(catalog.flatMap((l) => l.checks.map((c) => `${l.id}/${c.id}`)).filter((k) => !have.has(k))).toEqual([]);
    expect([...PROOF_ORDER].sort()).toEqual(catalog.map((l) => l.id).sort());
  });

  for (const id of PROOF_ORDER) {
    const lab = findLab(catalog, id);
    const mine = table.filter((b) => b.lab === id);
    it(`lab ${id} (${lab.title}): each of its ${mine.length} breakages kills its check, and only what it lists`, async () => {
      expect(mine.length).toBeGreaterThan(0);
      if (notRun[id]) {
        // Loud, and still asserted: the lab's checks do not pass where the lab cannot run (07: each says why).
        const r = await runLabChecks(lab, checkContext(env));
        expect(r.passed).toBe(false);
        if (id === '07') expect(r.checks.every((x) => !x.passed && /lacks IP-in-IP/.test(x.hint))).toBe(true);
        console.warn(`\n*** lab ${id}: NOT RUN on ${where}: ${notRun[id]}; its ${mine.length} breakages were not applied ***\n`);
        rows.push(`  lab ${id} · ${mine.length} breakages · NOT RUN (${notRun[id]})`);
        return;
      }
      const t0 = performance.now();
      let last = t0;
      const outcomes = await runBreakages(env, mine, (o) => {
        logOutcome(backend.driver.backend)(o);
        console.log(`    (${seconds(last).toFixed(1)} s)`);
        last = performance.now();
      }).finally(async () => {
        // Lab 09's containers end here (their leases freed): lab 11's checks count every pod and lease.
        if (id === '09') await stopContainers(env);
      });
      outcomesAll.push(...outcomes);
      ran.add(id);
      const problems = problemsOf(outcomes);
      rows.push(`  lab ${id} · ${String(outcomes.length).padStart(2)} breakages · ${problems.length ? `FAIL (${problems.length} problems)` : 'pass'}`.padEnd(48) + `${seconds(t0).toFixed(0).padStart(6)} s`);
      console.log(`breakages of lab ${id} on ${where}: ${outcomes.length} applied in ${seconds(t0).toFixed(0)} s`);
      expect(problems).toEqual([]);
      // Every check of the lab fell to at least one of them.
      expect(lab.checks.filter((c) => killsOf(outcomes, id, c.id) === 0).map((c) => c.id)).toEqual([]);
    });
  }
});
