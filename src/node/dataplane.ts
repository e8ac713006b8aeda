// The cross-node data plane, as pure functions: what a node should have for a mode (calcDesired),
// and the iproute2 commands that take what it has to that (calcCommands). No I/O here, so every
// mode's command list can be tested on any kernel, IP-in-IP included.
import ipaddr from 'ipaddr.js';
import type { Mode } from '../plugin/config.ts';
import { podMtuFor, type ClusterFile, type ClusterNode } from './clusterFile.ts';

export const VXLAN_DEV = 'flannel.1';
export const VXLAN_VNI = 1;
export const VXLAN_PORT = 8472; // the Linux kernel's default VXLAN port, as flannel uses
export const IPIP_DEV = 'tunl0';

/**
 * A node's VTEP MAC, derived from its underlay address so no daemon has to publish it:
 * 0e:53 (locally administered, unicast) followed by the four bytes of the IPv4 address.
 * 192.168.56.12 → 0e:53:c0:a8:38:0c.
 */
export function vtepMac(underlayIp: string): string {
  // @lab 08 begin: 0e:53 followed by the four bytes of the underlay address
  return ['0e', '53', ...ipaddr.IPv4.parse(underlayIp).toByteArray().map((b) => b.toString(16).padStart(2, '0'))].join(':');
  // @lab 08 end
}

/** The network address of a subnet ("10.244.2.0/24" → "10.244.2.0"): flannel's per-node VTEP address. */
export const subnetBase = (cidr: string) => cidr.split('/')[0]!;

export interface Self {
  node: ClusterNode;
  uplink: string;
  /** The uplink's connected prefix, e.g. "192.168.56.0/24": peers inside it are on our L2 segment. */
  uplinkPrefix: string;
}

export interface RouteSpec {
  dst: string;
  via: string;
  dev: string;
  onlink: boolean;
}

export interface Desired {
  mode: Mode;
  podMtu: number;
  vxlan?: { mtu: number; mac: string; local: string; uplink: string; address: string };
  ipip?: { mtu: number; address: string };
  routes: RouteSpec[];
  neighs: { ip: string; mac: string }[];
  fdb: { mac: string; dst: string }[];
  /** Peers this mode cannot reach, and why: shown to the student. */
  unreachable: { peer: ClusterNode; why: string }[];
}

const onSegment = (self: Self, peer: ClusterNode) => ipaddr.IPv4.parse(peer.ip).match(ipaddr.IPv4.parseCIDR(self.uplinkPrefix));

export function calcDesired(cluster: ClusterFile, self: Self, mode: Mode = cluster.mode): Desired {
  const peers = cluster.nodes.filter((n) => n.name !== self.node.name);
  const d: Desired = { mode, podMtu: podMtuFor(cluster.mtu, mode), routes: [], neighs: [], fdb: [], unreachable: [] };
  if (mode === 'host-gw') {
    Object.assign(d, calcHostGwRoutes(self, peers));
  } else if (mode === 'ipip' || mode === 'ipip-crosssubnet') {
    d.ipip = { mtu: podMtuFor(cluster.mtu, 'ipip'), address: `${subnetBase(self.node.podSubnet)}/32` };
    d.routes = calcIpipRoutes(self, peers, mode === 'ipip-crosssubnet');
  } else {
    d.vxlan = { mtu: podMtuFor(cluster.mtu, 'vxlan'), mac: vtepMac(self.node.ip), local: self.node.ip, uplink: self.uplink, address: `${subnetBase(self.node.podSubnet)}/32` };
    Object.assign(d, calcVxlanPeers(peers));
  }
  return d;
}

/** host-gw: a plain route to each peer on our L2 segment; peers behind the router cannot be reached this way. */
export function calcHostGwRoutes(self: Self, peers: ClusterNode[]): Pick<Desired, 'routes' | 'unreachable'> {
  // @lab 06 begin: route each peer's pod subnet via its underlay address, if it is on our segment
  const routes: RouteSpec[] = [];
  const unreachable: Desired['unreachable'] = [];
  for (const p of peers) {
    if (onSegment(self, p)) routes.push({ dst: p.podSubnet, via: p.ip, dev: self.uplink, onlink: false });
    else {
      unreachable.push({
        peer: p,
        why:
          `${p.name} (${p.ip}) is not on this node's segment ${self.uplinkPrefix}: host-gw can only route via a next hop ` +
          `on the same L2 segment, and the router between the segments knows no pod routes. ` +
          `No route to ${p.podSubnet}; use ipip, ipip-crosssubnet or vxlan to cross the router.`,
      });
    }
  }
  return { routes, unreachable };
  // @lab 06 end
}

