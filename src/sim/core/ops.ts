// State changes with the kernel's semantics, shared by the simulated `ip` and `bridge`: prefix
// routes follow addresses and link state, routes vanish with their link, a veth dies with its
// peer, a bridge takes its lowest port's MAC and MTU unless told otherwise, and so on.
// Errors are OpError, carrying the exact text and exit code iproute2 would print.
import { broadcastOf, fromInt, inPrefix, isIp4, maskOf, networkOf, prefixLen, toInt } from './ip4.ts';
import {
  hasCarrier,
  linkByIndex,
  linkByName,
  newLink,
  nextMac,
  removeLink,
  vethPeer,
  type LinkKind,
  type NeighState,
  type SimAddr,
  type SimFdb,
  type SimLink,
  type SimNetns,
  type SimRoute,
  type World,
  addTunl0,
  IPIP_FALLBACK,
} from './model.ts';

/** An operation refused the way the kernel (through iproute2) refuses it. */
export class OpError extends Error {
  constructor(
    message: string,
    readonly code = 2,
  ) {
    super(message);
  }
}

export const rtnl = (what: string) => new OpError(`RTNETLINK answers: ${what}`, 2);
export const ext = (what: string) => new OpError(`Error: ${what}`, 2);
export const noDevice = (name: string) => new OpError(`Cannot find device "${name}"`, 1);

export { IPIP_FALLBACK } from './model.ts';

// ------------------------------------------------------------------ links

export function getLink(ns: SimNetns, name: string): SimLink {
  const l = linkByName(ns, name);
  if (!l) throw noDevice(name);
  return l;
}

/**
 * The ipip module's fallback device: once IP-in-IP is used in a namespace it has `tunl0`
 * (NOARP, mtu 1480, down), which can be emptied and downed but not deleted.
 */
export function ensureTunl0(ns: SimNetns): SimLink {
  return linkByName(ns, IPIP_FALLBACK) ?? addTunl0(ns);
}

/** A link by name; `tunl0` appears on first use, as the ipip module makes it. */
export function getLinkOrFallback(ns: SimNetns, name: string): SimLink {
  if (name === IPIP_FALLBACK && !linkByName(ns, name)) return ensureTunl0(ns);
  return getLink(ns, name);
}

export interface LinkProps {
  mtu?: number;
  mac?: string;
  up?: boolean;
}

function checkNewName(ns: SimNetns, name: string) {
  if (linkByName(ns, name)) throw rtnl('File exists');
}

export function assignNetnsId(from: SimNetns, to: SimNetns): number {
  from.netnsids ??= {};
  const have = from.netnsids[to.id];
  if (have !== undefined) return have;
  const id = Object.keys(from.netnsids).length;
  from.netnsids[to.id] = id;
  return id;
}

function attach(ns: SimNetns, l: SimLink) {
  ns.links.push(l);
}

export function addSimpleLink(world: World, ns: SimNetns, name: string, kind: Exclude<LinkKind, 'veth' | 'loopback'>, p: LinkProps & { vxlan?: SimLink['vxlan'] } = {}): SimLink {
  if (kind === 'ipip') {
    const created = !linkByName(ns, IPIP_FALLBACK);
    // The first use of ipip loads the module, and the module makes tunl0 itself: an add of
    // "tunl0" that loaded it then finds the name taken, as on Linux.
    const loadsModule = !world.ipipLoaded;
    const t = ensureTunl0(ns);
    if (name === IPIP_FALLBACK) {
      if (!created || loadsModule) throw rtnl('File exists');
      if (p.mtu !== undefined) t.mtu = p.mtu;
      return t;
    }
  }
  checkNewName(ns, name);
  let mtu = p.mtu ?? 1500;
  if (kind === 'vxlan' && p.mtu === undefined) {
    const under = linkByIndex(ns, p.vxlan?.dev);
    mtu = (under?.mtu ?? 1500) - 50;
  }
  if (kind === 'ipip' && p.mtu === undefined) mtu = 1480;
  const l = newLink(ns, {
    name,
    kind,
    mtu,
    mac: kind === 'ipip' ? '' : (p.mac ?? nextMac(world)),
    // A bridge's MTU given at creation is not "set by the user": it still follows its ports.
    ...(p.mtu !== undefined && kind !== 'bridge' ? { mtuSetByUser: true } : {}),
    // A bridge given a MAC recomputes its port states at once: no ports, so no carrier.
    ...(p.mac !== undefined ? { macSetByUser: true, ...(kind === 'bridge' ? { hadPorts: true } : {}) } : {}),
    ...(p.vxlan ? { vxlan: p.vxlan } : {}),
    ...(kind === 'ipip' ? { ipip: { ttl: 0, pmtudisc: false } } : {}),
  });
  attach(ns, l);
  if (kind === 'bridge' && p.mac !== undefined) ns.fdb.push({ mac: p.mac, dev: l.ifindex, master: l.ifindex, state: 'permanent' });
  return l;
}

