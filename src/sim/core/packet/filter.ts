// A subset of pcap-filter(7): icmp, udp, tcp (the handshake the sim models), arp, ip, `ip proto N`, `proto N`, `[src|dst] host X`,
// `[udp|tcp] [src|dst] port N`, `[src|dst] net CIDR`, and/or/not (&& || !), parentheses.
// It tests the outermost headers, as BPF does (an `icmp` filter does not see inside VXLAN).
import { inPrefix, isIp4 } from '../ip4.ts';
import { PROTO_NUM, type Frame } from './types.ts';

export type FramePredicate = (f: Frame) => boolean;

export class FilterError extends Error {}

const PROTO_NAMES: Record<string, number> = { icmp: 1, igmp: 2, ipip: 4, tcp: 6, udp: 17 };

export function compileFilter(expr: string): FramePredicate {
  const toks = tokenize(expr);
  if (toks.length === 0) return () => true;
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  const fail = (): never => {
    throw new FilterError('syntax error in filter expression');
  };

  const parseOr = (): FramePredicate => {
    let l = parseAnd();
    while (peek() === 'or' || peek() === '||') {
      next();
      const a = l;
      const b = parseAnd();
      l = (f) => a(f) || b(f);
    }
    return l;
  };
  const parseAnd = (): FramePredicate => {
    let l = parseNot();
    while (peek() === 'and' || peek() === '&&') {
      next();
      const a = l;
      const b = parseNot();
      l = (f) => a(f) && b(f);
    }
    return l;
  };
  const parseNot = (): FramePredicate => {
    if (peek() === 'not' || peek() === '!') {
      next();
      const a = parseNot();
      return (f) => !a(f);
    }
    return parsePrimary();
  };
  const num = (s: string | undefined): number => {
    if (s === undefined) return fail();
    if (/^\d+$/.test(s)) return Number(s);
    if (s in PROTO_NAMES) return PROTO_NAMES[s]!;
    return fail();
  };
  const addr = (s: string | undefined): string => (s !== undefined && isIp4(s) ? s : fail());
  const parsePrimary = (): FramePredicate => {
    const t = next();
    if (t === undefined) return fail();
    if (t === '(') {
      const e = parseOr();
      if (next() !== ')') fail();
      return e;
    }
    let dir: 'src' | 'dst' | undefined;
    let proto: string | undefined;
    let w: string | undefined = t;
    if (w === 'ip' && peek() === 'proto') {
      next();
      const n = num(next());
      return (f) => !!f.ip && PROTO_NUM[f.ip.proto] === n;
    }
    if (w === 'proto') {
      const n = num(next());
      return (f) => !!f.ip && PROTO_NUM[f.ip.proto] === n;
    }
    if (['ip', 'udp', 'tcp', 'icmp', 'arp'].includes(w) && ['src', 'dst', 'host', 'port', 'net'].includes(peek() ?? '')) {
      proto = w;
      w = next();
    }
    if (w === 'src' || w === 'dst') {
      dir = w;
      w = next();
      if (w === 'or' || w === 'and') fail();
    }
    if (w === 'host' || w === 'net') {
      const kind = w;
      const v = next();
      const test = kind === 'host' ? ((ip: string) => ip === addr(v)) : netTest(v, fail);
      if (kind === 'host') addr(v);
      const ipOk = (f: Frame) => !!f.ip && (proto === undefined || proto === 'ip' || protoIs(f, proto)) && ((dir !== 'dst' && test(f.ip.src)) || (dir !== 'src' && test(f.ip.dst)));
      const arpOk = (f: Frame) => !!f.arp && (proto === undefined || proto === 'arp') && ((dir !== 'dst' && test(f.arp.senderIp)) || (dir !== 'src' && test(f.arp.targetIp)));
      return (f) => ipOk(f) || arpOk(f);
    }
    if (w === 'port') {
      const n = num(next());
      const l4 = (f: Frame) => (proto === 'tcp' ? f.ip?.tcp : proto === 'udp' ? f.ip?.udp : (f.ip?.udp ?? f.ip?.tcp));
      return (f) => {
        const h = l4(f);
        return !!h && f.ip!.fragment !== 'more' && ((dir !== 'dst' && h.sport === n) || (dir !== 'src' && h.dport === n));
      };
    }
    if (dir) return fail();
    switch (w) {
      case 'icmp':
        return (f) => f.ip?.proto === 'icmp';
      case 'udp':
        return (f) => f.ip?.proto === 'udp';
      case 'tcp':
        return (f) => f.ip?.proto === 'tcp';
      case 'arp':
        return (f) => !!f.arp;
      case 'ip':
        return (f) => !!f.ip;
    }
    return fail();
  };

  const e = parseOr();
  if (i !== toks.length) fail();
  return e;
}

function protoIs(f: Frame, proto: string) {
  return f.ip?.proto === proto;
}

function netTest(v: string | undefined, fail: () => never) {
  if (v === undefined) return fail();
  try {
    const p = v.includes('/') ? v : `${v}/32`;
    inPrefix('0.0.0.0', p);
    return (ip: string) => inPrefix(ip, p);
  } catch {
    return fail();
  }
}

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|&&|\|\||!|[^\s()!&|]+)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.push(m[1]!);
  if (s.slice(re.lastIndex).trim() !== '' && out.join('').length < s.replace(/\s/g, '').length) throw new FilterError('syntax error in filter expression');
  return out;
}
