// `cnilab solve 09` on namespaces: the containerds it starts end with the solve that fails, with
// `reset`, and with `cluster down` — found by PID, state removed, leases freed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkContext, LabActionError, resetLabNodes, solveLab } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { referenceBundles } from '../../src/cluster/nodeFiles.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { ensureContainerdPackages } from '../helpers/containerd.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { leftoversOf } from '../helpers/leakAudit.ts';
import { processesNaming } from '../helpers/processes.ts';

const lab09 = findLab(loadCatalog(), '09');

describe('solve 09 on the netns backend', () => {
  let c: TestCluster;
  let name: string;
  beforeAll(async () => {
    await ensureContainerdPackages();
    c = await startTestCluster();
    name = c.backend.cluster;
  }, 300_000);
  afterAll(async () => {
    await c?.backend.down().catch(() => {});
  });

  /** Processes whose command line names this cluster's containerd dir: the daemons and their shims. */
  const processes = () => processesNaming(`${c.layout.stateDir}/containerd/`);
  const leases = (node: string) => fs.readdirSync(path.join(c.driver.paths(node).dataDir, 'simplecni')).filter((f) => /^\d/.test(f));
  const containerdDir = () => path.join(c.layout.stateDir, 'containerd');

  it('a solve that fails half-way ends every containerd it started and frees the leases its containers held', async () => {
    // node2 without a network config: ctr run --cni fails there, after node1's container runs.
    const conflist = path.join(c.layout.etcCniDir('node2'), 'net.d', '10-simplecni.conflist');
    const saved = fs.readFileSync(conflist);
    fs.rmSync(conflist);
    try {
      const err = await solveLab(c.env, lab09).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LabActionError);
      expect((err as Error).message).toMatch(/ctr run --cni on node2 failed/);
    } finally {
      fs.writeFileSync(conflist, saved);
    }
    expect(processes()).toEqual([]);
    expect(fs.existsSync(containerdDir())).toBe(false);
    expect(leases('node1')).toEqual([(await c.pods.list('node1')).find((p) => p.name === 'web')!.address!.split('/')[0]]);
  }, 300_000);

  it('solve passes check 09; reset ends the daemons, their state and their leases', async () => {
    await solveLab(c.env, lab09);
    const r = await runLabChecks(lab09, checkContext(c.env));
    expect(r.checks.filter((x) => !x.passed).map((x) => `${x.id}: ${x.found}`)).toEqual([]);
    expect(processes().length).toBeGreaterThanOrEqual(6); // a containerd and a shim on each of the 3 nodes
    await resetLabNodes(c.env, lab09, referenceBundles());
    expect(processes()).toEqual([]);
    expect(fs.existsSync(containerdDir())).toBe(false);
    for (const n of ['node1', 'node2', 'node3']) expect(leases(n)).toEqual([]);
  }, 300_000);

  it('cluster down after a solve ends every containerd and leaves nothing of the cluster', async () => {
    await solveLab(c.env, lab09);
    expect(processes().length).toBeGreaterThan(0);
    await c.backend.down();
    expect(processes()).toEqual([]);
    expect(leftoversOf([name])).toEqual([]);
  }, 300_000);
});
