// The node command's plans, pure: what each mode programs on an empty node, and nothing on a node
// that already has it. IP-in-IP is tested here on any kernel.
import { describe, expect, it } from 'vitest';
import { parseClusterFile, type ClusterFile } from '../../src/node/clusterFile.ts';
import { calcCommands, calcDesired, commandLine, vtepMac, type Current, type Desired, type Self } from '../../src/node/dataplane.ts';
import { renderClusterFile } from '../../src/cluster/nodeConfig.ts';
import { loadTopology } from '../../src/cluster/topology.ts';

const cluster = parseClusterFile(renderClusterFile(loadTopology(), 'host-gw'), 'cluster.json');
const node1: Self = { node: cluster.nodes[0]!, uplink: 'eth1', uplinkPrefix: '192.168.56.0/24' };
const node3: Self = { node: cluster.nodes[2]!, uplink: 'eth1', uplinkPrefix: '192.168.57.0/24' };
const empty: Current = { links: [], routes: [], neighs: [], fdb: [] };
const plan = (self: Self, mode: ClusterFile['mode'], cur = empty) => calcCommands(cluster, self, calcDesired(cluster, self, mode), cur).map(commandLine);

/** The state a node would show after the desired plan ran (what `ip -j` would report). */
function stateOf(self: Self, d: Desired): Current {
  const links: Current['links'] = [];
  if (d.vxlan) {
    const [addr, len] = d.vxlan.address.split('/');
    links.push({ ifname: 'flannel.1', mtu: d.vxlan.mtu, address: d.vxlan.mac, flags: ['UP'], linkinfo: { info_kind: 'vxlan', info_data: { id: 1, port: 8472, local: d.vxlan.local, learning: false } }, addr_info: [{ family: 'inet', local: addr!, prefixlen: Number(len) }] });
  }
  if (d.ipip) {
    const [addr, len] = d.ipip.address.split('/');
    links.push({ ifname: 'tunl0', mtu: d.ipip.mtu, flags: ['UP'], linkinfo: { info_kind: 'ipip' }, addr_info: [{ family: 'inet', local: addr!, prefixlen: Number(len) }] });
  }
  return {
    links,
    routes: [
      { dst: self.node.podSubnet, dev: 'simplecni0', protocol: 'kernel' },
      ...d.routes.map((r) => ({ dst: r.dst, gateway: r.via, dev: r.dev, flags: r.onlink ? ['onlink'] : [] })),
    ],
    neighs: d.neighs.map((n) => ({ dst: n.ip, lladdr: n.mac, state: ['PERMANENT'] })),
    fdb: d.fdb.map((f) => ({ mac: f.mac, dst: f.dst, flags: ['self', 'permanent'] })),
  };
}

