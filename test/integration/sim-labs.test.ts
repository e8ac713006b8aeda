// The whole course on the simulated kernel: the reference solution passes every lab's checks —
// the same validators as on the real kernel, unchanged — and the checks still fail on the
// mistakes they exist to catch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { checkContext, solveLab } from '../../src/labs/actions.ts';
import { loadCatalog } from '../../src/labs/catalog.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
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

  it('checks fail on the mistakes they catch: the router stops forwarding, ip_forward off on node1', async () => {
    const [lab00, lab04] = [labs.find((l) => l.id === '00')!, labs.find((l) => l.id === '04')!];
    await c.driver.exec('router', ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
    try {
      const r = await runLabChecks(lab00, checkContext(c.env));
      expect(r.checks.find((x) => x.id === 'underlay')?.passed).toBe(false);
    } finally {
      await c.driver.exec('router', ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    }
    await solveLab(c.env, lab04);
    await c.driver.exec('node1', ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
    const r = await runLabChecks(lab04, checkContext(c.env));
    expect(r.checks.find((x) => x.id === 'pod-forward')).toMatchObject({ passed: false, found: 'net.ipv4.ip_forward = 0' });
  });
});