/** ipip: every peer through tunl0 (onlink: the tunnel delivers); crossSubnet: plain routes on our own segment. */
export function calcIpipRoutes(self: Self, peers: ClusterNode[], crossSubnet: boolean): RouteSpec[] {
  // @lab 07 begin: a route per peer via its underlay address on tunl0, onlink
  return peers.map((p) =>
    crossSubnet && onSegment(self, p)
      ? { dst: p.podSubnet, via: p.ip, dev: self.uplink, onlink: false }
      : { dst: p.podSubnet, via: p.ip, dev: IPIP_DEV, onlink: true },
  );
  // @lab 07 end
}

/** vxlan: per peer, flannel's three entries, in flannel's order: neighbour, fdb, and the route last. */
export function calcVxlanPeers(peers: ClusterNode[]): Pick<Desired, 'routes' | 'neighs' | 'fdb'> {
  // @lab 08 begin: the neighbour, fdb entry and onlink route for each peer
  return {
    neighs: peers.map((p) => ({ ip: subnetBase(p.podSubnet), mac: vtepMac(p.ip) })),
    fdb: peers.map((p) => ({ mac: vtepMac(p.ip), dst: p.ip })),
    routes: peers.map((p) => ({ dst: p.podSubnet, via: subnetBase(p.podSubnet), dev: VXLAN_DEV, onlink: true })),
  };
  // @lab 08 end
}

// ---------------------------------------------------------------- what the node has now

export interface Current {
  links: { ifname: string; mtu?: number; address?: string; flags?: string[]; linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> }; addr_info?: { family: string; local: string; prefixlen: number }[] }[];
  routes: { dst: string; gateway?: string; dev?: string; flags?: string[]; protocol?: string }[];
  neighs: { dst: string; lladdr?: string; state?: string[] }[];
  fdb: { mac: string; dst?: string; flags?: string[] }[];
}

export interface Command {
  tool: 'ip' | 'bridge';
  args: string[];
}

const ip = (...args: string[]): Command => ({ tool: 'ip', args });
const br = (...args: string[]): Command => ({ tool: 'bridge', args });
export const commandLine = (c: Command) => `${c.tool} ${c.args.join(' ')}`;

const inCidr = (addr: string, cidr: string) => {
  const [a, len] = addr.includes('/') ? ipaddr.IPv4.parseCIDR(addr) : [ipaddr.IPv4.parse(addr), 32];
  const [net, nlen] = ipaddr.IPv4.parseCIDR(cidr);
  return len >= nlen && a.match(net, nlen);
};