describe('simplecni-node plans', () => {
  it('derives VTEP MACs from the underlay address', () => {
    expect(vtepMac('192.168.56.12')).toBe('0e:53:c0:a8:38:0c');
    expect(vtepMac('10.0.0.1')).toBe('0e:53:0a:00:00:01');
  });

  it('host-gw: a route per peer on the segment; the peer behind the router is explained, not routed', () => {
    expect(plan(node1, 'host-gw')).toEqual(['ip route replace 10.244.2.0/24 via 192.168.56.12 dev eth1']);
    const d = calcDesired(cluster, node1, 'host-gw');
    expect(d.unreachable.map((u) => u.peer.name)).toEqual(['node3']);
    expect(d.unreachable[0]!.why).toMatch(/not on this node's segment 192\.168\.56\.0\/24.*use ipip, ipip-crosssubnet or vxlan/);
    expect(plan(node3, 'host-gw')).toEqual([]);
  });

  it('ipip: tunl0 with the pod MTU, and an onlink route via tunl0 to every peer', () => {
    expect(plan(node1, 'ipip')).toEqual([
      'ip link add name tunl0 type ipip',
      'ip link set tunl0 mtu 1480',
      'ip addr replace 10.244.1.0/32 dev tunl0',
      'ip link set tunl0 up',
      'ip route replace 10.244.2.0/24 via 192.168.56.12 dev tunl0 onlink',
      'ip route replace 10.244.3.0/24 via 192.168.57.13 dev tunl0 onlink',
    ]);
    expect(calcDesired(cluster, node1, 'ipip').podMtu).toBe(1480);
  });

  it('ipip-crosssubnet: plain routes on the segment, IP-in-IP only across the router', () => {
    expect(plan(node1, 'ipip-crosssubnet').filter((l) => l.startsWith('ip route'))).toEqual([
      'ip route replace 10.244.2.0/24 via 192.168.56.12 dev eth1',
      'ip route replace 10.244.3.0/24 via 192.168.57.13 dev tunl0 onlink',
    ]);
    expect(plan(node3, 'ipip-crosssubnet').filter((l) => l.startsWith('ip route'))).toEqual([
      'ip route replace 10.244.1.0/24 via 192.168.56.11 dev tunl0 onlink',
      'ip route replace 10.244.2.0/24 via 192.168.56.12 dev tunl0 onlink',
    ]);
  });

  it('vxlan: flannel.1, then per peer neighbour, fdb, and route last', () => {
    expect(plan(node3, 'vxlan')).toEqual([
      'ip link add flannel.1 address 0e:53:c0:a8:39:0d mtu 1450 type vxlan id 1 local 192.168.57.13 dev eth1 dstport 8472 nolearning',
      'ip addr add 10.244.3.0/32 dev flannel.1',
      'ip link set flannel.1 up',
      'ip neigh replace 10.244.1.0 lladdr 0e:53:c0:a8:38:0b dev flannel.1 nud permanent',
      'ip neigh replace 10.244.2.0 lladdr 0e:53:c0:a8:38:0c dev flannel.1 nud permanent',
      'bridge fdb replace 0e:53:c0:a8:38:0b dev flannel.1 dst 192.168.56.11 self permanent',
      'bridge fdb replace 0e:53:c0:a8:38:0c dev flannel.1 dst 192.168.56.12 self permanent',
      'ip route replace 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink',
      'ip route replace 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink',
    ]);
  });

  it.each(['host-gw', 'ipip', 'ipip-crosssubnet', 'vxlan'] as const)('%s: nothing to do once in place', (mode) => {
    for (const self of [node1, node3]) {
      const d = calcDesired(cluster, self, mode);
      expect(calcCommands(cluster, self, d, stateOf(self, d)).map(commandLine)).toEqual([]);
    }
  });

  it('switching modes removes the old mode: vxlan → ipip deletes flannel.1; ipip → host-gw empties tunl0', () => {
    const vx = stateOf(node1, calcDesired(cluster, node1, 'vxlan'));
    const toIpip = plan(node1, 'ipip', vx);
    expect(toIpip[0]).toBe('ip link del flannel.1');
    expect(toIpip.filter((l) => l.includes('flannel.1'))).toHaveLength(1);
    const ipip = stateOf(node1, calcDesired(cluster, node1, 'ipip'));
    expect(plan(node1, 'host-gw', ipip)).toEqual([
      'ip route del 10.244.3.0/24',
      'ip addr flush dev tunl0',
      'ip link set tunl0 down',
      'ip route replace 10.244.2.0/24 via 192.168.56.12 dev eth1',
    ]);
  });

  it('removes what belonged to a peer that left the cluster', () => {
    const vx = stateOf(node1, calcDesired(cluster, node1, 'vxlan'));
    const smaller: ClusterFile = { ...cluster, nodes: cluster.nodes.filter((n) => n.name !== 'node2') };
    expect(calcCommands(smaller, node1, calcDesired(smaller, node1, 'vxlan'), vx).map(commandLine)).toEqual([
      'ip route del 10.244.2.0/24',
      'bridge fdb del 0e:53:c0:a8:38:0c dev flannel.1 dst 192.168.56.12 self',
      'ip neigh del 10.244.2.0 dev flannel.1',
    ]);
  });

  it('leaves routes outside the cluster CIDR alone', () => {
    const cur: Current = { ...empty, routes: [{ dst: '172.16.0.0/16', gateway: '192.168.56.1', dev: 'eth1' }, { dst: 'default', gateway: '192.168.56.254', dev: 'eth1' }] };
    expect(plan(node1, 'host-gw', cur)).toEqual(['ip route replace 10.244.2.0/24 via 192.168.56.12 dev eth1']);
  });

  it('rejects a broken cluster file, naming it', () => {
    expect(() => parseClusterFile('{"clusterCidr":"10.244.0.0/16","mtu":1500,"mode":"bgp","nodes":[]}', '/etc/cni/c.json')).toThrow(/"\/etc\/cni\/c\.json".*"mode"/);
    expect(() => parseClusterFile('{"clusterCidr":"10.244.0.0/16","mtu":1500,"mode":"vxlan","nodes":[{"name":"a","ip":"1.2.3.4","podSubnet":"10.9.0.0/24"}]}', 'f')).toThrow(/outside clusterCidr/);
  });
});