export function addVeth(world: World, ns: SimNetns, name: string, p: LinkProps, peerName: string | undefined, peerNs: SimNetns, pp: LinkProps): { link: SimLink; peer: SimLink } {
  checkNewName(ns, name);
  // The kernel names an unnamed peer vethN.
  let pname = peerName;
  if (pname === undefined) for (let i = 0; pname === undefined || linkByName(peerNs, pname); i++) pname = `veth${i}`;
  if (linkByName(peerNs, pname) || (peerNs === ns && pname === name)) throw rtnl('File exists');
  // The kernel registers the peer first: it gets the lower ifindex.
  const peer = newLink(peerNs, { name: pname, kind: 'veth', mtu: pp.mtu ?? 1500, mac: pp.mac ?? nextMac(world) });
  attach(peerNs, peer);
  const link = newLink(ns, { name, kind: 'veth', mtu: p.mtu ?? 1500, mac: p.mac ?? nextMac(world) });
  attach(ns, link);
  link.peer = { ns: peerNs.id, ifindex: peer.ifindex };
  peer.peer = { ns: ns.id, ifindex: link.ifindex };
  if (peerNs !== ns) {
    assignNetnsId(ns, peerNs);
    assignNetnsId(peerNs, ns);
  }
  return { link, peer };
}

export function deleteLink(world: World, ns: SimNetns, l: SimLink) {
  if (l.kind === 'loopback') throw rtnl('Operation not supported');
  if (l.kind === 'ipip' && l.name === IPIP_FALLBACK) throw rtnl('Operation not supported');
  const master = linkByIndex(ns, l.master);
  const peer = vethPeer(world, l);
  const peerMaster = peer && linkByIndex(peer.ns, peer.link.master);
  removeLink(world, ns, l);
  if (master) bridgeRecalc(ns, master);
  if (peer && peerMaster) bridgeRecalc(peer.ns, peerMaster);
  if (l.kind === 'bridge') ns.fdb = ns.fdb.filter((f) => f.master !== l.ifindex);
  afterCarrierChange(world);
}

/** Up: prefix routes of its addresses come back; carrier may change for the peer and bridges. */
export function setLinkUp(world: World, ns: SimNetns, l: SimLink) {
  if (l.up) return;
  l.up = true;
  delete l.noLinkLocal6;
  // The loopback gets 127.0.0.1/8 when it first comes up.
  if (l.kind === 'loopback' && !l.addrs.some((a) => a.local === '127.0.0.1')) l.addrs.unshift({ local: '127.0.0.1', prefixlen: 8, scope: 'host' });
  for (const a of primaries(l)) addPrefixRoute(ns, l, a);
  afterCarrierChange(world);
}

/** Down: every IPv4 route over the link goes, and its neighbours. */
export function setLinkDown(world: World, ns: SimNetns, l: SimLink) {
  if (!l.up) return;
  l.up = false;
  delete l.keptLinkLocal6;
  ns.routes = ns.routes.filter((r) => r.dev !== l.ifindex);
  ns.neighs = ns.neighs.filter((n) => n.dev !== l.ifindex);
  afterCarrierChange(world);
}

