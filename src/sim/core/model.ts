// The simulated kernel's state: network namespaces holding links, addresses, routes, neighbours,
// fdb entries, sysctls and NAT rules. Plain JSON (it is saved to a file between commands) and
// platform-free: nothing here may import from node:*, so it also runs in a browser.

export type LinkKind = 'loopback' | 'veth' | 'bridge' | 'vxlan' | 'ipip' | 'dummy';

/** iproute2's `type` names (and the kernel's info_kind) of the kinds a user can create. */
export const LINK_TYPES: Record<string, Exclude<LinkKind, 'loopback'>> = { veth: 'veth', bridge: 'bridge', vxlan: 'vxlan', ipip: 'ipip', dummy: 'dummy' };

export interface SimAddr {
  local: string;
  prefixlen: number;
  broadcast?: string;
  scope: 'global' | 'link' | 'host';
  /** iproute2's label: the device name unless given. */
  label?: string;
}

export interface SimVxlan {
  id: number;
  /** Source address of the outer packet. */
  local?: string;
  /** ifindex of the underlay device (`dev eth1`), in the same netns. */
  dev?: number;
  port: number;
  learning: boolean;
}

export interface SimIpip {
  local?: string;
  remote?: string;
  ttl: number;
  pmtudisc: boolean;
}

export interface SimLink {
  ifindex: number;
  name: string;
  kind: LinkKind;
  mtu: number;
  /** Administratively up (IFF_UP). Carrier is derived (a veth has carrier when both ends are up). */
  up: boolean;
  /** Lower-case colon hex; "" for ipip (no link-layer address). */
  mac: string;
  /** ifindex of the bridge this link is a port of (same netns). */
  master?: number;
  /** The other end of a veth pair. */
  peer?: { ns: string; ifindex: number };
  vxlan?: SimVxlan;
  ipip?: SimIpip;
  /** Set on a bridge port: `bridge link set dev X state` — forwarding unless disabled. */
  portState?: 'forwarding' | 'disabled' | 'blocking';
  addrs: SimAddr[];
  /** Set with `mtu N` by the user: a bridge then keeps it instead of following its ports. */
  mtuSetByUser?: boolean;
  /** Set with `address MAC` by the user: a bridge then keeps it instead of its lowest port's. */
  macSetByUser?: boolean;
  /** A bridge that has had a port: from then on its carrier follows its ports (a new one has carrier). */
  hadPorts?: boolean;
  /** The IPv6 link-local was flushed (`ip addr flush`); it comes back when the link next goes up. */
  noLinkLocal6?: boolean;
  /** A bridge that had carrier while up keeps its IPv6 link-local until it goes down. */
  keptLinkLocal6?: boolean;
  /** Bridge port flag (`bridge link set dev X learning off`); on unless false. */
  learning?: boolean;
  stats: { rxPackets: number; rxBytes: number; txPackets: number; txBytes: number; rxDropped: number; txDropped: number };
}

export interface SimRoute {
  table: 'main' | 'local';
  type: 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit';
  /** "default" or a CIDR, always in network form ("10.244.1.0/24"); a host route is "/32". */
  dst: string;
  gateway?: string;
  /** ifindex of the output device. */
  dev?: number;
  protocol: 'kernel' | 'boot' | 'static' | 'dhcp' | string;
  scope: 'global' | 'link' | 'host';
  prefsrc?: string;
  onlink?: boolean;
  metric?: number;
}

export type NeighState = 'PERMANENT' | 'REACHABLE' | 'STALE' | 'DELAY' | 'PROBE' | 'FAILED' | 'INCOMPLETE' | 'NOARP';

export interface SimNeigh {
  dst: string;
  dev: number;
  lladdr?: string;
  state: NeighState;
  /** Epoch ms when an INCOMPLETE entry's probes run out: from then on it reads FAILED. */
  failsAt?: number;
}

/**
 * How long the kernel keeps asking before a neighbour is FAILED: mcast_solicit (3) probes,
 * retrans_time (1 s) apart. Until then `ip neigh` shows the entry INCOMPLETE.
 */
export const NEIGH_PROBE_MS = 3000;

/** An entry's state as `ip neigh` reads it now (an INCOMPLETE one whose probes ran out is FAILED). */
export function neighState(n: SimNeigh, now = Date.now()): NeighState {
  return n.state === 'INCOMPLETE' && n.failsAt !== undefined && n.failsAt <= now ? 'FAILED' : n.state;
}

