// NetworkPolicy, simulated kernel against the real one: a netns cluster and a sim cluster get the
// same labelled pods and the same policies (rendered by the same node agent into nftables), then
// the same probes — TCP connections through listeners in the pods (the validators' own probes),
// pings — and must give the same verdicts; node1's `nft -a list table` (handles included) and
// node2's `nft list ruleset` must read the same. Counters are compared as zero or not: the real
// client retransmits a dropped SYN (a second one within its 1.5 s), the model sends one.
// Not compared here: UDP (the kit's probes are TCP), IP-in-IP (this machine's kernel lacks it).
// Every comparison is counted and the counts printed at the end (the README quotes them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDataplane } from '../../src/cluster/dataplane.ts';
import type { NodeDriver } from '../../src/cluster/driver.ts';
import { Differential } from '../helpers/differential.ts';
import { syncPolicies } from '../../src/cluster/policySync.ts';
import { traceBetween } from '../../src/cluster/trace.ts';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { tcpProbe, withListener } from '../../src/validators/tcpProbe.ts';
import { LAB11_POLICY } from '../../src/validators/labs/lab11.ts';
import { startSimCluster, startTestCluster, type Cluster, type TestCluster } from '../helpers/cluster.ts';
import { normPing } from '../helpers/normalize.ts';

/** node, pod, labels: lab 11's pods, and one on node3 (reached over the overlay only). */
const PODS: [string, string, Record<string, string>][] = [
  ['node1', 'db', { role: 'db' }],
  ['node2', 'front', { role: 'frontend' }],
  ['node1', 'web', {}],
  ['node2', 'web', {}],
  ['node3', 'web', {}],
];

/** A second policy: db also takes any TCP port from node1's pods (an ipBlock with excepts), and UDP 53. */
const FROM_CIDR = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db-from-node1' },
  spec: {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.0/24', '10.244.3.0/24'] } }], ports: [{ protocol: 'TCP' }, { protocol: 'UDP', port: 53 }] }],
  },
};


/** Counters as zero or not; everything else of the listing as printed. */
const normNft = (r: { code: number; stdout: string; stderr: string }) =>
  `exit ${r.code}: ${(r.code === 0 ? r.stdout : r.stderr.split('\n')[0]!).replace(/packets (\d+) bytes (\d+)/g, (_, p: string) => (p === '0' ? 'packets 0 bytes 0' : 'packets N bytes N'))}`;

