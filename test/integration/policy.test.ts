// NetworkPolicy on the real kernel, in every mode: the probe matrix across nodes and on one bridge,
// replies through conntrack, a pod selected by nothing stays open, the ruleset applied twice is the
// same table, and a deleted policy leaves no rule. One cluster per mode, shared by its tests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execCommand, mustExec } from '../../src/shared/exec.ts';
import { startListener, tcpProbe, type Listener } from '../../src/validators/tcpProbe.ts';
import { cnilab, startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { uniqueName } from '../helpers/names.ts';

const POLICY = 'labs/11-network-policy/db-from-frontend.yaml';

async function kernelHasIpip(): Promise<boolean> {
  const ns = uniqueName();
  await mustExec(['ip', 'netns', 'add', ns]);
  try {
    return (await execCommand(['ip', '-n', ns, 'link', 'add', 'name', 'tunl0', 'type', 'ipip'])).code === 0;
  } finally {
    await execCommand(['ip', 'netns', 'del', ns]);
  }
}

type Mode = 'host-gw' | 'ipip' | 'vxlan';

function matrix(mode: Mode) {
  let c: TestCluster;
  const ip: Record<string, string> = {};
  const listeners: Listener[] = [];
  const cli = (...args: string[]) => cnilab(['--cluster', c.name, ...args]);
  const probe = (from: string, to: string, port: number) => {
    const [node, pod] = from.split('/') as [string, string];
    return tcpProbe(c.driver, node, pod, ip[to]!, port);
  };
  const table = async (node: string) => (await c.driver.exec(node, ['nft', 'list', 'table', 'inet', 'simplecni-policy'])).stdout;
  // host-gw cannot cross the router: node3 takes part only in the overlays.
  const far = mode === 'host-gw' ? undefined : 'node3/front3';

  beforeAll(async () => {
    c = await startTestCluster(mode);
    try {
      const pods: [string, string, Record<string, string>][] = [
        ['node1', 'db', { role: 'db' }],
        ['node1', 'other', {}],
        ['node2', 'front', { role: 'frontend' }],
        ['node2', 'stranger', {}],
        ...(far ? [['node3', 'front3', { role: 'frontend' }] as [string, string, Record<string, string>]] : []),
      ];
      for (const [node, pod, labels] of pods) ip[`${node}/${pod}`] = (await c.pods.add(node, pod, labels)).address!.split('/')[0]!;
      const applied = await cli('policy', 'apply', POLICY);
      expect(applied.code, applied.stderr).toBe(0);
      for (const [node, pod] of [['node1', 'db'], ['node1', 'other'], ['node2', 'front']] as const) {
        listeners.push(await startListener(c.driver, node, pod, [6379, 80]));
      }
    } catch (err) {
      for (const l of listeners) await l.stop();
      await c.down();
      throw err;
    }
  }, 120_000);
  afterAll(async () => {
    for (const l of listeners) await l.stop();
    await c?.down();
  });

  it('an allowed pod on another node connects, and its answer comes back', async () => {
    expect(await probe('node2/front', 'node1/db', 6379)).toBe('ok');
    if (far) expect(await probe(far, 'node1/db', 6379)).toBe('ok');
  });

  it('denied: another port, a pod without the label on another node, and one on the same bridge', async () => {
    expect(await probe('node2/front', 'node1/db', 80)).toBe('timeout');
    expect(await probe('node2/stranger', 'node1/db', 6379)).toBe('timeout');
    expect(await probe('node1/other', 'node1/db', 6379)).toBe('timeout');
    expect(await table('node1')).toMatch(/counter packets [1-9]\d* bytes \d+ drop comment "selected by a policy, allowed by none"/);
  });

  it('replies to connections the isolated pod opens pass; a pod selected by no policy stays open', async () => {
    expect(await probe('node1/db', 'node2/front', 80)).toBe('ok');
    expect(await probe('node1/db', 'node1/other', 80)).toBe('ok');
    expect(await probe('node2/stranger', 'node1/other', 80)).toBe('ok');
    expect(await probe('node2/stranger', 'node2/front', 6379)).toBe('ok');
  });

  it('only the node with a selected pod has the table; a new labelled pod is let in at once', async () => {
    expect(await table('node1')).toContain('set peers_db-from-frontend_0_0');
    expect(await table('node2')).toBe('');
    const add = await cli('pod', 'add', 'node2', 'front2', '--label', 'role=frontend');
    expect(add.code, add.stderr).toBe(0);
    ip['node2/front2'] = JSON.parse((await cli('pod', 'list', 'node2', '--json')).stdout).find((p: { name: string }) => p.name === 'front2').address.split('/')[0];
    expect(await table('node1')).toContain(ip['node2/front2']);
    expect(await probe('node2/front2', 'node1/db', 6379)).toBe('ok');
  });

  it('the ruleset applied twice is the same table', async () => {
    expect((await cli('policy', 'apply', POLICY)).code).toBe(0);
    const once = await table('node1');
    expect((await cli('policy', 'apply', POLICY)).code).toBe(0);
    expect(await table('node1')).toBe(once);
    expect(once.match(/^\s*table inet simplecni-policy/gm)).toHaveLength(1);
  });

  it('a deleted policy leaves no rule, and the pod is open again', async () => {
    const r = await cli('policy', 'delete', 'db-from-frontend');
    expect(r.code, r.stderr).toBe(0);
    for (const n of ['node1', 'node2', 'node3']) expect((await c.driver.exec(n, ['nft', 'list', 'ruleset'])).stdout).not.toContain('simplecni-policy');
    expect(await probe('node2/stranger', 'node1/db', 6379)).toBe('ok');
    expect(await probe('node1/other', 'node1/db', 80)).toBe('ok');
  });
}

describe('NetworkPolicy on the real kernel: host-gw', () => matrix('host-gw'));
describe('NetworkPolicy on the real kernel: vxlan', () => matrix('vxlan'));
// IP-in-IP needs CONFIG_NET_IPIP: where the kernel lacks it, the mode is refused plainly instead.
const HAS_IPIP = await kernelHasIpip();
if (HAS_IPIP) describe('NetworkPolicy on the real kernel: ipip', () => matrix('ipip'));
else {
  describe('NetworkPolicy on the real kernel: ipip', () => {
    it('this kernel has no IP-in-IP: the mode is refused with the reason, so no policy runs over it', async () => {
      const c = await startTestCluster('host-gw');
      try {
        const r = await cnilab(['--cluster', c.name, 'cluster', 'mode', 'ipip']);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/IP-in-IP/);
      } finally {
        await c.down();
      }
    });
  });
}