/**
 * Carrier is derived; what outlives it is stored here: a bridge that once had carrier keeps its
 * IPv6 link-local (and its multicast groups) while up, as the kernel does.
 */
function afterCarrierChange(world: World) {
  for (const ns of Object.values(world.namespaces)) {
    for (const l of ns.links) if (l.kind === 'bridge' && l.up && hasCarrier(world, ns, l)) l.keptLinkLocal6 = true;
  }
}

export function setMtu(ns: SimNetns, l: SimLink, mtu: number) {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > (l.kind === 'loopback' ? 2147483647 : 65535)) {
    throw ext(mtu < 68 ? `mtu less than device minimum.` : `mtu greater than device maximum.`);
  }
  l.mtu = mtu;
  if (l.kind === 'bridge') l.mtuSetByUser = true;
  const master = linkByIndex(ns, l.master);
  if (master) bridgeRecalc(ns, master);
}

export function setMac(ns: SimNetns, l: SimLink, mac: string) {
  const old = l.mac;
  l.mac = mac;
  if (l.kind === 'bridge') {
    l.macSetByUser = true;
    l.hadPorts = true;
    ns.fdb = ns.fdb.filter((f) => !(f.dev === l.ifindex && f.master === l.ifindex && f.state === 'permanent' && f.mac === old));
    ns.fdb.push({ mac, dev: l.ifindex, master: l.ifindex, state: 'permanent' });
  }
  const master = linkByIndex(ns, l.master);
  if (master) {
    for (const f of ns.fdb) if (f.dev === l.ifindex && f.master === master.ifindex && f.state === 'permanent' && f.mac === old) f.mac = mac;
    bridgeRecalc(ns, master);
  }
}

export function setMaster(world: World, ns: SimNetns, l: SimLink, br: SimLink) {
  if (br.kind !== 'bridge') throw rtnl('Operation not supported');
  if (l.ifindex === br.ifindex) throw ext('Can not enslave a bridge to itself.');
  if (l.master === br.ifindex) return;
  if (l.master !== undefined) setNomaster(world, ns, l);
  if (l.kind === 'loopback') throw ext('Can not enslave loopback device.');
  l.master = br.ifindex;
  l.portState = 'forwarding';
  br.hadPorts = true;
  // A port's addresses stay, but its own MAC becomes a permanent entry of the bridge.
  ns.fdb.push({ mac: l.mac, dev: l.ifindex, master: br.ifindex, state: 'permanent' });
  bridgeRecalc(ns, br);
  afterCarrierChange(world);
}

export function setNomaster(world: World, ns: SimNetns, l: SimLink) {
  const br = linkByIndex(ns, l.master);
  delete l.master;
  delete l.portState;
  delete l.learning;
  if (!br) return;
  ns.fdb = ns.fdb.filter((f) => !(f.dev === l.ifindex && f.master === br.ifindex));
  bridgeRecalc(ns, br);
  afterCarrierChange(world);
}

/** A bridge's MAC is its lowest port's (zero when it has none), its MTU the smallest port's — unless set. */
export function bridgeRecalc(ns: SimNetns, br: SimLink) {
  const ports = ns.links.filter((p) => p.master === br.ifindex);
  if (!br.macSetByUser) {
    const macs = ports.map((p) => p.mac).filter((m) => m !== '').sort();
    br.mac = macs[0] ?? (br.hadPorts ? '00:00:00:00:00:00' : br.mac);
  }
  if (!br.mtuSetByUser) br.mtu = ports.length ? Math.min(...ports.map((p) => p.mtu)) : 1500;
}

export function renameLink(ns: SimNetns, l: SimLink, name: string) {
  if (name === l.name) return;
  if (l.up) throw ext('Device or resource busy'); // the kernel refuses to rename an up device
  checkNewName(ns, name);
  for (const a of l.addrs) if (a.label === l.name) a.label = name;
  l.name = name;
}

/**
 * Moves a link to another namespace: it arrives down, without addresses, routes, neighbours or
 * master; its ifindex is kept unless taken there. A veth's peer follows the move.
 */
