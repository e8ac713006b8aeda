// The packet walk: an IPv4 packet followed through the simulated namespaces the way the kernel
// moves it. Output route lookup and source selection; neighbour resolution by ARP across the L2
// domain (veth pairs, bridges that learn and flood); input: conntrack de-NAT, rp_filter, local
// delivery or forwarding (ip_forward, TTL, MTU/DF, ICMP errors); masquerade on the way out; VXLAN
// and IP-in-IP encapsulation over the underlay and decapsulation at the far end. The echo
// responder answers in the target namespace, so one call walks a ping there and back; a TCP SYN
// is answered the same way (SYN-ACK from a listening socket, RST-ACK from none).
//
// nftables filter chains (nft.ts) are applied at the input, forward and output hooks, and bridged
// IPv4 frames meet the forward hook when br_netfilter's net.bridge.bridge-nf-call-iptables is 1 in
// the bridge's namespace. Conntrack (for `ct state`) lives as long as one walk: a connection's
// packets there and back are one walk, so a reply is `established` and an ICMP error about a
// tracked flow `related`; entries do not outlive the walk (no `conntrack -L`, no timeouts), and
// TCP is the handshake only (no data, sequence numbers, retransmissions or FIN).
//
// Every link crossed counts its packets and feeds matching captures; every decision is a Step,
// which `trace.ts` turns into the hop-by-hop story.
import { fibLookup, isLocalAddress, selectSource } from '../fib.ts';
import { inPrefix } from '../ip4.ts';
import { hasCarrier, linkByIndex, NEIGH_PROBE_MS, vethPeer, type SimLink, type SimNetns, type World } from '../model.ts';
import { hasHook, nftHook } from '../nft.ts';
import { learnPmtu, pmtuFor } from '../pmtu.ts';
import type { HookPacket } from '../nftRules.ts';
import { compileFilter, type FramePredicate } from './filter.ts';
import { frameLine, icmpErrorLen, packetLine, type FormatOpts } from './format.ts';
import { BROADCAST_MAC, IPIP_OVERHEAD, UNREACH, VXLAN_OVERHEAD, frameLen, type Frame, type IpPacket } from './types.ts';
import { english, isMsg, msg, type Msg, type Text } from '../../../i18n/text.ts';

export type StepKind = 'route' | 'neigh' | 'bridge' | 'veth' | 'forward' | 'encap' | 'decap' | 'nat' | 'deliver' | 'drop' | 'icmp' | 'send';
export type Direction = 'request' | 'reply';

export interface Step {
  direction: Direction;
  /** Namespace id. */
  ns: string;
  step: StepKind;
  dev?: string;
  /** The detail in English. */
  detail: string;
  /** The same as a catalogue message (src/i18n), for a person reading another language. */
  msg?: Msg;
  /** Set while the packet travels encapsulated: the outer header. */
  outer?: string;
  /** Typed facts behind the detail (route, neighbour, fdb entry, MTU…). */
  data?: Record<string, unknown>;
}

