// Path MTU discovery's memory: an ICMP "fragmentation needed" that reaches a sender leaves a route
// exception for that destination (the MTU it names, for net.ipv4.route.mtu_expires = 600 s). The
// sender's own packets with DF are then refused locally (EMSGSIZE) above that size, and
// `ip route get` shows the exception as `cache expires 597sec mtu 1450`. Forwarded packets do not
// use it (net.ipv4.ip_forward_use_pmtu = 0).
import type { SimNetns } from './model.ts';

export const PMTU_EXPIRES_MS = 600_000;
/** The kernel ignores an advertised MTU below min_pmtu (552). */
const MIN_PMTU = 552;

/** What the ICMP taught the sender, where it lowers the path below the route's device. */
export function learnPmtu(ns: SimNetns, dst: string, mtu: number, devMtu: number, now = Date.now()): void {
  if (mtu >= devMtu) return;
  const keep = (ns.pmtu ?? []).filter((e) => e.dst !== dst && e.until > now);
  ns.pmtu = [...keep, { dst, mtu: Math.max(mtu, MIN_PMTU), until: now + PMTU_EXPIRES_MS }];
}

/** The exception for `dst`, if one is still alive. */
export function pmtuFor(ns: SimNetns, dst: string, now = Date.now()): { mtu: number; expiresSec: number } | undefined {
  const e = ns.pmtu?.find((x) => x.dst === dst && x.until > now);
  // Whole seconds left, as the kernel counts them: a moment after learning, 599.
  return e ? { mtu: e.mtu, expiresSec: Math.max(0, Math.ceil((e.until - now) / 1000) - 1) } : undefined;
}

/** `ip route flush cache`: the exceptions are forgotten. */
export function flushPmtu(ns: SimNetns): void {
  delete ns.pmtu;
}
