// nftables rules as the simulated kernel understands them: parsed from the words of `nft -f` or
// `nft add rule`, printed back as nft 1.0 lists them (counters with their packets and bytes,
// anonymous sets sorted and their intervals merged, `ct state` flags in the kernel's bit order),
// and matched against a packet at a hook.
//
// Modelled (what NetworkPolicy's ruleset and the plugin's masquerade use): `ip saddr|daddr
// [!=] ADDR|CIDR|{ … }|@set`, `tcp|udp sport|dport [!=] N|{ … }`, `meta l4proto [!=] P`,
// `ip protocol P`, `ct state [!=] a,b`, `iifname|oifname [!=] "x"`, `counter`, a verdict
// (accept, drop, jump, goto, return, continue) and `comment "…"`; in nat chains the plugin's
// `masquerade` rules. Not modelled: IPv6 matches, maps and verdict maps, `limit`, `log`, `reject`,
// marks, `ct mark`, NAT other than masquerade, and set timeouts: `nft -f` refuses them in a filter
// chain, naming the word, rather than load a rule the walk would apply wrongly.
import { fromInt, isIp4, maskOf, toInt } from './ip4.ts';

export type Range = [number, number];

export type Match =
  | { k: 'addr'; dir: 'saddr' | 'daddr'; neg: boolean; set?: string; ranges?: Range[]; anon?: boolean }
  | { k: 'port'; proto: 'tcp' | 'udp'; dir: 'sport' | 'dport'; neg: boolean; ranges: Range[]; anon?: boolean }
  | { k: 'l4proto'; how: 'meta l4proto' | 'ip protocol'; neg: boolean; protos: string[] }
  | { k: 'ct'; neg: boolean; states: string[] }
  | { k: 'ifname'; dir: 'iifname' | 'oifname'; neg: boolean; names: string[] };

export type Verdict = { v: 'accept' | 'drop' | 'return' | 'continue' } | { v: 'jump' | 'goto'; chain: string };

export interface NftRule {
  handle: number;
  /** Parsed; absent for a rule kept as text (masquerade in a nat chain). */
  matches?: Match[];
  counter?: { packets: number; bytes: number };
  verdict?: Verdict;
  comment?: string;
  /** A rule the filter walk does not evaluate (nat): printed as given. */
  text?: string;
}

export class NftRuleError extends Error {}

const CT_BITS = ['invalid', 'established', 'related', 'new', 'untracked'];
const L4 = ['tcp', 'udp', 'icmp', 'ipip'];

// ------------------------------------------------------------------ values

export function ipRange(s: string): Range {
  const dash = s.indexOf('-');
  if (dash > 0) return [ipInt(s.slice(0, dash)), ipInt(s.slice(dash + 1))];
  const [ip, len] = s.split('/') as [string, string | undefined];
  const n = len === undefined ? 32 : Number(len);
  if (!Number.isInteger(n) || n < 0 || n > 32) throw new NftRuleError(`Error: Could not resolve hostname: ${s}`);
  const base = (ipInt(ip) & maskOf(n)) >>> 0;
  return [base, (base | (~maskOf(n) >>> 0)) >>> 0];
}

function ipInt(s: string): number {
  if (!isIp4(s)) throw new NftRuleError(`Error: Could not resolve hostname: ${s}`);
  return toInt(s);
}

