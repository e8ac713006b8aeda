// Pods across nodes on the real kernel: host-gw, then VXLAN, then back; the wire shows how.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { execCommand, mustExec } from '../../src/shared/exec.ts';
import { cnilab, startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { capture } from '../helpers/capture.ts';
import { uniqueName } from '../helpers/names.ts';

const NODES = ['node1', 'node2', 'node3'] as const;

/** Can this kernel make an IP-in-IP device? Tried in a throwaway namespace. */
async function kernelHasIpip(): Promise<boolean> {
  const ns = uniqueName();
  await mustExec(['ip', 'netns', 'add', ns]);
  try {
    return (await execCommand(['ip', '-n', ns, 'link', 'add', 'name', 'tunl0', 'type', 'ipip'])).code === 0 ||
      (await execCommand(['ip', '-n', ns, 'link', 'show', 'tunl0'])).code === 0;
  } finally {
    await execCommand(['ip', 'netns', 'del', ns]);
  }
}

describe('cross-node data plane', () => {
  let c: TestCluster;
  const addr: Record<string, string> = {};
  const podIp = (node: string, pod: string) => addr[`${node}/${pod}`]!;
  const inPod = (node: string, pod: string) => c.driver.podExecArgv(node, pod, []);
  const ping = (node: string, pod: string, target: string, extra: string[] = []) =>
    execCommand([...inPod(node, pod), 'ping', '-c1', '-W1', ...extra, target]);
  const cli = (...args: string[]) => cnilab(['--cluster', c.name, ...args]);
  const addPods = async (pod: string) => {
    for (const n of NODES) addr[`${n}/${pod}`] = (await c.pods.add(n, pod)).address!.split('/')[0]!;
  };
  const mesh = async (pod: string) => {
    const ok: string[] = [];
    for (const from of NODES) for (const to of NODES) {
      if (from !== to && (await ping(from, pod, podIp(to, pod))).code === 0) ok.push(`${from}->${to}`);
    }
    return ok;
  };

  beforeAll(async () => {
    c = await startTestCluster('host-gw');
    await addPods('a');
  });
  afterAll(async () => c?.down());

  it('host-gw: node1 <-> node2 reach each other; anything <-> node3 fails, as designed', async () => {
    expect(await mesh('a')).toEqual(['node1->node2', 'node2->node1']);
    const routes = JSON.parse((await c.driver.exec('node1', ['ip', '-j', 'route', 'show', 'root', '10.244.0.0/16'])).stdout);
    expect(routes).toContainEqual(expect.objectContaining({ dst: '10.244.2.0/24', gateway: '192.168.56.12', dev: 'eth1' }));
    expect(routes.some((r: { dst: string }) => r.dst === '10.244.3.0/24')).toBe(false);
  });

  it('host-gw: pod addresses travel bare on the underlay, and the receiver sees the sender\'s pod address', async () => {
    const wire = await capture(['ip', 'netns', 'exec', c.layout.nodeNs('node1')], 'eth1', 'icmp', () => ping('node1', 'a', podIp('node2', 'a')), 2);
    expect(wire).toContain(`${podIp('node1', 'a')} > ${podIp('node2', 'a')}: ICMP echo request`);
    const seen = await capture(inPod('node2', 'a'), 'eth0', 'icmp', () => ping('node1', 'a', podIp('node2', 'a')), 2);
    expect(seen).toContain(`${podIp('node1', 'a')} > ${podIp('node2', 'a')}: ICMP echo request`); // no NAT between pods
  });

  it('host-gw: the pod MTU is the uplink MTU: 1472 bytes of ping payload pass with DF, 1473 do not', async () => {
    expect((await ping('node1', 'a', podIp('node2', 'a'), ['-M', 'do', '-s', '1472'])).code).toBe(0);
    const big = await ping('node1', 'a', podIp('node2', 'a'), ['-M', 'do', '-s', '1473']);
    expect(big.code).not.toBe(0);
    expect(big.stdout + big.stderr).toMatch(/message too long, mtu=1500/);
  });

  it('ipMasq: pods reach beyond the cluster with the node\'s address, and pod-to-pod traffic is still not NATed', async () => {
    // node3's underlay address is outside the pod CIDR; without masquerading its reply would go to
    // 10.244.1.x, which only node1 knows how to reach: the router drops it.
    expect((await ping('node1', 'a', '192.168.57.13')).code).not.toBe(0);
    const conflist = `/etc/netns/${c.layout.nodeNs('node1')}/cni/net.d/10-simplecni.conflist`;
    const saved = fs.readFileSync(conflist, 'utf8');
    const conf = JSON.parse(saved);
    conf.plugins[0].ipMasq = true;
    fs.writeFileSync(conflist, JSON.stringify(conf));
    try {
      addr['node1/m'] = (await c.pods.add('node1', 'm')).address!.split('/')[0]!;
      const rules = (await c.driver.exec('node1', ['nft', 'list', 'table', 'ip', 'simplecni'])).stdout;
      expect(rules).toMatch(/ip saddr 10\.244\.1\.0\/24 ip daddr != 10\.244\.0\.0\/16 masquerade/);
      const seen = await capture(['ip', 'netns', 'exec', c.layout.nodeNs('node3')], 'eth1', 'icmp', () => ping('node1', 'm', '192.168.57.13'), 2);
      expect(seen).toContain('192.168.56.11 > 192.168.57.13: ICMP echo request');
      const podToPod = await capture(inPod('node2', 'a'), 'eth0', 'icmp', () => ping('node1', 'm', podIp('node2', 'a')), 2);
      expect(podToPod).toContain(`${podIp('node1', 'm')} > ${podIp('node2', 'a')}: ICMP echo request`);
      // A second ADD re-applies the same table: still one rule.
      await c.pods.add('node1', 'm2');
      const again = (await c.driver.exec('node1', ['nft', 'list', 'table', 'ip', 'simplecni'])).stdout;
      expect(again.match(/masquerade/g)).toHaveLength(1);
      await c.pods.del('node1', 'm2');
      await c.pods.del('node1', 'm');
    } finally {
      fs.writeFileSync(conflist, saved);
      await c.driver.exec('node1', ['nft', 'delete', 'table', 'ip', 'simplecni']);
    }
  });

  it('vxlan: every pod reaches every pod, node3 included, through UDP 8472 on the underlay', async () => {
    const sw = await cli('cluster', 'mode', 'vxlan', '--json');
    expect(sw.code, sw.stderr).toBe(0);
    expect(JSON.parse(sw.stdout).dataplane.map((n: { podMtu: number }) => n.podMtu)).toEqual([1450, 1450, 1450]);
    await addPods('b');
    const [mtu] = JSON.parse((await execCommand([...inPod('node1', 'b'), 'ip', '-j', 'link', 'show', 'eth0'])).stdout);
    expect(mtu.mtu).toBe(1450);
    expect(await mesh('b')).toHaveLength(6);

    const wire = await capture(['ip', 'netns', 'exec', c.layout.nodeNs('node1')], 'eth1', 'udp port 8472', () => ping('node1', 'b', podIp('node3', 'b')), 2);
    expect(wire).toMatch(/192\.168\.56\.11\.\d+ > 192\.168\.57\.13\.8472: /);
    expect(wire).toContain(`${podIp('node1', 'b')} > ${podIp('node3', 'b')}: ICMP echo request`);
    const seen = await capture(inPod('node3', 'b'), 'eth0', 'icmp', () => ping('node1', 'b', podIp('node3', 'b')), 2);
    expect(seen).toContain(`${podIp('node1', 'b')} > ${podIp('node3', 'b')}: ICMP echo request`);
  });

  it('vxlan: 1422 bytes pass with DF at pod MTU 1450, 1423 do not; a pod left at MTU 1500 gets "Frag needed"', async () => {
    expect((await ping('node1', 'b', podIp('node3', 'b'), ['-M', 'do', '-s', '1422'])).code).toBe(0);
    const big = await ping('node1', 'b', podIp('node3', 'b'), ['-M', 'do', '-s', '1423']);
    expect(big.code).not.toBe(0);
    expect(big.stdout + big.stderr).toMatch(/message too long, mtu=1450/);
    // Pod "a" was made under host-gw with MTU 1500: the node answers its too-big packet with ICMP "fragmentation needed".
    const old = await ping('node1', 'a', podIp('node3', 'b'), ['-M', 'do', '-s', '1472']);
    expect(old.code).not.toBe(0);
    expect(old.stdout + old.stderr).toMatch(/Frag needed and DF set \(mtu = 1450\)/);
  });

  it('applying again changes nothing; a peer that leaves the cluster file loses its entries', async () => {
    const again = await c.driver.exec('node1', ['/etc/cni/bin/simplecni-node', 'apply', '--json']);
    expect(JSON.parse(again.stdout).commands).toEqual([]);
    const file = `/etc/netns/${c.layout.nodeNs('node1')}/cni/simplecni-cluster.json`;
    const saved = fs.readFileSync(file, 'utf8');
    const smaller = JSON.parse(saved);
    smaller.nodes = smaller.nodes.filter((n: { name: string }) => n.name !== 'node2');
    fs.writeFileSync(file, JSON.stringify(smaller));
    try {
      const r = JSON.parse((await c.driver.exec('node1', ['/etc/cni/bin/simplecni-node', 'apply', '--json'])).stdout);
      expect(r.commands).toContain('ip route del 10.244.2.0/24');
      expect((await c.driver.exec('node1', ['ip', 'route', 'show', '10.244.2.0/24'])).stdout.trim()).toBe('');
      expect((await c.driver.exec('node1', ['bridge', 'fdb', 'show', 'dev', 'flannel.1'])).stdout).not.toContain('192.168.56.12');
    } finally {
      fs.writeFileSync(file, saved);
      await c.driver.exec('node1', ['/etc/cni/bin/simplecni-node', 'apply']);
    }
    expect((await ping('node1', 'b', podIp('node2', 'b'))).code).toBe(0);
  });

  it('--dry-run prints the exact commands and changes nothing', async () => {
    const before = (await c.driver.exec('node2', ['ip', 'route'])).stdout;
    const dry = await cli('cluster', 'mode', 'host-gw', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const node2 = JSON.parse(dry.stdout).dataplane.find((n: { node: string }) => n.node === 'node2');
    expect(node2.commands).toEqual(['ip link del flannel.1', 'ip route replace 10.244.1.0/24 via 192.168.56.11 dev eth1']);
    expect((await c.driver.exec('node2', ['ip', 'route'])).stdout).toBe(before);
  });

  it('switching back to host-gw leaves no VXLAN device, neighbour, fdb entry or route behind', async () => {
    const sw = await cli('cluster', 'mode', 'host-gw');
    expect(sw.code, sw.stderr).toBe(0);
    expect(sw.stderr).toMatch(/node3 \(192\.168\.57\.13\) is not on this node's segment/);
    for (const n of NODES) {
      const links = (await c.driver.exec(n, ['ip', '-br', 'link'])).stdout;
      expect(links, n).not.toContain('flannel.1');
      const routes = JSON.parse((await c.driver.exec(n, ['ip', '-j', 'route', 'show', 'root', '10.244.0.0/16'])).stdout) as { dst: string; dev: string }[];
      expect(routes.length, `${n} has its routes`).toBeGreaterThan(0);
      expect(routes.filter((r) => r.dev !== 'simplecni0' && r.dev !== 'eth1'), n).toEqual([]);
    }
    expect(await mesh('b')).toEqual(['node1->node2', 'node2->node1']);
  });

  it('ipip: runs where the kernel has IP-in-IP, and says so plainly where it does not', async () => {
    if (await kernelHasIpip()) {
      const sw = await cli('cluster', 'mode', 'ipip');
      expect(sw.code, sw.stderr).toBe(0);
      await addPods('c');
      expect(await mesh('c')).toHaveLength(6);
      const wire = await capture(['ip', 'netns', 'exec', c.layout.nodeNs('node1')], 'eth1', 'ip proto 4', () => ping('node1', 'c', podIp('node3', 'c')), 2);
      expect(wire).toMatch(/192\.168\.56\.11 > 192\.168\.57\.13: .*IP.* > .*ICMP echo request|proto IPIP/);
      // MTU: the pods get 1480 (1500 − the outer IPv4 header). A 1480-byte packet with DF set
      // (1452 bytes of payload + 28 of ICMP and IP headers) crosses; 1481 is refused.
      const mtu = JSON.parse((await c.driver.execPod('node1', 'c', ['ip', '-j', 'link', 'show', 'dev', 'eth0'])).stdout)[0].mtu;
      expect(mtu).toBe(1480);
      expect((await ping('node1', 'c', podIp('node3', 'c'), ['-M', 'do', '-s', '1452'])).code, 'DF 1480 bytes crosses').toBe(0);
      expect((await ping('node1', 'c', podIp('node3', 'c'), ['-M', 'do', '-s', '1453'])).code, 'DF 1481 bytes is refused').not.toBe(0);
      expect((await cli('cluster', 'mode', 'host-gw')).code).toBe(0);
      return;
    }
    // This kernel (built without CONFIG_NET_IPIP) cannot carry IP-in-IP. The mesh, capture and MTU
    // tests for ipip (the branch above) run on the Vagrant VMs; the command plans are unit-tested in test/unit/dataplane.test.ts.
    console.warn('\n*** ipip: kernel lacks IP-in-IP, 3 tests not run here (mesh, capture, MTU); run them on a kernel with ipip ***\n');
    const sw = await cli('cluster', 'mode', 'ipip');
    expect(sw.code).not.toBe(0);
    expect(sw.stderr).toMatch(/this kernel lacks IP-in-IP \(CONFIG_NET_IPIP\)/);
    expect(sw.stderr).toMatch(/the cluster stays in mode host-gw/);
    const st = JSON.parse((await cli('cluster', 'status', '--json')).stdout);
    expect(st.mode).toBe('host-gw');
    expect(await mesh('b')).toEqual(['node1->node2', 'node2->node1']);
  });
});