export interface SimFdb {
  mac: string;
  /** The port (for a bridge entry) or the vxlan device (for a vxlan entry). */
  dev: number;
  /** Entries of a bridge's forwarding table carry the bridge's ifindex ("master br0"). */
  master?: number;
  /** vxlan entries: the remote VTEP. */
  dst?: string;
  /** "self": the entry belongs to the device itself (vxlan fdb). */
  self?: boolean;
  state: 'permanent' | 'static' | 'learned';
  vlan?: number;
}

/** An nftables masquerade rule, as the plugin loads it: `ip saddr S ip daddr != D masquerade`. */
export interface SimMasquerade {
  table: string;
  saddr?: string;
  daddrNot?: string;
  oifname?: string;
}

export interface SimCapture {
  id: string;
  /** The process waiting for lines (the Node layer drops captures whose process is gone). */
  pid?: number;
  ns: string;
  ifname: string;
  filter: string;
  /** tcpdump's output flags that change the lines: "-v" (IP header fields), "-e" (link-level header). */
  flags?: string[];
  lines: string[];
}

/** A route exception: the path MTU towards one destination, until it expires. */
export interface SimPmtu {
  dst: string;
  mtu: number;
  /** Epoch ms when the kernel forgets it (net.ipv4.route.mtu_expires, 600 s). */
  until: number;
}

/** A listening socket (`nc -l`, a probe's listener): the walk answers a SYN to it with a SYN-ACK. */
export interface SimSocket {
  proto: 'tcp' | 'udp';
  port: number;
  /** Who listens (a process id, a probe's name): `unlisten` removes its sockets. */
  owner: string;
  /** Epoch ms after which the socket is gone (a listener that ends itself, as the real probe's does). */
  until?: number;
}

export interface SimNetns {
  /** The key of this namespace in World.namespaces. */
  id: string;
  /** `ip netns add NAME` namespaces (and the cluster's nodes) have a name. */
  name?: string;
  /** Namespaces pinned to a file (pods: CNI_NETNS) are reached by path. */
  path?: string;
  /** The node a named namespace was made on (`ip netns add` inside a node); absent for cluster namespaces. */
  owner?: string;
  links: SimLink[];
  routes: SimRoute[];
  neighs: SimNeigh[];
  fdb: SimFdb[];
  sysctl: Record<string, string>;
  /** tableSeq: the last table handle given in this namespace (nft numbers tables per namespace). */
  nft: { tables: Record<string, string>; masquerade: SimMasquerade[]; tableSeq?: number };
  nextIfindex: number;
  /** Listening sockets; absent in a namespace where nothing ever listened. */
  sockets?: SimSocket[];
  /** Path MTUs learnt from "fragmentation needed" (the kernel's route exceptions); see pmtu.ts. */
  pmtu?: SimPmtu[];
  /** netnsid this namespace gives another (by id), assigned when a veth first links them. */
  netnsids?: Record<string, number>;
}

export interface World {
  version: 1;
  namespaces: Record<string, SimNetns>;
  /** Counter behind generated MAC addresses: deterministic, so runs are repeatable. */
  macSeq: number;
  captures: SimCapture[];
  /** Last ephemeral port handed out (connections' source ports: deterministic, so runs repeat). */
  portSeq?: number;
  /**
   * The ipip module is loaded (something used IP-in-IP): as on Linux, every namespace, existing
   * or new, then has the fallback device tunl0 (down, NOARP).
   */
  ipipLoaded?: boolean;
}

export const SYSCTL_DEFAULTS: Record<string, string> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.default.rp_filter': '0',
  'net.ipv4.conf.all.forwarding': '0',
  'net.ipv4.ip_default_ttl': '64',
};

export function createWorld(): World {
  return { version: 1, namespaces: {}, macSeq: 0, captures: [] };
}

/** A new namespace holds only a down loopback, like `ip netns add`. */
export function addNetns(world: World, id: string, props: { name?: string; path?: string; owner?: string } = {}): SimNetns {
  if (world.namespaces[id]) throw new SimError(`namespace "${id}" exists`);
  const ns: SimNetns = {
    id,
    ...props,
    links: [],
    routes: [],
    neighs: [],
    fdb: [],
    sysctl: { ...SYSCTL_DEFAULTS },
    nft: { tables: {}, masquerade: [] },
    nextIfindex: 1,
  };
  ns.links.push(newLink(ns, { name: 'lo', kind: 'loopback', mtu: 65536, mac: '00:00:00:00:00:00' }));
  if (world.ipipLoaded) addTunl0(ns);
  world.namespaces[id] = ns;
  return ns;
}

export const IPIP_FALLBACK = 'tunl0';

/** The ipip module's fallback device, as it appears in a namespace. */
export function addTunl0(ns: SimNetns): SimLink {
  const l = newLink(ns, { name: IPIP_FALLBACK, kind: 'ipip', mtu: 1480, mac: '', ipip: { ttl: 0, pmtudisc: false } });
  ns.links.push(l);
  return l;
}