export function moveLink(world: World, from: SimNetns, l: SimLink, to: SimNetns): SimLink {
  if (to === from) return l;
  if (l.kind === 'loopback' || l.kind === 'bridge' || l.kind === 'vxlan' || l.kind === 'ipip') {
    if (l.kind === 'loopback' || (l.kind === 'ipip' && l.name === IPIP_FALLBACK)) throw rtnl('Invalid argument');
  }
  if (linkByName(to, l.name)) throw rtnl('File exists');
  if (l.master !== undefined) setNomaster(world, from, l);
  setLinkDown(world, from, l);
  from.links = from.links.filter((x) => x !== l);
  from.routes = from.routes.filter((r) => r.dev !== l.ifindex);
  from.neighs = from.neighs.filter((n) => n.dev !== l.ifindex);
  from.fdb = from.fdb.filter((f) => f.dev !== l.ifindex && f.master !== l.ifindex);
  const oldIndex = l.ifindex;
  const taken = to.links.some((x) => x.ifindex === oldIndex);
  const ifindex = taken ? to.nextIfindex++ : oldIndex;
  if (!taken && oldIndex >= to.nextIfindex) to.nextIfindex = oldIndex + 1;
  l.ifindex = ifindex;
  l.addrs = [];
  if (l.kind === 'bridge') l.hadPorts = l.hadPorts ?? false;
  to.links.push(l);
  to.links.sort((a, b) => a.ifindex - b.ifindex);
  const peer = l.peer && world.namespaces[l.peer.ns] ? linkByIndex(world.namespaces[l.peer.ns]!, l.peer.ifindex) : undefined;
  if (peer && l.peer) {
    peer.peer = { ns: to.id, ifindex };
    const pns = world.namespaces[l.peer.ns]!;
    if (pns !== to) {
      assignNetnsId(to, pns);
      assignNetnsId(pns, to);
    }
  }
  afterCarrierChange(world);
  return l;
}

// ------------------------------------------------------------------ addresses

const primaries = (l: SimLink) => l.addrs.filter((a, i) => !isSecondary(l, i));

/** An address is secondary when an earlier one on the link is in the same subnet. */
export function isSecondary(l: SimLink, i: number): boolean {
  const a = l.addrs[i]!;
  return l.addrs.slice(0, i).some((b) => b.prefixlen === a.prefixlen && inPrefix(a.local, `${b.local}/${b.prefixlen}`));
}

function addPrefixRoute(ns: SimNetns, l: SimLink, a: SimAddr) {
  if (!l.up || a.prefixlen >= 32 || l.kind === 'loopback') return;
  const dst = networkOf(`${a.local}/${a.prefixlen}`);
  if (ns.routes.some((r) => r.table === 'main' && r.dst === dst && r.dev === l.ifindex && r.protocol === 'kernel' && (r.metric ?? 0) === 0)) return;
  ns.routes.push({ table: 'main', type: 'unicast', dst, dev: l.ifindex, protocol: 'kernel', scope: 'link', prefsrc: a.local });
}

export interface AddrSpec {
  local: string;
  prefixlen: number;
  broadcast?: string;
  scope?: SimAddr['scope'];
  label?: string;
}

export function addAddress(ns: SimNetns, l: SimLink, spec: AddrSpec, opts: { replace?: boolean } = {}) {
  const existing = l.addrs.find((a) => a.local === spec.local && a.prefixlen === spec.prefixlen);
  if (existing) {
    if (!opts.replace) throw ext('ipv4: Address already assigned.');
    if (spec.broadcast !== undefined) existing.broadcast = spec.broadcast;
    if (spec.scope) existing.scope = spec.scope;
    if (spec.label) existing.label = spec.label;
    return existing;
  }
  const scope = spec.scope ?? (spec.local.startsWith('127.') ? 'host' : 'global');
  const a: SimAddr = { local: spec.local, prefixlen: spec.prefixlen, scope, ...(spec.broadcast ? { broadcast: spec.broadcast } : {}), ...(spec.label ? { label: spec.label } : {}) };
  l.addrs.push(a);
  if (!isSecondary(l, l.addrs.length - 1)) addPrefixRoute(ns, l, a);
  return a;
}

