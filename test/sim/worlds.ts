// Test worlds for the packet walk, built straight from the model's types (not through `ip`): the
// lab's underlay (seg-a, seg-b, node1..3, router) and a pod per node, in host-gw, ipip or vxlan mode.
import { networkOf } from '../../src/sim/core/ip4.ts';
import { addNetns, createWorld, linkByName, newLink, nextMac, type SimLink, type SimNetns, type World } from '../../src/sim/core/model.ts';

export type Mode = 'host-gw' | 'ipip' | 'vxlan';

export class WorldBuilder {
  readonly world: World = createWorld();

  ns(id: string): SimNetns {
    const ns = this.world.namespaces[id] ?? addNetns(this.world, id, { name: id });
    linkByName(ns, 'lo')!.up = true;
    return ns;
  }

  link(nsId: string, l: Partial<SimLink> & Pick<SimLink, 'name' | 'kind'>): SimLink {
    const ns = this.ns(nsId);
    const link = newLink(ns, { mtu: 1500, mac: nextMac(this.world), ...l });
    ns.links.push(link);
    return link;
  }

  veth(aNs: string, a: string, bNs: string, b: string, mtu = 1500): [SimLink, SimLink] {
    const la = this.link(aNs, { name: a, kind: 'veth', mtu, up: true });
    const lb = this.link(bNs, { name: b, kind: 'veth', mtu, up: true });
    la.peer = { ns: bNs, ifindex: lb.ifindex };
    lb.peer = { ns: aNs, ifindex: la.ifindex };
    return [la, lb];
  }

  bridge(nsId: string, name: string): SimLink {
    return this.link(nsId, { name, kind: 'bridge', up: true, hadPorts: true });
  }

  enslave(nsId: string, port: string, bridge: string) {
    const ns = this.ns(nsId);
    linkByName(ns, port)!.master = linkByName(ns, bridge)!.ifindex;
  }

  /** An address and its connected route, as `ip addr add` makes them. */
  addr(nsId: string, dev: string, cidr: string) {
    const ns = this.ns(nsId);
    const l = linkByName(ns, dev)!;
    const [ip, len] = cidr.split('/') as [string, string];
    l.addrs.push({ local: ip, prefixlen: Number(len), scope: 'global' });
    if (Number(len) < 32) ns.routes.push({ table: 'main', type: 'unicast', dst: networkOf(cidr), dev: l.ifindex, protocol: 'kernel', scope: 'link', prefsrc: ip });
  }

  route(nsId: string, dst: string, via: string | undefined, dev: string, extra: { onlink?: boolean } = {}) {
    const ns = this.ns(nsId);
    ns.routes.push({ table: 'main', type: 'unicast', dst: dst === 'default' ? 'default' : networkOf(dst), gateway: via, dev: linkByName(ns, dev)!.ifindex, protocol: 'boot', scope: via ? 'global' : 'link', ...extra });
  }

  sysctl(nsId: string, key: string, value: string) {
    this.ns(nsId).sysctl[key] = value;
    if (key === 'net.ipv4.ip_forward') this.ns(nsId).sysctl['net.ipv4.conf.all.forwarding'] = value;
  }
}

export const NODES = [
  { name: 'node1', seg: 'seg-a', ip: '192.168.56.11', gw: '192.168.56.254', n: 1 },
  { name: 'node2', seg: 'seg-a', ip: '192.168.56.12', gw: '192.168.56.254', n: 2 },
  { name: 'node3', seg: 'seg-b', ip: '192.168.57.13', gw: '192.168.57.254', n: 3 },
] as const;

export const podIp = (n: number) => `10.244.${n}.2`;
export const podNs = (n: number) => `pod${n}`;
export const vtepMac = (ip: string) => ['0e', '53', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');

/** The lab's cluster: underlay, router, a pod on every node (10.244.N.2), cross-node routes for the mode. */
export function labWorld(mode: Mode = 'host-gw'): WorldBuilder {
  const b = new WorldBuilder();
  for (const s of ['seg-a', 'seg-b']) b.bridge(s, 'sw');
  const plug = (node: string, ifname: string, seg: string, cidr: string) => {
    b.veth(node, ifname, seg, `${node}-${ifname}`);
    b.enslave(seg, `${node}-${ifname}`, 'sw');
    b.addr(node, ifname, cidr);
  };
  for (const n of NODES) {
    plug(n.name, 'eth1', n.seg, `${n.ip}/24`);
    b.route(n.name, 'default', n.gw, 'eth1');
  }
  plug('router', 'eth1', 'seg-a', '192.168.56.254/24');
  plug('router', 'eth2', 'seg-b', '192.168.57.254/24');
  b.sysctl('router', 'net.ipv4.ip_forward', '1');

  const podMtu = mode === 'vxlan' ? 1450 : mode === 'ipip' ? 1480 : 1500;
  for (const n of NODES) {
    b.bridge(n.name, 'simplecni0');
    b.addr(n.name, 'simplecni0', `10.244.${n.n}.1/24`);
    b.veth(n.name, `veth0000000${n.n}`, podNs(n.n), 'eth0', podMtu);
    b.enslave(n.name, `veth0000000${n.n}`, 'simplecni0');
    b.addr(podNs(n.n), 'eth0', `${podIp(n.n)}/24`);
    b.route(podNs(n.n), 'default', `10.244.${n.n}.1`, 'eth0');
    b.sysctl(n.name, 'net.ipv4.ip_forward', '1');
  }
  for (const self of NODES) {
    const peers = NODES.filter((p) => p.name !== self.name);
    if (mode === 'host-gw') {
      for (const p of peers) if (p.seg === self.seg) b.route(self.name, `10.244.${p.n}.0/24`, p.ip, 'eth1');
    } else if (mode === 'ipip') {
      b.link(self.name, { name: 'tunl0', kind: 'ipip', mtu: 1480, mac: '', up: true, ipip: { ttl: 0, pmtudisc: false } });
      b.addr(self.name, 'tunl0', `10.244.${self.n}.0/32`);
      for (const p of peers) b.route(self.name, `10.244.${p.n}.0/24`, p.ip, 'tunl0', { onlink: true });
    } else {
      const uplink = linkByName(b.ns(self.name), 'eth1')!;
      const vx = b.link(self.name, { name: 'flannel.1', kind: 'vxlan', mtu: 1450, mac: vtepMac(self.ip), up: true, vxlan: { id: 1, local: self.ip, dev: uplink.ifindex, port: 8472, learning: false } });
      b.addr(self.name, 'flannel.1', `10.244.${self.n}.0/32`);
      const ns = b.ns(self.name);
      for (const p of peers) {
        ns.neighs.push({ dst: `10.244.${p.n}.0`, dev: vx.ifindex, lladdr: vtepMac(p.ip), state: 'PERMANENT' });
        ns.fdb.push({ mac: vtepMac(p.ip), dev: vx.ifindex, dst: p.ip, self: true, state: 'permanent' });
        b.route(self.name, `10.244.${p.n}.0/24`, `10.244.${p.n}.0`, 'flannel.1', { onlink: true });
      }
    }
  }
  return b;
}

/** The tests' one ping normaliser, shared with the cluster comparisons. */
export { normPing } from '../helpers/normalize.ts';