/** After a command: the first use of IP-in-IP loads the module, which gives every namespace its tunl0. */
export function settleModules(world: World) {
  if (world.ipipLoaded) return;
  const all = Object.values(world.namespaces);
  if (!all.some((ns) => ns.links.some((l) => l.kind === 'ipip'))) return;
  world.ipipLoaded = true;
  for (const ns of all) if (!linkByName(ns, IPIP_FALLBACK)) addTunl0(ns);
}

/** Removes a namespace and, as the kernel does, every veth whose other end lived in it. */
export function deleteNetns(world: World, id: string) {
  const ns = world.namespaces[id];
  if (!ns) return;
  for (const l of [...ns.links]) if (l.peer) removeLink(world, ns, l);
  delete world.namespaces[id];
}

export function newLink(ns: SimNetns, l: Partial<SimLink> & Pick<SimLink, 'name' | 'kind' | 'mtu' | 'mac'>): SimLink {
  const link: SimLink = {
    ifindex: ns.nextIfindex++,
    up: false,
    addrs: [],
    stats: { rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, rxDropped: 0, txDropped: 0 },
    ...l,
  };
  return link;
}

/** A locally administered unicast MAC (02:…), unique within the world. */
export function nextMac(world: World): string {
  const n = ++world.macSeq;
  const bytes = [0x02, 0x5c, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export const linkByName = (ns: SimNetns, name: string) => ns.links.find((l) => l.name === name);
export const linkByIndex = (ns: SimNetns, ifindex: number | undefined) => (ifindex === undefined ? undefined : ns.links.find((l) => l.ifindex === ifindex));

/** The other end of a veth, wherever it lives. */
export function vethPeer(world: World, l: SimLink): { ns: SimNetns; link: SimLink } | undefined {
  if (!l.peer) return undefined;
  const ns = world.namespaces[l.peer.ns];
  const link = ns && linkByIndex(ns, l.peer.ifindex);
  return ns && link ? { ns, link } : undefined;
}

/**
 * Has the link carrier (LOWER_UP)? A veth needs both ends up; a bridge needs one forwarding
 * port with carrier once it has had a port (a new, empty bridge has carrier; one whose ports left has not); loopback, ipip and vxlan follow IFF_UP.
 */
export function hasCarrier(world: World, ns: SimNetns, l: SimLink): boolean {
  if (!l.up) return false;
  if (l.kind === 'veth') return vethPeer(world, l)?.link.up ?? false;
  if (l.kind === 'bridge') return l.hadPorts ? ns.links.some((p) => p.master === l.ifindex && p.up && hasCarrier(world, ns, p) && p.portState !== 'disabled') : true;
  return true;
}

/** operstate as iproute2 shows it. */
export function operState(world: World, ns: SimNetns, l: SimLink): 'UP' | 'DOWN' | 'UNKNOWN' | 'LOWERLAYERDOWN' {
  if (!l.up) return 'DOWN';
  if (l.kind === 'loopback' || l.kind === 'ipip' || l.kind === 'vxlan' || l.kind === 'dummy') return 'UNKNOWN';
  if (l.kind === 'bridge' && !l.hadPorts) return 'UNKNOWN';
  // A veth without carrier: LOWERLAYERDOWN when its peer is in the same namespace, DOWN otherwise (kernel 6.x).
  if (l.kind === 'veth' && !hasCarrier(world, ns, l)) return l.peer?.ns === ns.id ? 'LOWERLAYERDOWN' : 'DOWN';
  return hasCarrier(world, ns, l) ? 'UP' : 'DOWN';
}

/**
 * Removes a link the way the kernel does: its peer (veth), its addresses and every route,
 * neighbour and fdb entry using it; ports of a deleted bridge are released.
 */
export function removeLink(world: World, ns: SimNetns, l: SimLink) {
  const peer = vethPeer(world, l);
  purgeLink(ns, l.ifindex);
  if (l.kind === 'bridge') for (const p of ns.links) if (p.master === l.ifindex) delete p.master;
  if (peer) purgeLink(peer.ns, peer.link.ifindex);
}

function purgeLink(ns: SimNetns, ifindex: number) {
  ns.links = ns.links.filter((x) => x.ifindex !== ifindex);
  ns.routes = ns.routes.filter((r) => r.dev !== ifindex);
  ns.neighs = ns.neighs.filter((n) => n.dev !== ifindex);
  ns.fdb = ns.fdb.filter((f) => f.dev !== ifindex && f.master !== ifindex);
}

/** Thrown by model operations; commands turn it into their own error text. */
export class SimError extends Error {}