/** The commands that turn `cur` into `want`: nothing when it already matches (idempotent). */
export function calcCommands(cluster: ClusterFile, self: Self, want: Desired, cur: Current): Command[] {
  const add: Command[] = [];
  const del: Command[] = [];
  const link = (name: string) => cur.links.find((l) => l.ifname === name);
  const hasAddr = (l: Current['links'][number] | undefined, cidr: string) => (l?.addr_info ?? []).some((a) => `${a.local}/${a.prefixlen}` === cidr);
  const isUp = (l: Current['links'][number] | undefined) => l?.flags?.includes('UP') ?? false;

  // The VXLAN device.
  const vx = link(VXLAN_DEV);
  if (want.vxlan) {
    const w = want.vxlan;
    const data = vx?.linkinfo?.info_data ?? {};
    const fits = vx && vx.linkinfo?.info_kind === 'vxlan' && data.id === VXLAN_VNI && data.port === VXLAN_PORT && data.local === w.local && data.learning === false && vx.address === w.mac;
    if (vx && !fits) del.push(ip('link', 'del', VXLAN_DEV));
    if (!fits) {
      add.push(
        ip('link', 'add', VXLAN_DEV, 'address', w.mac, 'mtu', String(w.mtu), 'type', 'vxlan', 'id', String(VXLAN_VNI), 'local', w.local, 'dev', w.uplink, 'dstport', String(VXLAN_PORT), 'nolearning'),
        ip('addr', 'add', w.address, 'dev', VXLAN_DEV),
        ip('link', 'set', VXLAN_DEV, 'up'),
      );
    } else {
      if (vx.mtu !== w.mtu) add.push(ip('link', 'set', VXLAN_DEV, 'mtu', String(w.mtu)));
      if (!hasAddr(vx, w.address)) add.push(ip('addr', 'replace', w.address, 'dev', VXLAN_DEV));
      if (!isUp(vx)) add.push(ip('link', 'set', VXLAN_DEV, 'up'));
    }
  } else if (vx) {
    del.push(ip('link', 'del', VXLAN_DEV)); // takes its neighbour and fdb entries and its routes with it
  }

  // The IP-in-IP device. tunl0 is the kernel's fallback device: it can be emptied and downed, not deleted.
  const tun = link(IPIP_DEV);
  if (want.ipip) {
    const w = want.ipip;
    if (!tun) add.push(ip('link', 'add', 'name', IPIP_DEV, 'type', 'ipip'));
    if (!tun || tun.mtu !== w.mtu) add.push(ip('link', 'set', IPIP_DEV, 'mtu', String(w.mtu)));
    if (!hasAddr(tun, w.address)) add.push(ip('addr', 'replace', w.address, 'dev', IPIP_DEV));
    if (!isUp(tun)) add.push(ip('link', 'set', IPIP_DEV, 'up'));
  } else if (tun && (isUp(tun) || (tun.addr_info ?? []).length > 0)) {
    del.push(ip('addr', 'flush', 'dev', IPIP_DEV), ip('link', 'set', IPIP_DEV, 'down'));
  }

  // Neighbour and FDB entries on the VXLAN device (only if it stays).
  if (want.vxlan && !del.some((c) => c.args.join(' ') === `link del ${VXLAN_DEV}`)) {
    for (const n of cur.neighs) {
      if (!want.neighs.some((w) => w.ip === n.dst)) del.push(ip('neigh', 'del', n.dst, 'dev', VXLAN_DEV));
    }
    for (const f of cur.fdb) {
      if (f.dst && !want.fdb.some((w) => w.mac === f.mac && w.dst === f.dst)) del.push(br('fdb', 'del', f.mac, 'dev', VXLAN_DEV, 'dst', f.dst, 'self'));
    }
  }
  const vxFresh = want.vxlan !== undefined && add.some((c) => c.args[0] === 'link' && c.args[1] === 'add' && c.args[2] === VXLAN_DEV);
  for (const n of want.neighs) {
    const has = !vxFresh && cur.neighs.some((c) => c.dst === n.ip && c.lladdr === n.mac && c.state?.includes('PERMANENT'));
    if (!has) add.push(ip('neigh', 'replace', n.ip, 'lladdr', n.mac, 'dev', VXLAN_DEV, 'nud', 'permanent'));
  }
  for (const f of want.fdb) {
    const has = !vxFresh && cur.fdb.some((c) => c.mac === f.mac && c.dst === f.dst);
    if (!has) add.push(br('fdb', 'replace', f.mac, 'dev', VXLAN_DEV, 'dst', f.dst, 'self', 'permanent'));
  }

  // Routes: this node owns every main-table route into the cluster CIDR except its own subnet's.
  const ours = cur.routes.filter((r) => r.dst !== 'default' && inCidr(r.dst, cluster.clusterCidr) && r.dst !== self.node.podSubnet && r.protocol !== 'kernel');
  const devGone = (dev?: string) => del.some((c) => c.args.join(' ') === `link del ${dev}`);
  for (const r of ours) {
    if (!want.routes.some((w) => w.dst === r.dst) && !devGone(r.dev)) del.push(ip('route', 'del', r.dst));
  }
  for (const w of want.routes) {
    const r = ours.find((x) => x.dst === w.dst);
    const same = r && !devGone(r.dev) && !vxFresh && r.gateway === w.via && r.dev === w.dev && (r.flags ?? []).includes('onlink') === w.onlink;
    if (!same) add.push(ip('route', 'replace', w.dst, 'via', w.via, 'dev', w.dev, ...(w.onlink ? ['onlink'] : [])));
  }
  // Removals first (routes before the entries and devices they use), then additions in flannel's order.
  const order = (c: Command) => (c.args[0] === 'route' ? 0 : c.tool === 'bridge' ? 1 : c.args[0] === 'neigh' ? 2 : 3);
  return [...del.sort((a, b) => order(a) - order(b)), ...add];
}