/** Ranges sorted, overlapping and adjacent ones merged: what the kernel's interval sets keep. */
export function mergeRanges(rs: Range[]): Range[] {
  const out: Range[] = [];
  for (const r of [...rs].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** A range as nft prints it: an address, a prefix, or `a-b`. */
export function ipRangeText([a, b]: Range): string {
  if (a === b) return fromInt(a);
  for (let len = 0; len <= 32; len++) {
    const m = maskOf(len);
    if (((a & m) >>> 0) === a && ((a | (~m >>> 0)) >>> 0) === b) return `${fromInt(a)}/${len}`;
  }
  return `${fromInt(a)}-${fromInt(b)}`;
}

const portText = ([a, b]: Range) => (a === b ? String(a) : `${a}-${b}`);

function portRange(s: string): Range {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new NftRuleError(`Error: Could not resolve service: ${s}: the simulated kernel takes port numbers only`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (a > 65535 || b > 65535 || b < a) throw new NftRuleError(`Error: Value ${s} exceeds valid range 0-65535`);
  return [a, b];
}

/** A named set's `elements = { a, b }` as nft 1.0 prints it: two addresses a line. */
export function elementsText(items: string[], indent: string): string {
  let s = '{ ';
  items.forEach((x, i) => {
    if (i > 0) s += i % 2 === 0 ? `,\n${indent}` : ', ';
    s += x;
  });
  return `${s} }`;
}

// ------------------------------------------------------------------ parsing

/** The words of one rule; `{ a, b }` stays one word group. */
export function ruleWords(text: string): string[] {
  const out: string[] = [];
  const re = /"[^"]*"|[{}]|[^\s{}"]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(m[0]);
  return out;
}

export function parseRule(words: string[], handle: number): NftRule {
  const r: NftRule = { handle };
  const matches: Match[] = [];
  let i = 0;
  const peek = () => words[i];
  const next = (what: string): string => {
    const w = words[i++];
    if (w === undefined) throw new NftRuleError(`Error: syntax error, unexpected end of file, expecting ${what}`);
    return w;
  };
  const neg = () => (peek() === '!=' ? (i++, true) : false);
  /** One value or `{ v, v }`. */
  const values = (): { items: string[]; anon: boolean } => {
    if (peek() !== '{') return { items: [next('a value')], anon: false };
    i++;
    const items: string[] = [];
    for (;;) {
      const w = next('}');
      if (w === '}') break;
      items.push(...w.split(',').filter(Boolean));
    }
    if (items.length === 0) throw new NftRuleError('Error: syntax error, unexpected }');
    return { items, anon: true };
  };
  while (i < words.length) {
    const w = next('a statement');
    if (w === 'ip' && (peek() === 'saddr' || peek() === 'daddr')) {
      const dir = next('saddr') as 'saddr' | 'daddr';
      const n = neg();
      if (peek()?.startsWith('@')) {
        matches.push({ k: 'addr', dir, neg: n, set: next('a set').slice(1) });
        continue;
      }
      const { items, anon } = values();
      matches.push({ k: 'addr', dir, neg: n, ranges: mergeRanges(items.map(ipRange)), anon });
    } else if (w === 'ip' && peek() === 'protocol') {
      i++;
      const n = neg();
      const { items } = values();
      matches.push({ k: 'l4proto', how: 'ip protocol', neg: n, protos: items.map(l4) });
    } else if ((w === 'tcp' || w === 'udp') && (peek() === 'dport' || peek() === 'sport')) {
      const dir = next('dport') as 'sport' | 'dport';
      const n = neg();
      const { items, anon } = values();
      matches.push({ k: 'port', proto: w, dir, neg: n, ranges: mergeRanges(items.map(portRange)), anon });
    } else if (w === 'meta' && peek() === 'l4proto') {
      i++;
      const n = neg();
      const { items } = values();
      matches.push({ k: 'l4proto', how: 'meta l4proto', neg: n, protos: items.map(l4) });
    } else if (w === 'ct' && peek() === 'state') {
      i++;
      const n = neg();
      const raw = peek() === '{' ? values().items : next('a state').split(',');
      const states = raw.filter(Boolean).map((s) => {
        if (!CT_BITS.includes(s)) throw new NftRuleError(`Error: ${s} is not a conntrack state (${CT_BITS.join(', ')})`);
        return s;
      });
      matches.push({ k: 'ct', neg: n, states: CT_BITS.filter((s) => states.includes(s)) });
    } else if (w === 'iifname' || w === 'oifname') {
      const n = neg();
      const { items } = values();
      matches.push({ k: 'ifname', dir: w, neg: n, names: items.map((x) => x.replace(/^"|"$/g, '')) });
    } else if (w === 'counter') {
      r.counter = { packets: 0, bytes: 0 };
      if (peek() === 'packets') {
        i++;
        r.counter.packets = Number(next('a number')) || 0;
        if (peek() === 'bytes') {
          i++;
          r.counter.bytes = Number(next('a number')) || 0;
        }
      }
    } else if (w === 'accept' || w === 'drop' || w === 'return' || w === 'continue') {
      r.verdict = { v: w };
    } else if (w === 'jump' || w === 'goto') {
      r.verdict = { v: w, chain: next('a chain name') };
    } else if (w === 'comment') {
      r.comment = next('a string').replace(/^"|"$/g, '');
    } else {
      throw new NftRuleError(`Error: the simulated kernel's nft does not model "${w}" (it models ip saddr/daddr, tcp/udp sport/dport, meta l4proto, ip protocol, ct state, iifname/oifname, counter, accept/drop/jump/goto/return, comment)`);
    }
    if (r.comment !== undefined && i < words.length) throw new NftRuleError('Error: syntax error: a comment ends the rule');
  }
  r.matches = matches;
  return r;
}

function l4(p: string): string {
  const n = { '6': 'tcp', '17': 'udp', '1': 'icmp', '4': 'ipip' }[p] ?? p;
  if (!L4.includes(n)) throw new NftRuleError(`Error: the simulated kernel's nft knows the protocols ${L4.join(', ')}, not "${p}"`);
  return n;
}

// ------------------------------------------------------------------ printing

function matchText(m: Match): string {
  const not = m.neg ? '!= ' : '';
  switch (m.k) {
    case 'addr': {
      if (m.set !== undefined) return `ip ${m.dir} ${not}@${m.set}`;
      const items = m.ranges!.map(ipRangeText);
      // A rule's anonymous set prints on one line (only a named set's elements wrap).
      return `ip ${m.dir} ${not}${m.anon ? `{ ${items.join(', ')} }` : items[0]}`;
    }
    case 'port': {
      const items = m.ranges.map(portText);
      return `${m.proto} ${m.dir} ${not}${m.anon && items.length > 1 ? `{ ${items.join(', ')} }` : items[0]}`;
    }
    case 'l4proto':
      return `${m.how} ${not}${m.protos.length > 1 ? `{ ${m.protos.join(', ')} }` : m.protos[0]}`;
    case 'ct':
      return `ct state ${not}${m.states.join(',')}`;
    case 'ifname':
      return `${m.dir} ${not}${m.names.length > 1 ? `{ ${m.names.map((n) => `"${n}"`).join(', ')} }` : `"${m.names[0]}"`}`;
  }
}

/** The rule as `nft list` prints it (without its handle). */
export function ruleText(r: NftRule): string {
  if (r.text !== undefined) return r.text;
  const parts = (r.matches ?? []).map(matchText);
  if (r.counter) parts.push(`counter packets ${r.counter.packets} bytes ${r.counter.bytes}`);
  if (r.verdict) parts.push(r.verdict.v === 'jump' || r.verdict.v === 'goto' ? `${r.verdict.v} ${r.verdict.chain}` : r.verdict.v);
  if (r.comment !== undefined) parts.push(`comment "${r.comment}"`);
  return parts.join(' ');
}

/** Anonymous sets a rule holds: each takes a handle of the table, as in the kernel. */
export const anonSets = (r: NftRule) => (r.matches ?? []).filter((m) => 'anon' in m && m.anon && (m.k !== 'port' || m.ranges.length > 1)).length;

// ------------------------------------------------------------------ matching

/** What a hook knows about a packet. */
export interface HookPacket {
  src: string;
  dst: string;
  proto: string;
  sport?: number;
  dport?: number;
  /** Conntrack's view: new, established, related (untracked for nothing conntrack follows). */
  ct: 'new' | 'established' | 'related' | 'untracked' | 'invalid';
  iif?: string;
  oif?: string;
  len: number;
}

const inRanges = (n: number, rs: Range[]) => rs.some(([a, b]) => n >= a && n <= b);

export function matchOne(m: Match, p: HookPacket, setRanges: (name: string) => Range[]): boolean {
  let hit: boolean;
  switch (m.k) {
    case 'addr':
      hit = inRanges(toInt(m.dir === 'saddr' ? p.src : p.dst), m.set !== undefined ? setRanges(m.set) : m.ranges!);
      break;
    case 'port': {
      // `tcp dport 80` says the protocol too: a UDP packet never matches it, negated or not.
      const port = m.dir === 'sport' ? p.sport : p.dport;
      if (p.proto !== m.proto || port === undefined) return false;
      hit = inRanges(port, m.ranges);
      break;
    }
    case 'l4proto':
      hit = m.protos.includes(p.proto);
      break;
    case 'ct':
      hit = m.states.includes(p.ct);
      break;
    case 'ifname': {
      const dev = m.dir === 'iifname' ? p.iif : p.oif;
      if (dev === undefined) return false;
      hit = m.names.includes(dev);
      break;
    }
  }
  return m.neg ? !hit : hit;
}