describe('NetworkPolicy: simulated kernel vs real kernel', () => {
  let real: TestCluster;
  let sim: Cluster<SimBackend>;
  const ip: Record<string, string> = {};

  const diff = new Differential(() => [real.driver, sim.driver]);
  const { compared } = diff;
  const compare = diff.compare.bind(diff);
  const onBoth = diff.onBoth.bind(diff);

  /** [from, to, port]: pods as node/pod. */
  type Probe = [string, string, number];
  async function probes(scenario: string, list: Probe[]) {
    for (const [from, to, port] of list) {
      const [fn, fp] = from.split('/') as [string, string];
      const [tn, tp] = to.split('/') as [string, string];
      await compare(scenario, `tcp ${from} -> ${to}:${port}`, (d) => withListener(d, tn, tp, [port], () => tcpProbe(d, fn, fp, ip[to]!, port)));
    }
  }
  const ping = (from: string, to: string) => (d: NodeDriver) => {
    const [n, p] = from.split('/') as [string, string];
    return d.execPod(n, p, ['ping', '-c1', '-W1', ip[to]!]).then(normPing);
  };
  const MATRIX: Probe[] = [
    ['node2/front', 'node1/db', 6379],
    ['node2/front', 'node1/db', 80],
    ['node2/web', 'node1/db', 6379],
    ['node1/web', 'node1/db', 6379],
    ['node1/web', 'node1/db', 80],
    ['node1/db', 'node2/front', 80],
    ['node2/web', 'node1/web', 80],
    ['node2/front', 'node1/web', 80],
  ];
  const OVERLAY: Probe[] = [
    ['node3/web', 'node1/db', 6379],
    ['node3/web', 'node1/web', 80],
    ['node1/db', 'node3/web', 80],
  ];
  async function listings(scenario: string) {
    await compare(scenario, 'node1 nft -a list table', (d) => d.exec('node1', ['nft', '-a', 'list', 'table', 'inet', 'simplecni-policy']).then(normNft));
    await compare(scenario, 'node2 nft list ruleset', (d) => d.exec('node2', ['nft', 'list', 'ruleset']).then(normNft));
  }
  const verdicts = (scenario: string) =>
    Object.fromEntries(compared.filter((c) => c.scenario === scenario && /^(tcp|ping)/.test(c.what)).map((c) => [c.what, c.real === 'ok' || String(c.real).startsWith('exit 0:') ? 'ok' : String(c.real).startsWith('exit') ? 'fails' : c.real]));
  const expectAgreement = (scenario: string) => {
    const mine = compared.filter((c) => c.scenario === scenario);
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) expect({ what: c.what, sim: c.sim }).toEqual({ what: c.what, sim: c.real });
  };

  beforeAll(async () => {
    [real, sim] = [await startTestCluster('host-gw'), await startSimCluster('host-gw')];
    for (const [node, pod, labels] of PODS) {
      const [a, b] = [await real.pods.add(node, pod, labels), await sim.pods.add(node, pod, labels)];
      expect(b.address).toBe(a.address);
      ip[`${node}/${pod}`] = a.address!.split('/')[0]!;
    }
  }, 300_000);
  afterAll(async () => {
    await real?.down();
    await sim?.down();
    console.log(`*** differential corpus (NetworkPolicy): ${diff.summary()} ***`);
  });

  it('no policy: every pod open, no table', async () => {
    await probes('open', MATRIX);
    await listings('open');
    expectAgreement('open');
    expect(Object.values(verdicts('open')).every((v) => v === 'ok')).toBe(true);
  }, 120_000);

  it('db-from-frontend: front gets in on 6379 only, the web pods (one on db\'s own bridge) do not, db\'s own connection gets its reply', async () => {
    await onBoth((d) => syncPolicies(d, [LAB11_POLICY]));
    await probes('db-from-frontend', MATRIX);
    await compare('db-from-frontend', 'ping node2/web -> node1/db', ping('node2/web', 'node1/db'));
    await compare('db-from-frontend', 'ping node1/db -> node2/front', ping('node1/db', 'node2/front'));
    await listings('db-from-frontend');
    // cnilab trace: the sim walks itself; the real cluster is a snapshot of its nodes read into the
    // model, nftables rulesets included. The same hops and the same verdict, either way.
    for (const [a, b] of [['node2/web', 'node1/db'], ['node1/web', 'node1/db'], ['node1/db', 'node2/front']] as const) {
      await compare('db-from-frontend', `trace ${a} -> ${b}`, async (d) => {
        const t = await traceBetween((d === real.driver ? real : sim).env, a, b);
        const hops = t.hops.map((h) => `${h.direction[0]}:${h.where.replace(/\/.*/, '/pod')}:${h.step}`).join(' ');
        return `${t.ok} ${hops} | ${t.summary.replace(/veth[0-9a-f]{8}/g, 'vethX').replace(/packets \d+ bytes \d+/g, 'packets N bytes N')}`;
      });
    }
    expectAgreement('db-from-frontend');
    const traced = (what: string) => String(compared.find((c) => c.scenario === 'db-from-frontend' && c.what === what)?.real);
    expect(traced('trace node2/web -> node1/db')).toMatch(/^false .*dropped in node1: nftables forward hook, ct state new: dropped by table inet simplecni-policy chain ingress/);
    expect(traced('trace node1/web -> node1/db')).toMatch(/^false .*nftables forward hook \(bridged vethX → vethX, br_netfilter\)/);
    expect(traced('trace node1/db -> node2/front')).toMatch(/^true /);
    expect(verdicts('db-from-frontend')).toEqual({
      'tcp node2/front -> node1/db:6379': 'ok',
      'tcp node2/front -> node1/db:80': 'timeout',
      'tcp node2/web -> node1/db:6379': 'timeout',
      'tcp node1/web -> node1/db:6379': 'timeout',
      'tcp node1/web -> node1/db:80': 'timeout',
      'tcp node1/db -> node2/front:80': 'ok',
      'tcp node2/web -> node1/web:80': 'ok',
      'tcp node2/front -> node1/web:80': 'ok',
      'ping node2/web -> node1/db': 'fails',
      'ping node1/db -> node2/front': 'ok',
    });
  }, 180_000);

  it('two policies add up: an ipBlock with excepts (an anonymous interval set) and any TCP port', async () => {
    await onBoth((d) => syncPolicies(d, [LAB11_POLICY, FROM_CIDR]));
    await probes('two policies', MATRIX);
    await listings('two policies');
    expectAgreement('two policies');
    const v = verdicts('two policies');
    expect([v['tcp node1/web -> node1/db:6379'], v['tcp node1/web -> node1/db:80'], v['tcp node2/web -> node1/db:6379'], v['tcp node2/front -> node1/db:80']]).toEqual(['ok', 'ok', 'timeout', 'timeout']);
  }, 180_000);

  it('vxlan: the same verdicts over the overlay, node3 included', async () => {
    await onBoth((d) => applyDataplane(d, { mode: 'vxlan' }));
    await probes('vxlan', [...MATRIX, ...OVERLAY]);
    await listings('vxlan');
    expectAgreement('vxlan');
    const v = verdicts('vxlan');
    expect([v['tcp node3/web -> node1/db:6379'], v['tcp node3/web -> node1/web:80'], v['tcp node1/db -> node3/web:80']]).toEqual(['timeout', 'ok', 'ok']);
  }, 240_000);

  it('policies deleted: the table goes, db is open again', async () => {
    await onBoth((d) => syncPolicies(d, []));
    await probes('deleted', MATRIX.slice(0, 4));
    await listings('deleted');
    expectAgreement('deleted');
    expect(Object.values(verdicts('deleted')).every((x) => x === 'ok')).toBe(true);
    expect(compared.find((c) => c.scenario === 'deleted' && c.what === 'node1 nft -a list table')?.real).toMatch(/^exit 1: Error: No such file or directory/);
  }, 120_000);
});