export const broadcastPlus = (local: string, len: number) => (len >= 31 ? undefined : broadcastOf(local, len));

/**
 * Deletes an address. A primary takes its secondaries with it (promote_secondaries is off), and
 * its prefix route and routes using it as source; the last address takes every route of the link.
 */
export function deleteAddress(ns: SimNetns, l: SimLink, local: string, prefixlen?: number) {
  const i = l.addrs.findIndex((a) => a.local === local && (prefixlen === undefined || a.prefixlen === prefixlen));
  if (i < 0) throw ext('ipv4: Address not found.');
  const a = l.addrs[i]!;
  const gone = new Set<SimAddr>([a]);
  if (!isSecondary(l, i)) {
    l.addrs.forEach((b, j) => {
      if (j > i && b.prefixlen === a.prefixlen && inPrefix(b.local, `${a.local}/${a.prefixlen}`)) gone.add(b);
    });
  }
  l.addrs = l.addrs.filter((b) => !gone.has(b));
  const locals = new Set([...gone].map((b) => b.local));
  if (l.addrs.length === 0) ns.routes = ns.routes.filter((r) => r.dev !== l.ifindex);
  else {
    const net = networkOf(`${a.local}/${a.prefixlen}`);
    ns.routes = ns.routes.filter((r) => !(r.dev === l.ifindex && r.protocol === 'kernel' && r.dst === net && r.prefsrc !== undefined && locals.has(r.prefsrc)));
  }
  ns.routes = ns.routes.filter((r) => r.prefsrc === undefined || !locals.has(r.prefsrc) || l.addrs.some((b) => b.local === r.prefsrc));
}

export function flushAddresses(ns: SimNetns, l: SimLink, filter: (a: SimAddr) => boolean = () => true): number {
  let n = 0;
  for (const a of [...l.addrs].reverse()) {
    if (!filter(a) || !l.addrs.includes(a)) continue;
    deleteAddress(ns, l, a.local, a.prefixlen);
    n++;
  }
  return n;
}

// ------------------------------------------------------------------ routes

export interface RouteSpec {
  dst: string;
  table?: 'main' | 'local';
  type?: SimRoute['type'];
  gateway?: string;
  dev?: SimLink;
  onlink?: boolean;
  scope?: SimRoute['scope'];
  prefsrc?: string;
  protocol?: string;
  metric?: number;
}

const sameKey = (r: SimRoute, s: { table: string; dst: string; metric: number }) => r.table === s.table && r.dst === s.dst && (r.metric ?? 0) === s.metric;

/**
 * Where the kernel's fib_check_nh would find the gateway: a link-scope route (or a local address).
 * A route that names its device looks only at routes out of that device (the lookup's oif), so a
 * second link on the same subnet finds its own connected route, not the first link's.
 */
function gatewayLink(world: World, ns: SimNetns, gw: string, dev?: SimLink): SimLink | undefined {
  const best = ns.routes
    .filter((r) => r.table === 'main' && r.type === 'unicast' && r.scope !== 'global' && r.gateway === undefined && inPrefix(gw, r.dst) && (!dev || r.dev === dev.ifindex))
    .sort((a, b) => prefixLen(b.dst) - prefixLen(a.dst) || (a.metric ?? 0) - (b.metric ?? 0))[0];
  const l = best ? linkByIndex(ns, best.dev) : undefined;
  void world;
  return l;
}

