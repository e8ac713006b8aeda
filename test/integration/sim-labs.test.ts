// The whole course on the simulated kernel: the reference solution passes every lab's checks —
// the same validators as on the real kernel, unchanged — and every check still fails on the
// mistake it exists to catch (the same breakages as test/integration/labs.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { checkContext, solveLab } from '../../src/labs/actions.ts';
import { loadCatalog } from '../../src/labs/catalog.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { breakagesFor, expectBreakagesCaught } from '../helpers/breakages.ts';
import { startSimCluster, type Cluster } from '../helpers/cluster.ts';

const labs = loadCatalog().filter((l) => l.id !== '09'); // 09 is containerd's: a real runtime on a real kernel

describe('labs on the simulated kernel', () => {
  let c: Cluster<SimBackend>;
  beforeAll(async () => {
    c = await startSimCluster('host-gw');
  });
  afterAll(async () => c?.down());

  for (const lab of labs) {
    it(`lab ${lab.id} (${lab.title}): the reference solution passes every check`, async () => {
      await solveLab(c.env, lab);
      const r = await runLabChecks(lab, checkContext(c.env));
      expect(r.checks.filter((x) => !x.passed).map((x) => `${x.id}: expected ${x.expected}, found ${x.found}`)).toEqual([]);
      expect(r.checks.length).toBe(lab.checks.length);
    });
  }

  // From the solution bot's end state (lab 10: vxlan, a pod on every node; lab 01's namespaces).
  it('every check fails on the broken state it exists to catch: the same breakages as on the real kernel', async () => {
    await expectBreakagesCaught(c.env, breakagesFor('sim'));
  });
});
