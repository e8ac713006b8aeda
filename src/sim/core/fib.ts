// Route lookup as the kernel's FIB does it for IPv4: the local table first (addresses of this
// namespace), then the main table by longest prefix, lowest metric; then source selection.
import { inPrefix, prefixLen } from './ip4.ts';
import { linkByIndex, type SimLink, type SimNetns, type SimRoute, type World } from './model.ts';

export interface FibHit {
  type: SimRoute['type'];
  route?: SimRoute;
  /** Output device (lo for a local address). */
  dev: SimLink;
  /** Next hop on the link: the route's gateway, or the destination itself. */
  nexthop: string;
  gateway?: string;
  /** Source address the kernel would pick. */
  src?: string;
  table: 'local' | 'main';
}

export interface FibMiss {
  type: 'unreachable';
  /** iproute2's / ping's wording for the failure. */
  error: 'Network is unreachable' | 'No route to host' | 'Permission denied';
  route?: SimRoute;
}

/** Every address of the namespace on an up link, with its link. */
export function localAddresses(ns: SimNetns) {
  return ns.links.filter((l) => l.up).flatMap((l) => l.addrs.map((a) => ({ link: l, addr: a })));
}

/** The local table's answer: the address is one of ours. */
export function isLocalAddress(ns: SimNetns, ip: string) {
  return localAddresses(ns).some((x) => x.addr.local === ip) || (ip.startsWith('127.') && ns.links.some((l) => l.kind === 'loopback' && l.up));
}

/** Main-table routes that match dst, best first (longest prefix, then lowest metric). */
export function matchingRoutes(ns: SimNetns, dst: string): SimRoute[] {
  return ns.routes
    .filter((r) => r.table === 'main' && inPrefix(dst, r.dst))
    .sort((a, b) => prefixLen(b.dst) - prefixLen(a.dst) || (a.metric ?? 0) - (b.metric ?? 0));
}

export function fibLookup(world: World, ns: SimNetns, dst: string, opts: { oif?: number } = {}): FibHit | FibMiss {
  if (isLocalAddress(ns, dst)) {
    const lo = ns.links.find((l) => l.kind === 'loopback')!;
    return { type: 'local', dev: lo, nexthop: dst, src: dst, table: 'local' };
  }
  for (const r of matchingRoutes(ns, dst)) {
    if (opts.oif !== undefined && r.dev !== opts.oif) continue;
    if (r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit') {
      return { type: 'unreachable', error: r.type === 'prohibit' ? 'Permission denied' : r.type === 'unreachable' ? 'No route to host' : 'Network is unreachable', route: r };
    }
    const dev = linkByIndex(ns, r.dev);
    if (!dev || !dev.up) continue;
    // A route over a link without carrier is marked linkdown; the kernel still uses it (the packet is then dropped).
    const nexthop = r.gateway ?? dst;
    return { type: r.type, route: r, dev, nexthop, gateway: r.gateway, src: r.prefsrc ?? selectSource(ns, dev, nexthop), table: 'main' };
  }
  return { type: 'unreachable', error: 'Network is unreachable' };
}

/**
 * inet_select_addr: an address on the output device in the next hop's subnet, else the device's
 * first global address, else the first global address anywhere in the namespace.
 */
export function selectSource(ns: SimNetns, dev: SimLink, nexthop: string): string | undefined {
  const onDev = dev.addrs.filter((a) => a.scope !== 'host');
  const sameNet = onDev.find((a) => inPrefix(nexthop, `${a.local}/${a.prefixlen}`));
  if (sameNet) return sameNet.local;
  if (onDev[0]) return onDev[0].local;
  return localAddresses(ns).find((x) => x.addr.scope === 'global')?.addr.local;
}