export function addRoute(world: World, ns: SimNetns, spec: RouteSpec, mode: 'add' | 'replace' | 'append' = 'add'): SimRoute {
  const table = spec.table ?? 'main';
  const type = spec.type ?? 'unicast';
  const metric = spec.metric ?? 0;
  const dst = spec.dst === 'default' ? 'default' : networkOf(spec.dst);
  let dev = spec.dev;
  if (type === 'unicast') {
    if (spec.gateway !== undefined) {
      if (spec.onlink) {
        if (!dev) throw ext('Nexthop device required for onlink.');
        if (!dev.up) throw ext('Nexthop device is not up.');
        if (localAddressesOf(ns).includes(spec.gateway)) throw ext('Nexthop has invalid gateway.');
      } else {
        const via = localAddressesOf(ns).includes(spec.gateway) ? undefined : gatewayLink(world, ns, spec.gateway, dev);
        if (!via || (dev && via.ifindex !== dev.ifindex)) throw ext('Nexthop has invalid gateway.');
        dev = via;
      }
    } else {
      if (!dev) throw new OpError('Error: either "to" is duplicate, or "dev" is a garbage.', 2);
      if (!dev.up) throw ext('Nexthop device is not up.');
    }
  }
  const route: SimRoute = {
    table,
    type,
    dst,
    ...(spec.gateway !== undefined ? { gateway: spec.gateway } : {}),
    ...(dev ? { dev: dev.ifindex } : {}),
    protocol: spec.protocol ?? 'boot',
    scope: spec.scope ?? (type !== 'unicast' ? 'global' : spec.gateway !== undefined ? 'global' : 'link'),
    ...(spec.prefsrc ? { prefsrc: spec.prefsrc } : {}),
    ...(spec.onlink ? { onlink: true } : {}),
    ...(metric ? { metric } : {}),
  };
  if (spec.prefsrc && !localAddressesOf(ns).includes(spec.prefsrc)) throw ext('Invalid prefsrc address.');
  const i = ns.routes.findIndex((r) => sameKey(r, { table, dst, metric }));
  if (i >= 0) {
    if (mode === 'add') throw rtnl('File exists');
    if (mode === 'replace') {
      ns.routes[i] = route;
      return route;
    }
  }
  ns.routes.push(route);
  return route;
}

export interface RouteMatch {
  dst?: string;
  table?: 'main' | 'local' | 'all';
  gateway?: string;
  dev?: number;
  metric?: number;
  protocol?: string;
  scope?: SimRoute['scope'];
  type?: SimRoute['type'];
}

export function routeMatches(r: SimRoute, m: RouteMatch): boolean {
  if (m.table !== 'all' && r.table !== (m.table ?? 'main')) return false;
  if (m.dst !== undefined && r.dst !== (m.dst === 'default' ? 'default' : networkOf(m.dst))) return false;
  if (m.gateway !== undefined && r.gateway !== m.gateway) return false;
  if (m.dev !== undefined && r.dev !== m.dev) return false;
  if (m.metric !== undefined && (r.metric ?? 0) !== m.metric) return false;
  if (m.protocol !== undefined && r.protocol !== m.protocol) return false;
  if (m.scope !== undefined && r.scope !== m.scope) return false;
  if (m.type !== undefined && r.type !== m.type) return false;
  return true;
}

/** `ip route del`: the first matching route (the kernel deletes one). */
export function deleteRoute(ns: SimNetns, m: RouteMatch) {
  const i = ns.routes.findIndex((r) => routeMatches(r, m));
  if (i < 0) throw rtnl('No such process');
  ns.routes.splice(i, 1);
}

export function flushRoutes(ns: SimNetns, m: RouteMatch): number {
  const before = ns.routes.length;
  ns.routes = ns.routes.filter((r) => !routeMatches(r, m));
  return before - ns.routes.length;
}

export const localAddressesOf = (ns: SimNetns) => ns.links.flatMap((l) => l.addrs.map((a) => a.local));

// ------------------------------------------------------------------ neighbours

export function setNeigh(ns: SimNetns, n: { dst: string; dev: SimLink; lladdr?: string; state?: NeighState }, mode: 'add' | 'replace' | 'change') {
  if (!isIp4(n.dst)) throw new OpError(`Error: inet address is expected rather than "${n.dst}".`, 1);
  const i = ns.neighs.findIndex((x) => x.dst === n.dst && x.dev === n.dev.ifindex);
  if (i >= 0 && mode === 'add') throw rtnl('File exists');
  if (i < 0 && mode === 'change') throw rtnl('No such file or directory');
  const entry = { dst: n.dst, dev: n.dev.ifindex, ...(n.lladdr ? { lladdr: n.lladdr } : {}), state: n.state ?? 'PERMANENT' };
  if (i >= 0) ns.neighs[i] = entry;
  else ns.neighs.push(entry);
}