export type Outcome =
  | { kind: 'delivered'; ns: string; ifindex: number; pkt: IpPacket }
  | { kind: 'dropped'; ns: string; reason: Text }
  | { kind: 'consumed'; ns: string }
  | { kind: 'local-error'; ns: string; error: 'EMSGSIZE' | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES'; message: string; mtu?: number };

interface Conn {
  ns: string;
  proto: IpPacket['proto'];
  key: number;
  origSrc: string;
  natSrc: string;
  dst: string;
}

export interface WalkOptions {
  /** Record steps (trace); counters and captures are fed either way. */
  record?: boolean;
}

export class Walk {
  readonly steps: Step[] = [];
  direction: Direction = 'request';
  /** Seconds spent waiting (a failed ARP costs 3 s: 3 probes, 1 s apart). */
  delay = 0;
  /** Links crossed: the simulated round-trip time grows with it. */
  crossings = 0;
  private readonly conns: Conn[] = [];
  /** Conntrack per namespace: flows seen at a hook (original direction) and whether a reply came. */
  private readonly tracked = new Map<string, { key: string; replied: boolean }[]>();
  private budget = 400;
  private outer: string[] = [];
  private readonly filters = new Map<string, FramePredicate | null>();

  constructor(
    readonly world: World,
    private readonly opts: WalkOptions = {},
  ) {}

  // ------------------------------------------------------------------ bookkeeping

  private note(ns: SimNetns, step: StepKind, detail: Text, dev?: SimLink, data?: Record<string, unknown>) {
    if (!this.opts.record) return;
    const s: Step = { direction: this.direction, ns: ns.id, step, detail: english(detail) };
    if (isMsg(detail) && 'id' in detail) s.msg = detail;
    if (dev) s.dev = dev.name;
    if (this.outer.length > 0) s.outer = this.outer[this.outer.length - 1];
    if (data) s.data = data;
    this.steps.push(s);
  }

  private guard(ns: SimNetns): Outcome | undefined {
    if (--this.budget <= 0) return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.loop') };
    return undefined;
  }

  /** A frame crosses a link: counters, then every open capture on it that the filter lets through. */
  private wire(ns: SimNetns, link: SimLink, dir: 'rx' | 'tx', frame: Frame) {
    const frags = fragments(frame.ip);
    const bytes = frameLen(frame);
    if (dir === 'rx') {
      link.stats.rxPackets += frags;
      link.stats.rxBytes += bytes;
    } else {
      link.stats.txPackets += frags;
      link.stats.txBytes += bytes;
      this.crossings++;
    }
    for (const cap of this.world.captures) {
      if (cap.ns !== ns.id || (cap.ifname !== link.name && cap.ifname !== 'any')) continue;
      const pred = this.filter(cap.filter);
      if (!pred || !pred(frame)) continue;
      const o: FormatOpts = { verbose: cap.flags?.includes('-v'), ether: cap.flags?.includes('-e') && link.kind !== 'ipip' };
      cap.lines.push(...captureLines(frame, link, o));
    }
  }

  private filter(expr: string): FramePredicate | null {
    if (!this.filters.has(expr)) {
      try {
        this.filters.set(expr, compileFilter(expr));
      } catch {
        this.filters.set(expr, null);
      }
    }
    return this.filters.get(expr)!;
  }

  private ns(id: string): SimNetns {
    return this.world.namespaces[id]!;
  }

  // ------------------------------------------------------------------ netfilter

  /**
   * A packet at a hook of `ns`: its conntrack state, then the namespace's filter chains. Returns
   * the drop as an outcome, or undefined when it goes on (the flow is then tracked).
   */
  private hook(ns: SimNetns, hook: 'input' | 'forward' | 'output', pkt: IpPacket, iif: string | undefined, oif: string | undefined, how?: Text): Outcome | undefined {
    const ct = this.ctState(ns, pkt);
    if (hasHook(ns, hook)) {
      const hp: HookPacket = { src: pkt.src, dst: pkt.dst, proto: pkt.proto, ct: ct.state, len: pkt.len };
      const l4 = pkt.tcp ?? pkt.udp;
      if (l4) {
        hp.sport = l4.sport;
        hp.dport = l4.dport;
      }
      if (iif !== undefined) hp.iif = iif;
      if (oif !== undefined) hp.oif = oif;
      const v = nftHook(ns, hook, hp);
      const what = how ? msg('trace.hop.nftWhatHow', { hook, how, ct: ct.state }) : msg('trace.hop.nftWhat', { hook, ct: ct.state });
      if (v.verdict === 'drop') {
        const detail = msg('trace.hop.nftDropped', { what, by: v.by ?? '' });
        this.note(ns, 'drop', detail, undefined, { hook, ct: ct.state, by: v.by });
        return { kind: 'dropped', ns: ns.id, reason: detail };
      }
      this.note(ns, 'forward', v.by ? msg('trace.hop.nftAcceptedBy', { what, by: v.by }) : msg('trace.hop.nftAccepted', { what }), undefined, { hook, ct: ct.state, by: v.by });
    }
    ct.confirm();
    return undefined;
  }

  /** Conntrack's view of a packet in `ns`: new, established (a reply, or after one), related (an ICMP error about a flow). */
  private ctState(ns: SimNetns, pkt: IpPacket): { state: HookPacket['ct']; confirm(): void } {
    const list = this.tracked.get(ns.id) ?? [];
    const none = { confirm() {} };
    const err = pkt.icmp && (pkt.icmp.kind === 'dest-unreach' || pkt.icmp.kind === 'time-exceeded');
    if (err && pkt.icmp!.orig) {
      const o = pkt.icmp!.orig;
      const k = flowKey(o);
      const back = flowKey({ ...o, src: o.dst, dst: o.src, ...swapPorts(o) });
      return list.some((e) => e.key === k || e.key === back) ? { state: 'related', ...none } : { state: 'invalid', ...none };
    }
    const key = flowKey(pkt);
    const reverse = flowKey({ ...pkt, src: pkt.dst, dst: pkt.src, ...swapPorts(pkt) });
    const orig = list.find((e) => e.key === key);
    if (orig) return { state: orig.replied ? 'established' : 'new', ...none };
    const reply = list.find((e) => e.key === reverse);
    if (reply) {
      reply.replied = true;
      return { state: 'established', ...none };
    }
    return {
      state: 'new',
      confirm: () => {
        if (!list.some((e) => e.key === key)) list.push({ key, replied: false });
        this.tracked.set(ns.id, list);
      },
    };
  }

  // ------------------------------------------------------------------ output

  /**
   * A packet made in `ns` (ping's, an echo reply, an ICMP error, an encapsulated one): route
   * lookup, source, MTU, masquerade, neighbour, out. `origin`: a socket waits for it here, so a
   * failed neighbour comes back to it as "Destination Host Unreachable" and errors are local.
   */
  output(ns: SimNetns, pkt: IpPacket, opts: { origin?: boolean; oif?: number } = {}): Outcome {
    const g = this.guard(ns);
    if (g) return g;
    const hit = fibLookup(this.world, ns, pkt.dst, opts.oif === undefined ? {} : { oif: opts.oif });
    if (hit.type === 'unreachable' || !('dev' in hit)) {
      const miss = hit as { error: string };
      this.note(ns, 'route', msg('trace.hop.noRoute', { dst: pkt.dst, error: miss.error }), undefined, { dst: pkt.dst, error: miss.error });
      const error = miss.error === 'No route to host' ? 'EHOSTUNREACH' : miss.error === 'Permission denied' ? 'EACCES' : 'ENETUNREACH';
      return opts.origin ? { kind: 'local-error', ns: ns.id, error, message: miss.error } : { kind: 'dropped', ns: ns.id, reason: msg('trace.why.noRoute', { dst: pkt.dst }) };
    }
    if (!pkt.src) pkt.src = hit.src ?? '0.0.0.0';
    const dropped = this.hook(ns, 'output', pkt, undefined, hit.dev.name);
    if (dropped) return opts.origin ? { kind: 'local-error', ns: ns.id, error: 'EACCES', message: 'Operation not permitted' } : dropped;
    if (hit.type === 'local') {
      this.note(ns, 'route', msg('trace.hop.localAddress', { dst: pkt.dst }), hit.dev, { table: 'local' });
      const f: Frame = { srcMac: '00:00:00:00:00:00', dstMac: '00:00:00:00:00:00', ip: pkt };
      this.wire(ns, hit.dev, 'tx', f);
      this.wire(ns, hit.dev, 'rx', f);
      return this.localDeliver(ns, hit.dev, pkt);
    }
    const r = hit.route!;
    this.note(ns, 'route', msg('trace.hop.route', { route: routeText(ns, r), why: r.dst === 'default' ? msg('trace.why.defaultRoute') : longestMatch(r.dst), src: pkt.src }), hit.dev, {
      route: r.dst,
      gateway: r.gateway,
      src: pkt.src,
    });
    const size = pkt.len;
    // The sender's own packets also meet the path MTU that discovery learnt for this destination.
    const mtu = opts.origin ? Math.min(hit.dev.mtu, pmtuFor(ns, pkt.dst)?.mtu ?? Infinity) : hit.dev.mtu;
    if (size > mtu) {
      if (pkt.df) {
        this.note(ns, 'drop', msg('trace.hop.tooBig', { size, dev: hit.dev.name, mtu }), hit.dev, { mtu, size });
        return opts.origin ? { kind: 'local-error', ns: ns.id, error: 'EMSGSIZE', message: 'message too long', mtu } : { kind: 'dropped', ns: ns.id, reason: msg('trace.why.tooBig', { mtu }) };
      }
      pkt.fragSize = Math.min(pkt.fragSize ?? Infinity, mtu);
    }
    this.postrouting(ns, hit.dev, hit.nexthop, pkt);
    return this.xmit(ns, hit.dev, hit.nexthop, pkt, !!opts.origin, r.onlink ?? false);
  }

  /** nftables masquerade on the way out: the source becomes the output device's address. */
  private postrouting(ns: SimNetns, dev: SimLink, nexthop: string, pkt: IpPacket) {
    const isNew = pkt.icmp?.kind === 'echo-request' || (pkt.proto === 'udp' && !pkt.udp?.vxlan) || pkt.tcp?.flags === 'S';
    if (!isNew) return;
    for (const m of ns.nft.masquerade) {
      if (m.saddr && !inPrefix(pkt.src, m.saddr)) continue;
      if (m.daddrNot && inPrefix(pkt.dst, m.daddrNot)) continue;
      if (m.oifname && m.oifname !== dev.name) continue;
      const natSrc = selectSource(ns, dev, nexthop);
      if (!natSrc || natSrc === pkt.src) return;
      this.conns.push({ ns: ns.id, proto: pkt.proto, key: connKey(pkt), origSrc: pkt.src, natSrc, dst: pkt.dst });
      this.note(ns, 'nat', msg('trace.hop.masquerade', { table: m.table, from: pkt.src, to: natSrc, dev: dev.name }), dev, { table: m.table, from: pkt.src, to: natSrc });
      pkt.src = natSrc;
      return;
    }
  }

  /** Out of a device towards a next hop: tunnels encapsulate, Ethernet devices need the next hop's MAC. */
  private xmit(ns: SimNetns, dev: SimLink, nexthop: string, pkt: IpPacket, origin: boolean, onlink: boolean): Outcome {
    if (dev.kind === 'ipip') return this.ipipXmit(ns, dev, nexthop, pkt, onlink);
    const mac = this.resolve(ns, dev, nexthop, pkt.src);
    if (mac === undefined) {
      this.delay += 3;
      this.note(ns, 'neigh', msg('trace.hop.arpFailed', { ip: nexthop, dev: dev.name }), dev, { nexthop, state: 'FAILED' });
      if (origin) {
        this.note(ns, 'icmp', msg('trace.hop.hostUnreachable', { src: pkt.src }), dev);
        return { kind: 'delivered', ns: ns.id, ifindex: dev.ifindex, pkt: icmpErr(pkt, pkt.src, UNREACH.host) };
      }
      return this.icmpError(ns, pkt, 'dest-unreach', UNREACH.host);
    }
    return this.l2Tx(ns, dev, { srcMac: dev.mac, dstMac: mac, ip: pkt });
  }

  // ------------------------------------------------------------------ neighbours (ARP)

  private resolve(ns: SimNetns, dev: SimLink, ip: string, srcHint: string): string | undefined {
    const n = ns.neighs.find((x) => x.dst === ip && x.dev === dev.ifindex);
    if (n?.lladdr && n.state !== 'FAILED' && n.state !== 'INCOMPLETE') {
      this.note(ns, 'neigh', msg('trace.hop.neigh', { ip, dev: dev.name, mac: n.lladdr, state: n.state }), dev, { ip, lladdr: n.lladdr, state: n.state });
      return n.lladdr;
    }
    if (dev.kind === 'loopback') return '00:00:00:00:00:00';
    const sender = isLocalAddress(ns, srcHint) ? srcHint : (selectSource(ns, dev, ip) ?? '0.0.0.0');
    this.note(ns, 'neigh', msg('trace.hop.arpRequest', { ip, dev: dev.name, sender }), dev, { ip, arp: 'request' });
    const req: Frame = { srcMac: dev.mac, dstMac: BROADCAST_MAC, arp: { op: 'request', senderIp: sender, senderMac: dev.mac, targetIp: ip } };
    this.l2Tx(ns, dev, req);
    const got = ns.neighs.find((x) => x.dst === ip && x.dev === dev.ifindex);
    if (got?.lladdr && got.state === 'REACHABLE') {
      this.note(ns, 'neigh', msg('trace.hop.arpReply', { ip, mac: got.lladdr }), dev, { ip, lladdr: got.lladdr, state: 'REACHABLE' });
      return got.lladdr;
    }
    // Nobody answered: the entry is INCOMPLETE while the kernel keeps probing, FAILED after (neighState).
    const failsAt = Date.now() + NEIGH_PROBE_MS;
    if (!got) ns.neighs.push({ dst: ip, dev: dev.ifindex, state: 'INCOMPLETE', failsAt });
    else if (got.state !== 'PERMANENT') {
      got.state = 'INCOMPLETE';
      got.failsAt = failsAt;
      delete got.lladdr;
    }
    return undefined;
  }

  private learnNeigh(ns: SimNetns, dev: SimLink, ip: string, mac: string, state: 'REACHABLE' | 'STALE') {
    const n = ns.neighs.find((x) => x.dst === ip && x.dev === dev.ifindex);
    if (n) {
      if (n.state === 'PERMANENT' || n.state === 'NOARP') return;
      if (state === 'STALE' && n.lladdr === mac && n.state === 'REACHABLE') return;
      n.lladdr = mac;
      n.state = state;
      delete n.failsAt;
    } else ns.neighs.push({ dst: ip, dev: dev.ifindex, lladdr: mac, state });
  }

  // ------------------------------------------------------------------ L2

  /** A frame leaves through `link`. */
  private l2Tx(ns: SimNetns, link: SimLink, frame: Frame): Outcome {
    const g = this.guard(ns);
    if (g) return g;
    if (!link.up) {
      link.stats.txDropped++;
      const down = msg('trace.hop.linkDown', { dev: link.name });
      this.note(ns, 'drop', down, link);
      return { kind: 'dropped', ns: ns.id, reason: down };
    }
    if (link.kind === 'vxlan') return this.vxlanXmit(ns, link, frame);
    if (link.kind === 'bridge') {
      this.wire(ns, link, 'tx', frame);
      return this.bridgeForward(ns, link, undefined, frame);
    }
    if (link.kind === 'veth') {
      const peer = vethPeer(this.world, link);
      if (!peer || !hasCarrier(this.world, ns, link)) {
        link.stats.txDropped++;
        this.note(ns, 'drop', msg('trace.hop.noCarrier', { dev: link.name }), link);
        return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.noCarrier', { dev: link.name }) };
      }
      this.wire(ns, link, 'tx', frame);
      if (frame.ip) this.note(ns, 'veth', msg('trace.hop.veth', { dev: link.name, peer: peer.link.name, ns: peer.ns.id }), link, { peerNs: peer.ns.id, peer: peer.link.name });
      this.wire(peer.ns, peer.link, 'rx', frame);
      return this.l2Rx(peer.ns, peer.link, frame);
    }
    if (link.kind === 'loopback') {
      this.wire(ns, link, 'tx', frame);
      this.wire(ns, link, 'rx', frame);
      return this.netifReceive(ns, link, frame);
    }
    // dummy: goes nowhere
    this.wire(ns, link, 'tx', frame);
    return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.dummy', { dev: link.name }) };
  }

  /** A frame arrives on `link` from the wire. */
  private l2Rx(ns: SimNetns, link: SimLink, frame: Frame): Outcome {
    if (!link.up) {
      link.stats.rxDropped++;
      return { kind: 'dropped', ns: ns.id, reason: msg('trace.hop.linkDown', { dev: link.name }) };
    }
    const br = linkByIndex(ns, link.master);
    if (br && br.kind === 'bridge') return this.bridgeInput(ns, br, link, frame);
    return this.netifReceive(ns, link, frame);
  }

  private bridgeInput(ns: SimNetns, br: SimLink, port: SimLink, frame: Frame): Outcome {
    if (!br.up || (port.portState && port.portState !== 'forwarding')) {
      port.stats.rxDropped++;
      const why = !br.up ? msg('trace.why.bridgeDown', { bridge: br.name }) : msg('trace.why.portState', { port: port.name, state: port.portState ?? '' });
      if (frame.ip) this.note(ns, 'drop', why, port);
      return { kind: 'dropped', ns: ns.id, reason: why };
    }
    if (port.learning !== false && frame.srcMac !== BROADCAST_MAC) {
      const e = ns.fdb.find((f) => f.master === br.ifindex && f.mac === frame.srcMac);
      if (!e) ns.fdb.push({ mac: frame.srcMac, dev: port.ifindex, master: br.ifindex, state: 'learned' });
      else if (e.state === 'learned') e.dev = port.ifindex;
    }
    return this.bridgeForward(ns, br, port, frame);
  }

  /** The bridge's forwarding decision for a frame from `ingress` (undefined: sent by the bridge device itself). */
  private bridgeForward(ns: SimNetns, br: SimLink, ingress: SimLink | undefined, frame: Frame): Outcome {
    const ports = ns.links.filter((l) => l.master === br.ifindex);
    const local = ingress !== undefined && (frame.dstMac === br.mac || ports.some((p) => p.mac === frame.dstMac));
    if (local) {
      if (frame.ip) this.note(ns, 'bridge', msg('trace.hop.bridgeLocal', { bridge: br.name, mac: frame.dstMac }), br);
      this.wire(ns, br, 'rx', frame);
      return this.netifReceive(ns, br, frame);
    }
    const outcomes: Outcome[] = [];
    const out = (p: SimLink) => {
      if (p === ingress) return;
      if (!p.up || (p.portState && p.portState !== 'forwarding')) {
        const state = (p.up ? p.portState : 'down') ?? '';
        if (frame.ip) this.note(ns, 'drop', msg('trace.hop.bridgePort', { bridge: br.name, port: p.name, state }), p);
        outcomes.push({ kind: 'dropped', ns: ns.id, reason: msg('trace.why.bridgePort', { port: p.name, state }) });
        return;
      }
      // br_netfilter: a bridged IPv4 frame meets the ip family's forward hook, in and out the bridge.
      if (frame.ip && ingress && ns.sysctl['net.bridge.bridge-nf-call-iptables'] !== '0') {
        const dropped = this.hook(ns, 'forward', frame.ip, br.name, br.name, msg('trace.why.bridged', { from: ingress.name, to: p.name }));
        if (dropped) {
          outcomes.push(dropped);
          return;
        }
      }
      outcomes.push(this.l2Tx(ns, p, frame));
    };
    if (frame.dstMac === BROADCAST_MAC) {
      for (const p of ports) out(p);
      if (ingress) {
        this.wire(ns, br, 'rx', frame);
        outcomes.push(this.netifReceive(ns, br, frame));
      }
      return best(outcomes, ns);
    }
    const entry = ns.fdb.find((f) => f.master === br.ifindex && f.mac === frame.dstMac && f.dev !== br.ifindex);
    const target = entry && linkByIndex(ns, entry.dev);
    if (target) {
      if (frame.ip) this.note(ns, 'bridge', msg('trace.hop.fdb', { bridge: br.name, mac: frame.dstMac, port: target.name, state: entry.state }), target, { mac: frame.dstMac, port: target.name, state: entry.state });
      if (target === ingress) return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.behindIngress') };
      out(target);
      return best(outcomes, ns);
    }
    if (frame.ip) this.note(ns, 'bridge', msg('trace.hop.flood', { bridge: br.name, mac: frame.dstMac }), br, { mac: frame.dstMac, flood: true });
    for (const p of ports) out(p);
    return best(outcomes, ns);
  }

  /** A frame reaches a device that is not a bridge port: ours if addressed to it. */
  private netifReceive(ns: SimNetns, link: SimLink, frame: Frame): Outcome {
    if (frame.dstMac !== BROADCAST_MAC && frame.dstMac !== link.mac && link.kind !== 'loopback' && link.kind !== 'bridge') {
      return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.notForUs', { dev: link.name }) };
    }
    if (frame.arp) {
      const a = frame.arp;
      if (!isLocalAddress(ns, a.targetIp)) return { kind: 'consumed', ns: ns.id };
      if (a.op === 'request') {
        this.learnNeigh(ns, link, a.senderIp, a.senderMac, 'STALE');
        const reply: Frame = { srcMac: link.mac, dstMac: a.senderMac, arp: { op: 'reply', senderIp: a.targetIp, senderMac: link.mac, targetIp: a.senderIp, targetMac: a.senderMac } };
        this.l2Tx(ns, link, reply);
      } else this.learnNeigh(ns, link, a.senderIp, a.senderMac, 'REACHABLE');
      return { kind: 'consumed', ns: ns.id };
    }
    return this.ipRcv(ns, link, frame.ip!);
  }

  // ------------------------------------------------------------------ input

  private ipRcv(ns: SimNetns, link: SimLink, incoming: IpPacket): Outcome {
    const g = this.guard(ns);
    if (g) return g;
    const pkt: IpPacket = { ...incoming };
    // conntrack: the reply of a masqueraded flow gets its original destination back.
    const c = this.conns.find((x) => x.ns === ns.id && x.natSrc === pkt.dst && ((x.dst === pkt.src && x.key === connKey(pkt)) || (pkt.icmp?.orig?.src === x.natSrc && pkt.icmp.orig.dst === x.dst)));
    if (c && (pkt.icmp?.kind !== 'echo-request')) {
      this.note(ns, 'nat', msg('trace.hop.unmasquerade', { from: pkt.dst, to: c.origSrc }), link, { from: pkt.dst, to: c.origSrc });
      pkt.dst = c.origSrc;
      if (pkt.icmp?.orig) pkt.icmp = { ...pkt.icmp, orig: { ...pkt.icmp.orig, src: c.origSrc } };
    }
    const rp = rpFilter(ns, link);
    if (rp > 0 && !isLocalAddress(ns, pkt.src)) {
      const back = fibLookup(this.world, ns, pkt.src);
      const ok = 'dev' in back && back.type !== 'local' && (rp === 2 || back.dev.ifindex === link.ifindex);
      if (!ok) {
        link.stats.rxDropped++;
        const how = 'dev' in back ? msg('trace.why.rpLeaves', { dev: back.dev.name, link: link.name }) : msg('trace.why.rpNone');
        this.note(ns, 'drop', msg('trace.hop.rpFilter', { rp, src: pkt.src, how }), link, { rp_filter: rp });
        return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.rpFilter', { rp, dev: link.name }) };
      }
    }
    if (isLocalAddress(ns, pkt.dst)) {
      const dropped = this.hook(ns, 'input', pkt, link.name, undefined);
      return dropped ?? this.localDeliver(ns, link, pkt);
    }
    return this.forward(ns, link, pkt);
  }

  private forward(ns: SimNetns, inLink: SimLink, pkt: IpPacket): Outcome {
    if (ns.sysctl['net.ipv4.ip_forward'] !== '1') {
      this.note(ns, 'drop', msg('trace.hop.noForward', { dst: pkt.dst }), inLink, { ip_forward: 0 });
      return { kind: 'dropped', ns: ns.id, reason: 'net.ipv4.ip_forward=0' };
    }
    if (pkt.ttl <= 1) {
      this.note(ns, 'drop', msg('trace.hop.ttl', { ttl: pkt.ttl }), inLink, { ttl: pkt.ttl });
      return this.icmpError(ns, pkt, 'time-exceeded', 0);
    }
    const hit = fibLookup(this.world, ns, pkt.dst);
    if (hit.type === 'unreachable' || !('dev' in hit)) {
      const miss = hit as { error: string; route?: { type: string } };
      this.note(ns, 'drop', msg('trace.hop.noRoute', { dst: pkt.dst, error: miss.error }), inLink, { dst: pkt.dst });
      const code = miss.route?.type === 'unreachable' ? UNREACH.host : miss.route?.type === 'prohibit' ? 13 : UNREACH.net;
      return this.icmpError(ns, pkt, 'dest-unreach', code);
    }
    const r = hit.route!;
    this.note(ns, 'forward', msg('trace.hop.forward', { ttl: pkt.ttl, next: pkt.ttl - 1, route: routeText(ns, r), why: r.dst === 'default' ? msg('trace.why.defaultShort') : longestMatch(r.dst) }), hit.dev, {
      route: r.dst,
      gateway: r.gateway,
      ttl: pkt.ttl - 1,
    });
    pkt.ttl--;
    const size = pkt.fragSize ?? pkt.len;
    if (size > hit.dev.mtu) {
      if (pkt.df) {
        this.note(ns, 'drop', msg('trace.hop.fragNeeded', { size, dev: hit.dev.name, mtu: hit.dev.mtu, src: pkt.src }), hit.dev, { mtu: hit.dev.mtu, size });
        return this.icmpError(ns, pkt, 'dest-unreach', UNREACH.fragNeeded, hit.dev.mtu);
      }
      pkt.fragSize = hit.dev.mtu;
    }
    const dropped = this.hook(ns, 'forward', pkt, inLink.name, hit.dev.name);
    if (dropped) return dropped;
    this.postrouting(ns, hit.dev, hit.nexthop, pkt);
    return this.xmit(ns, hit.dev, hit.nexthop, pkt, false, r.onlink ?? false);
  }

  private localDeliver(ns: SimNetns, link: SimLink, pkt: IpPacket): Outcome {
    if (pkt.icmp?.kind === 'echo-request') {
      this.note(ns, 'deliver', msg('trace.hop.echoAnswered', { dst: pkt.dst, dev: link.name }), link);
      const reply: IpPacket = {
        src: pkt.dst,
        dst: pkt.src,
        ttl: Number(ns.sysctl['net.ipv4.ip_default_ttl'] ?? '64') || 64,
        df: false,
        len: pkt.len,
        proto: 'icmp',
        icmp: { kind: 'echo-reply', id: pkt.icmp.id, seq: pkt.icmp.seq },
      };
      const before = this.direction;
      this.direction = 'reply';
      const o = this.output(ns, reply);
      this.direction = before;
      return o;
    }
    if (pkt.proto === 'tcp' && pkt.tcp) {
      const t = pkt.tcp;
      if (t.flags !== 'S') {
        this.note(ns, 'deliver', msg('trace.hop.tcpToSocket', { flags: t.flags, src: pkt.src, sport: t.sport, dst: pkt.dst, dport: t.dport }), link);
        return { kind: 'delivered', ns: ns.id, ifindex: link.ifindex, pkt };
      }
      const open = listening(ns, 'tcp', t.dport);
      this.note(ns, 'deliver', msg(open ? 'trace.hop.tcpSynOpen' : 'trace.hop.tcpSynClosed', { dst: pkt.dst, port: t.dport }), link, { port: t.dport, listening: open });
      const answer: IpPacket = {
        src: pkt.dst,
        dst: pkt.src,
        ttl: Number(ns.sysctl['net.ipv4.ip_default_ttl'] ?? '64') || 64,
        df: true,
        len: open ? 60 : 40,
        proto: 'tcp',
        tcp: { sport: t.dport, dport: t.sport, flags: open ? 'S.' : 'R.' },
      };
      const before = this.direction;
      this.direction = 'reply';
      const o = this.output(ns, answer);
      this.direction = before;
      return o;
    }
    if (pkt.proto === 'udp' && pkt.udp && !pkt.udp.vxlan && listening(ns, 'udp', pkt.udp.dport)) {
      this.note(ns, 'deliver', msg('trace.hop.udpListens', { dst: pkt.dst, port: pkt.udp.dport }), link);
      return { kind: 'delivered', ns: ns.id, ifindex: link.ifindex, pkt };
    }
    if (pkt.proto === 'udp' && pkt.udp) {
      const vx = ns.links.find((l) => l.kind === 'vxlan' && l.up && l.vxlan && l.vxlan.port === pkt.udp!.dport && (!l.vxlan.local || l.vxlan.local === pkt.dst));
      if (vx && pkt.udp.vxlan) {
        if (vx.vxlan!.id !== pkt.udp.vxlan.vni) {
          this.note(ns, 'drop', msg('trace.hop.vniMismatch', { vni: pkt.udp.vxlan.vni, dev: vx.name, own: vx.vxlan!.id }), vx);
          return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.noVni', { vni: pkt.udp.vxlan.vni }) };
        }
        const inner = pkt.udp.vxlan.inner;
        this.outer.pop();
        this.note(ns, 'decap', msg('trace.hop.vxlanDecap', { port: pkt.udp.dport, src: pkt.src, vni: pkt.udp.vxlan.vni, dev: vx.name }), vx, { vni: pkt.udp.vxlan.vni, outerSrc: pkt.src, outerDst: pkt.dst });
        this.wire(ns, vx, 'rx', inner);
        return this.l2Rx(ns, vx, inner);
      }
      if (pkt.udp.vxlan) this.outer.pop();
      this.note(ns, 'deliver', msg('trace.hop.udpNoListener', { port: pkt.udp.dport, dst: pkt.dst }), link);
      return this.icmpError(ns, pkt, 'dest-unreach', UNREACH.port);
    }
    if (pkt.proto === 'ipip' && pkt.inner) {
      this.outer.pop();
      const tun = ns.links.find((l) => l.kind === 'ipip' && l.up && (!l.ipip?.remote || l.ipip.remote === pkt.src) && (!l.ipip?.local || l.ipip.local === pkt.dst));
      if (!tun) {
        this.note(ns, 'drop', msg('trace.hop.noIpipDev', { src: pkt.src }), link);
        return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.noIpipDev') };
      }
      this.note(ns, 'decap', msg('trace.hop.ipipDecap', { src: pkt.src, dev: tun.name }), tun, { outerSrc: pkt.src, outerDst: pkt.dst });
      const f: Frame = { srcMac: '', dstMac: '', ip: pkt.inner };
      this.wire(ns, tun, 'rx', f);
      return this.ipRcv(ns, tun, pkt.inner);
    }
    const orig = pkt.icmp?.orig;
    if (pkt.icmp?.kind === 'dest-unreach' && pkt.icmp.code === UNREACH.fragNeeded && pkt.icmp.mtu && orig && isLocalAddress(ns, orig.src)) {
      // Path MTU discovery: the kernel keeps what the ICMP says about the way to orig.dst.
      const way = fibLookup(this.world, ns, orig.dst);
      if ('dev' in way) learnPmtu(ns, orig.dst, pkt.icmp.mtu, way.dev.mtu);
    }
    this.note(ns, 'deliver', msg('trace.hop.delivered', { what: pkt.icmp?.kind ?? pkt.proto, dst: pkt.dst, dev: link.name }), link);
    return { kind: 'delivered', ns: ns.id, ifindex: link.ifindex, pkt };
  }

  /** An ICMP error about `about`, sent back to its source (never about an ICMP error). */
  private icmpError(ns: SimNetns, about: IpPacket, kind: 'dest-unreach' | 'time-exceeded', code: number, mtu?: number): Outcome {
    if (about.icmp && about.icmp.kind !== 'echo-request' && about.icmp.kind !== 'echo-reply') return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.icmpAboutIcmp') };
    const err = icmpErr(about, '', code, kind, mtu);
    const before = this.direction;
    this.direction = 'reply';
    this.note(ns, 'icmp', msg('trace.hop.icmpSent', { what: describeIcmp(err), dst: about.src }), undefined, { type: kind, code, mtu });
    const o = this.output(ns, err);
    this.direction = before;
    return o;
  }

  // ------------------------------------------------------------------ tunnels

  private vxlanXmit(ns: SimNetns, vx: SimLink, frame: Frame): Outcome {
    const cfg = vx.vxlan!;
    this.wire(ns, vx, 'tx', frame);
    let entries = ns.fdb.filter((f) => f.dev === vx.ifindex && f.mac === frame.dstMac && f.dst);
    if (entries.length === 0) entries = ns.fdb.filter((f) => f.dev === vx.ifindex && f.mac === '00:00:00:00:00:00' && f.dst);
    if (entries.length === 0) {
      vx.stats.txDropped++;
      if (frame.ip) this.note(ns, 'drop', msg('trace.hop.vxlanNoFdb', { dev: vx.name, mac: frame.dstMac }), vx, { mac: frame.dstMac });
      return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.vxlanNoFdb', { dev: vx.name, mac: frame.dstMac }) };
    }
    const outcomes = entries.map((e) => {
      const inner = frame.ip ? frame.ip.len : 28;
      const outer: IpPacket = {
        src: cfg.local ?? '',
        dst: e.dst!,
        ttl: 64,
        df: false,
        len: inner + VXLAN_OVERHEAD,
        proto: 'udp',
        udp: { sport: vxlanSourcePort(frame), dport: cfg.port, vxlan: { vni: cfg.id, inner: frame } },
      };
      if (frame.ip?.fragSize) outer.fragSize = frame.ip.fragSize + VXLAN_OVERHEAD;
      const encap = msg('trace.hop.vxlanEncap', {
        dev: vx.name,
        mac: frame.dstMac,
        vtep: outer.dst,
        src: outer.src || msg('trace.hop.sourceByRoute'),
        port: cfg.port,
        vni: cfg.id,
        overhead: VXLAN_OVERHEAD,
        len: outer.len,
      });
      if (frame.ip) this.note(ns, 'encap', encap, vx, { mac: frame.dstMac, vtep: e.dst, vni: cfg.id, port: cfg.port, outerLen: outer.len });
      this.outer.push(`${outer.src || '?'} > ${outer.dst}:${cfg.port} VXLAN vni ${cfg.id}`);
      const o = this.output(ns, outer);
      return o;
    });
    return best(outcomes, ns);
  }

  private ipipXmit(ns: SimNetns, tun: SimLink, nexthop: string, pkt: IpPacket, onlink: boolean): Outcome {
    const remote = tun.ipip?.remote ?? (nexthop !== pkt.dst || onlink ? nexthop : undefined);
    if (!hasCarrier(this.world, ns, tun) || !remote) {
      tun.stats.txDropped++;
      this.note(ns, 'drop', msg('trace.hop.ipipNoRemote', { dev: tun.name, dst: pkt.dst }), tun);
      return { kind: 'dropped', ns: ns.id, reason: msg('trace.why.ipipNoRemote', { dev: tun.name }) };
    }
    this.wire(ns, tun, 'tx', { srcMac: '', dstMac: '', ip: pkt });
    const ttl = tun.ipip?.ttl ? tun.ipip.ttl : pkt.ttl;
    const outer: IpPacket = { src: tun.ipip?.local ?? '', dst: remote, ttl, df: tun.ipip?.pmtudisc ? pkt.df : false, len: pkt.len + IPIP_OVERHEAD, proto: 'ipip', inner: pkt };
    if (pkt.fragSize) outer.fragSize = pkt.fragSize + IPIP_OVERHEAD;
    this.note(ns, 'encap', msg('trace.hop.ipipEncap', { dev: tun.name, remote, overhead: IPIP_OVERHEAD, len: outer.len }), tun, { remote, outerLen: outer.len });
    this.outer.push(`${outer.src || '?'} > ${remote} IPIP`);
    return this.output(ns, outer);
  }
}

// ------------------------------------------------------------------ helpers

/** A listening socket on the port, not past its end. */
export function listening(ns: SimNetns, proto: 'tcp' | 'udp', port: number, now = Date.now()): boolean {
  return (ns.sockets ?? []).some((s) => s.proto === proto && s.port === port && (s.until === undefined || s.until > now));
}

/** A flow's identity for conntrack: protocol, addresses, ports (the echo id for ICMP). */
function flowKey(p: Pick<IpPacket, 'proto' | 'src' | 'dst' | 'icmp' | 'udp' | 'tcp'>): string {
  const l4 = p.tcp ?? p.udp;
  const id = l4 ? `${l4.sport}>${l4.dport}` : p.icmp ? `id${p.icmp.id ?? 0}` : '';
  return `${p.proto} ${p.src}>${p.dst} ${id}`;
}

function swapPorts(p: IpPacket): Partial<IpPacket> {
  if (p.tcp) return { tcp: { ...p.tcp, sport: p.tcp.dport, dport: p.tcp.sport } };
  if (p.udp) return { udp: { ...p.udp, sport: p.udp.dport, dport: p.udp.sport } };
  return {};
}

function best(outcomes: Outcome[], ns: SimNetns): Outcome {
  const rank = (o: Outcome) => (o.kind === 'delivered' ? 0 : o.kind === 'local-error' ? 1 : o.kind === 'dropped' ? 2 : 3);
  return [...outcomes].sort((a, b) => rank(a) - rank(b))[0] ?? { kind: 'dropped', ns: ns.id, reason: msg('trace.why.noPort') };
}

const longestMatch = (dst: string) => msg('trace.why.longestMatch', { len: dst.split('/')[1] ?? '' });

function connKey(p: IpPacket): number {
  if (p.icmp) return p.icmp.id ?? 0;
  if (p.udp) return p.udp.sport * 65536 + p.udp.dport;
  if (p.tcp) return p.tcp.sport * 65536 + p.tcp.dport;
  return 0;
}

/** The reply of a UDP flow swaps the ports. */
export function icmpErr(about: IpPacket, src: string, code: number, kind: 'dest-unreach' | 'time-exceeded' = 'dest-unreach', mtu?: number): IpPacket {
  const p: IpPacket = { src, dst: about.src, ttl: 64, df: false, len: icmpErrorLen(about), proto: 'icmp', icmp: { kind, code, orig: about } };
  if (mtu !== undefined) p.icmp!.mtu = mtu;
  return p;
}

function describeIcmp(p: IpPacket): string {
  const i = p.icmp!;
  if (i.kind === 'time-exceeded') return 'time exceeded';
  return ['net unreachable', 'host unreachable', 'protocol unreachable', 'port unreachable', `fragmentation needed (mtu ${i.mtu})`][i.code ?? 0] ?? `unreachable code ${i.code}`;
}

function rpFilter(ns: SimNetns, link: SimLink): number {
  const all = Number(ns.sysctl['net.ipv4.conf.all.rp_filter'] ?? 0);
  const dev = Number(ns.sysctl[`net.ipv4.conf.${link.name.replace(/\./g, '/')}.rp_filter`] ?? ns.sysctl['net.ipv4.conf.default.rp_filter'] ?? 0);
  return Math.max(all, dev);
}

export function routeText(ns: SimNetns, r: { dst: string; gateway?: string; dev?: number; onlink?: boolean }): string {
  const dev = linkByIndex(ns, r.dev)?.name;
  return `route ${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${dev ? ` dev ${dev}` : ''}${r.onlink ? ' onlink' : ''}`;
}

/** How many packets a (possibly fragmented) IP packet is on the wire. */
export function fragments(p: IpPacket | undefined): number {
  if (!p?.fragSize || p.len <= p.fragSize) return 1;
  const per = Math.floor((p.fragSize - 20) / 8) * 8;
  return Math.ceil((p.len - 20) / per);
}

/** VXLAN's source port: a hash of the inner flow (symmetric, as the kernel's flow hash is), in 32768-60999. */
function vxlanSourcePort(f: Frame): number {
  const a = f.ip ? [f.ip.src, f.ip.dst].sort().join('|') : `${f.srcMac}|${f.dstMac}`;
  let h = 0x811c9dc5;
  for (const ch of a) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return 32768 + (h % (60999 - 32768 + 1));
}

/** tcpdump lines for one frame on one link: one entry per packet (a fragmented one is several). */
export function captureLines(frame: Frame, link: SimLink, o: FormatOpts): string[] {
  const p = frame.ip;
  const line = (f: Frame) => (link.kind === 'ipip' ? packetLine(f.ip!, o) : frameLine(f, o));
  if (!p || fragments(p) === 1) return [line(frame)];
  const per = Math.floor((p.fragSize! - 20) / 8) * 8;
  const n = fragments(p);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const payload = i < n - 1 ? per : p.len - 20 - per * (n - 1);
    const frag: IpPacket = { ...p, len: payload + 20, fragment: i === 0 ? 'first' : 'more' };
    delete frag.fragSize;
    out.push(line({ ...frame, ip: frag }));
  }
  return out;
}
