// The whole course on the simulated kernel: the reference solution passes every lab's checks —
// the same validators as on the real kernel, unchanged — every check still fails on the mistake
// it exists to catch (the same breakage table as test/integration/labs.test.ts, lab 07 included:
// the sim has IP-in-IP), and every lab's starter fails until its own TODOs are solved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClusterBackend } from '../../src/cluster/backend.ts';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { checkContext, solveLab } from '../../src/labs/actions.ts';
import { loadCatalog } from '../../src/labs/catalog.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { breakagesFor, logOutcome, problemsOf, runBreakages, solveAll } from '../helpers/breakages.ts';
import { startSimCluster, type Cluster } from '../helpers/cluster.ts';
import { expectStarterFailsThenSolved, LABS_WITH_CODE } from '../helpers/starters.ts';

// 09 is containerd's: a real runtime on a real kernel. 11 runs on a cluster of its own below, as on
// the real kernel (lab11.test.ts): its pods and policy would be what the earlier labs' checks meet.
const labs = loadCatalog().filter((l) => l.id !== '09' && l.id !== '11');

describe('labs on the simulated kernel', () => {
  let c: Cluster<SimBackend>;
  let work: string;
  beforeAll(async () => {
    c = await startSimCluster('host-gw');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-simwork-'));
  });
  afterAll(async () => {
    await c?.down();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  for (const lab of labs) {
    it(`lab ${lab.id} (${lab.title}): the reference solution passes every check`, async () => {
      await solveLab(c.env, lab);
      const r = await runLabChecks(lab, checkContext(c.env));
      expect(r.checks.filter((x) => !x.passed).map((x) => `${x.id}: expected ${x.expected}, found ${x.found}`)).toEqual([]);
      expect(r.checks.length).toBe(lab.checks.length);
    });
  }

  it('lab 09: solve says containerd is not on the simulated kernel, and starts nothing', async () => {
    const lab09 = loadCatalog().find((l) => l.id === '09')!;
    expect((c.backend as ClusterBackend).containers).toBeUndefined();
    await expect(solveLab(c.env, lab09)).rejects.toThrow(/lab 09 has no automatic solve on the sim backend: .*containerd.*real kernel.*netns backend/);
  });

  // From the solution bot's end state (lab 10: vxlan, a pod on every node; lab 01's namespaces).
  it('every check fails on the broken state it exists to catch — that check, ran, named in found; the others of its lab pass', async () => {
    await solveAll(c.env, ['11']);
    const outcomes = await runBreakages(c.env, breakagesFor('sim').filter((b) => b.needs !== 'containerd' && b.lab !== '11'), logOutcome('sim'));
    expect(problemsOf(outcomes)).toEqual([]);
    console.log(`breakages on sim: ${outcomes.length} applied, each killed its check`);
  }, 3_600_000); // every breakage runs its lab's checks twice (broken, mended): long on a busy machine

  it.each(LABS_WITH_CODE.filter((id) => labs.some((l) => l.id === id)))("lab %s: its starter fails its checks; with the lab's own TODOs solved it passes them", (id) =>
    expectStarterFailsThenSolved(c.env, id, work),
  600_000,
  );
});

// The simulated kernel models what lab 11 needs: the nftables its agent renders (sets, chains on the
// forward hook, ct state, counters), br_netfilter for pods on one bridge, and the TCP probes' handshake.
describe('lab 11 on the simulated kernel', () => {
  const lab11 = loadCatalog().find((l) => l.id === '11')!;
  let c: Cluster<SimBackend>;
  let work: string;
  beforeAll(async () => {
    c = await startSimCluster('host-gw');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-simwork11-'));
  });
  afterAll(async () => {
    await c?.down();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('solve 11, then every check of lab 11 passes', async () => {
    await solveLab(c.env, lab11);
    const r = await runLabChecks(lab11, checkContext(c.env));
    expect(r.checks.filter((x) => !x.passed).map((x) => `${x.id}: expected ${x.expected}, found ${x.found}`)).toEqual([]);
    expect(r.checks.length).toBe(lab11.checks.length);
  }, 300_000);

  it('every check of lab 11 fails on its breakage, named in found; the others pass', async () => {
    const outcomes = await runBreakages(c.env, breakagesFor('sim').filter((b) => b.lab === '11'), logOutcome('sim'));
    expect(outcomes).toHaveLength(5);
    expect(problemsOf(outcomes)).toEqual([]);
  }, 600_000);

  it('the starter fails the checks; solved, it passes them', async () => {
    await expectStarterFailsThenSolved(c.env, '11', work);
  }, 600_000);
});