export function deleteNeigh(ns: SimNetns, dst: string, dev: SimLink) {
  const i = ns.neighs.findIndex((x) => x.dst === dst && x.dev === dev.ifindex);
  if (i < 0) throw rtnl('No such file or directory');
  ns.neighs.splice(i, 1);
}

// ------------------------------------------------------------------ fdb

export interface FdbSpec {
  mac: string;
  dev: SimLink;
  dst?: string;
  self: boolean;
  master: boolean;
  state: SimFdb['state'];
  vlan?: number;
}

/**
 * `bridge fdb add|append|replace|del`. Without `self`/`master`, iproute2 means self; on a bridge
 * port `master` reaches the bridge's table. vxlan devices keep their own (self) table, where a
 * MAC may have several destinations (`append`).
 */
export function fdbChange(ns: SimNetns, s: FdbSpec, op: 'add' | 'append' | 'replace' | 'del') {
  const toBridge = s.master && !s.self;
  const br = toBridge ? linkByIndex(ns, s.dev.master) : undefined;
  if (toBridge && !br) throw rtnl('Operation not supported');
  if (!toBridge && s.dev.kind !== 'vxlan' && s.dev.kind !== 'bridge' && s.dev.kind !== 'veth') throw rtnl('Operation not supported');
  const same = (f: SimFdb) =>
    f.mac === s.mac && f.dev === s.dev.ifindex && (toBridge ? f.master === br!.ifindex : f.self === true) && (op === 'append' || op === 'del' ? (s.dst === undefined || f.dst === s.dst) : true);
  const entry: SimFdb = {
    mac: s.mac,
    dev: s.dev.ifindex,
    ...(toBridge ? { master: br!.ifindex } : { self: true }),
    ...(s.dst ? { dst: s.dst } : {}),
    state: s.state,
    ...(s.vlan !== undefined ? { vlan: s.vlan } : {}),
  };
  if (op === 'del') {
    const i = ns.fdb.findIndex(same);
    if (i < 0) throw rtnl('No such file or directory');
    ns.fdb.splice(i, 1);
    return;
  }
  if (op === 'append') {
    if (s.dev.kind !== 'vxlan') throw rtnl('Operation not supported');
    if (!ns.fdb.some(same)) ns.fdb.push(entry); // appending an existing destination is a no-op
    return;
  }
  const i = ns.fdb.findIndex(same);
  if (i >= 0) {
    if (op === 'add') throw rtnl('File exists');
    ns.fdb[i] = entry;
    return;
  }
  ns.fdb.push(entry);
}

// ------------------------------------------------------------------ helpers for display

/** IPv6 link-local the kernel gives a link (EUI-64 from its MAC) once it is up with carrier. */
export function linkLocal6(world: World, ns: SimNetns, l: SimLink): string | undefined {
  if (!l.up || l.kind === 'loopback' || l.kind === 'ipip' || !l.mac || l.noLinkLocal6) return undefined;
  if (!hasCarrier(world, ns, l) && !(l.kind === 'bridge' && l.keptLinkLocal6)) return undefined;
  const b = l.mac.split(':').map((x) => parseInt(x, 16));
  if (b.length !== 6 || b.every((x) => x === 0)) return undefined;
  const e = [b[0]! ^ 2, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  const groups = [0xfe80, 0, 0, 0, ...[0, 2, 4, 6].map((i) => (e[i]! << 8) | e[i + 1]!)];
  return ip6Text(groups);
}

export const netmaskOk = (len: number) => Number.isInteger(len) && len >= 0 && len <= 32;
export { fromInt, maskOf, toInt };

/** RFC 5952 text of eight 16-bit groups: the longest run (≥ 2) of zero groups becomes "::". */
export function ip6Text(g: number[]): string {
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < g.length; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < g.length && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}
