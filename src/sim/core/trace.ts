// A ping followed hop by hop: the echo request from a namespace to an address and, if it gets
// there, the reply walking back. Every decision the walk makes is a step (route and why it
// matched, neighbour/ARP, bridge fdb or flood, veth crossing, forward or drop, NAT, encap and
// decap with the outer header, MTU/DF). Runs on a copy of the world: tracing changes nothing.
import { fibLookup } from './fib.ts';
import type { World } from './model.ts';
import { icmpErrorText } from './ping.ts';
import type { IpPacket } from './packet/types.ts';
import { Walk, type Outcome, type Step } from './packet/walk.ts';
import { english, msg, type Text } from '../../i18n/text.ts';

export type { Step as TraceStep } from './packet/walk.ts';

export interface TraceOptions {
  /** ICMP payload bytes, as ping -s (default 56). */
  size?: number;
  /** DF set (ping -M do); default: set when the packet fits the first hop, as ping does. */
  df?: boolean;
  ttl?: number;
  /** Source address (ping -I addr); default: the route's. */
  src?: string;
}

export interface Trace {
  from: string;
  dst: string;
  src?: string;
  /** Did the echo reply come back to the sender? */
  ok: boolean;
  /** One sentence: "reply received from 10.244.2.2" or where and why it ended (English). */
  summary: string;
  /** The same sentence as a catalogue message (src/i18n). */
  msg: Text;
  /** How the walk ended. */
  outcome: Outcome;
  hops: Step[];
}

export function tracePacket(world: World, fromNsId: string, dst: string, opts: TraceOptions = {}): Trace {
  const copy = JSON.parse(JSON.stringify(world)) as World; // the world is plain JSON
  copy.captures = [];
  const ns = copy.namespaces[fromNsId];
  if (!ns) throw new Error(`no namespace "${fromNsId}"`);
  const size = opts.size ?? 56;
  const hit = fibLookup(copy, ns, dst);
  const src = opts.src ?? ('src' in hit ? hit.src : undefined);
  const pkt: IpPacket = {
    src: src ?? '',
    dst,
    ttl: opts.ttl ?? (Number(ns.sysctl['net.ipv4.ip_default_ttl'] ?? '64') || 64),
    df: opts.df ?? ('dev' in hit ? size + 28 <= hit.dev.mtu : true),
    len: size + 28,
    proto: 'icmp',
    icmp: { kind: 'echo-request', id: 0x7e57, seq: 1 },
  };
  const walk = new Walk(copy, { record: true });
  const send = msg('trace.hop.send', { src: src ?? '?', dst, len: pkt.len, df: pkt.df ? msg('trace.hop.df') : '', ttl: pkt.ttl });
  walk.steps.push({ direction: 'request', ns: fromNsId, step: 'send', detail: english(send), msg: send });
  const outcome = walk.output(ns, pkt, { origin: true });
  const ok = outcome.kind === 'delivered' && outcome.ns === fromNsId && outcome.pkt.icmp?.kind === 'echo-reply';
  let summary: Text = summarize(fromNsId, outcome);
  // Lead with the cause: where and why the packet first died (the request, or the reply on its
  // way back), then what became of the rest (an ICMP error sent about it, say).
  const at = walk.steps.findIndex((h) => h.step === 'drop');
  const firstDrop = walk.steps[at];
  // (A packet never sent, EMSGSIZE say, already says so.)
  if (!ok && firstDrop && outcome.kind !== 'local-error' && !(outcome.kind === 'dropped' && firstDrop.ns === outcome.ns && firstDrop.detail.includes(english(outcome.reason)))) {
    const reply = firstDrop.direction === 'reply';
    summary = msg(reply ? 'trace.sum.droppedReply' : 'trace.sum.droppedRequest', { ns: firstDrop.ns, detail: firstDrop.msg ?? firstDrop.detail, hop: at + 1, then: summary });
  }
  const t: Trace = { from: fromNsId, dst, ok, summary: english(summary), msg: summary, outcome, hops: walk.steps };
  if (src) t.src = src;
  return t;
}

function summarize(from: string, o: Outcome): Text {
  switch (o.kind) {
    case 'delivered':
      if (o.ns === from && o.pkt.icmp?.kind === 'echo-reply') return msg('trace.sum.reply', { src: o.pkt.src });
      // ping's own words for an ICMP error stay as ping prints them.
      if (o.ns === from && o.pkt.icmp) return msg('trace.sum.icmpFrom', { src: o.pkt.src, text: icmpErrorText(o.pkt) });
      return msg('trace.sum.notBack', { what: o.pkt.icmp?.kind ?? o.pkt.proto, ns: o.ns });
    case 'local-error':
      return o.error === 'EMSGSIZE' ? msg('trace.sum.tooLong', { mtu: o.mtu ?? '' }) : msg('trace.sum.notSent', { error: o.message });
    case 'dropped':
      return msg('trace.sum.dropped', { ns: o.ns, reason: o.reason });
    case 'consumed':
      return msg('trace.sum.ended', { ns: o.ns });
  }
}
