// Frames as tcpdump 4.99 prints them with -n (the timestamp is the caller's): "IP a > b: ICMP echo
// request, id 1, seq 1, length 64", "ARP, Request who-has …", VXLAN on port 8472 as tcpdump
// decodes that port (OTV), IP-in-IP as the outer header followed by the inner one.
import { PROTO_NUM, type Frame, type IpPacket } from './types.ts';

export interface FormatOpts {
  /** -v: the IP header's fields, the payload indented on the next line. */
  verbose?: boolean;
  /** -e: link-level header. */
  ether?: boolean;
}

const ICMP_ERR_QUOTE = 576 - 28; // Linux quotes at most this much of the offending packet

export function icmpLength(p: IpPacket): number {
  return p.len - 20;
}

/** Size of an ICMP error packet about `orig` (IP header + ICMP header + quote). */
export function icmpErrorLen(orig: IpPacket): number {
  return 20 + 8 + Math.min(orig.len, ICMP_ERR_QUOTE);
}

function icmpText(p: IpPacket): string {
  const i = p.icmp!;
  const len = `length ${icmpLength(p)}`;
  if (p.fragment === 'more') return `ip-proto-1`;
  switch (i.kind) {
    case 'echo-request':
      return `ICMP echo request, id ${i.id}, seq ${i.seq}, ${len}`;
    case 'echo-reply':
      return `ICMP echo reply, id ${i.id}, seq ${i.seq}, ${len}`;
    case 'time-exceeded':
      return `ICMP time exceeded in-transit, ${len}`;
    case 'dest-unreach': {
      const o = i.orig;
      const dst = o?.dst ?? '?';
      if (i.code === 0) return `ICMP net ${dst} unreachable, ${len}`;
      if (i.code === 1) return `ICMP host ${dst} unreachable, ${len}`;
      if (i.code === 3 && o?.udp) return `ICMP ${dst} udp port ${o.udp.dport} unreachable, ${len}`;
      if (i.code === 3 && o?.tcp) return `ICMP ${dst} tcp port ${o.tcp.dport} unreachable, ${len}`;
      if (i.code === 3) return `ICMP ${dst} protocol ${o ? PROTO_NUM[o.proto] : '?'} port unreachable, ${len}`;
      if (i.code === 4) return `ICMP ${dst} unreachable - need to frag (mtu ${i.mtu}), ${len}`;
      return `ICMP ${dst} unreachable, ${len}`;
    }
  }
}

/** The part after "IP " (addresses and payload), for one packet. */
function ipBody(p: IpPacket, o: FormatOpts): string {
  if (p.proto === 'icmp') return `${p.src} > ${p.dst}: ${icmpText(p)}`;
  if (p.proto === 'ipip') return `${p.src} > ${p.dst}: ${ipLine(p.inner!, { ...o, ether: false })}`;
  if (p.proto === 'tcp') {
    const t = p.tcp!;
    // The handshake only: seq/ack numbers and options are not modelled, so none are printed.
    return `${p.src}.${t.sport} > ${p.dst}.${t.dport}: Flags [${t.flags}], length 0`;
  }
  const u = p.udp!;
  const head = `${p.src}.${u.sport} > ${p.dst}.${u.dport}: `;
  if (u.vxlan) {
    // tcpdump decodes 8472 (the Linux default) as OTV and 4789 (IANA) as VXLAN.
    const vx = u.dport === 4789 ? `VXLAN, flags [I] (0x08), vni ${u.vxlan.vni}` : `OTV, flags [I] (0x08), overlay 0, instance ${u.vxlan.vni}`;
    return `${head}${vx}\n${frameLine(u.vxlan.inner, { ...o, ether: false })}`;
  }
  return `${head}UDP, length ${p.len - 28}`;
}

function ipLine(p: IpPacket, o: FormatOpts): string {
  if (!o.verbose) return `IP ${ipBody(p, o)}`;
  const proto = p.proto === 'icmp' ? 'ICMP (1)' : p.proto === 'udp' ? 'UDP (17)' : p.proto === 'tcp' ? 'TCP (6)' : 'IPIP (4)';
  const flags = p.df ? '[DF]' : p.fragment === 'first' ? '[+]' : '[none]';
  return `IP (tos 0x0, ttl ${p.ttl}, id 0, offset 0, flags ${flags}, proto ${proto}, length ${p.len})\n    ${ipBody(p, o).replace(/\n/g, '\n    ')}`;
}

export function frameLine(f: Frame, o: FormatOpts = {}): string {
  let body: string;
  if (f.arp) {
    const a = f.arp;
    body = a.op === 'request' ? `ARP, Request who-has ${a.targetIp} tell ${a.senderIp}, length 28` : `ARP, Reply ${a.senderIp} is-at ${a.senderMac}, length 28`;
    if (o.ether) return `${f.srcMac} > ${f.dstMac}, ethertype ARP (0x0806), length 42: ${body.slice('ARP, '.length)}`;
    return body;
  }
  const p = f.ip!;
  body = ipLine(p, o);
  if (o.ether) return `${f.srcMac} > ${f.dstMac}, ethertype IPv4 (0x0800), length ${p.len + 14}: ${body.replace(/^IP /, '')}`;
  return body;
}

/** On an IP-only device (tunl0) tcpdump sees no link header. */
export function packetLine(p: IpPacket, o: FormatOpts = {}): string {
  return ipLine(p, o);
}
