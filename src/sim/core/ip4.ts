// IPv4 arithmetic on 32-bit numbers. Parsing and validation are ipaddr.js's (pure JS, so the
// model still runs in a browser); matching is plain integer masks, which the packet walk does a lot.
import ipaddr from 'ipaddr.js';

export const isIp4 = (s: string) => ipaddr.IPv4.isValidFourPartDecimal(s);

export function toInt(ip: string): number {
  const b = ipaddr.IPv4.parse(ip).octets;
  return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
}

export const fromInt = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');

export const maskOf = (len: number) => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);

/** "10.244.1.7/24" → { ip, len }; a bare address is a /32; "default" is 0.0.0.0/0. */
export function parsePrefix(s: string): { ip: string; len: number } {
  if (s === 'default' || s === 'all' || s === 'any') return { ip: '0.0.0.0', len: 0 };
  const [ip, len] = s.split('/') as [string, string | undefined];
  const n = len === undefined ? 32 : Number(len);
  if (!isIp4(ip) || !Number.isInteger(n) || n < 0 || n > 32 || (len !== undefined && !/^\d+$/.test(len))) {
    throw new RangeError(`invalid prefix "${s}"`);
  }
  return { ip, len: n };
}

/** The network form of a prefix: "10.244.1.7/24" → "10.244.1.0/24"; "0.0.0.0/0" → "default". */
export function networkOf(s: string): string {
  const { ip, len } = parsePrefix(s);
  if (len === 0) return 'default';
  return `${fromInt(toInt(ip) & maskOf(len))}/${len}`;
}

export function inPrefix(ip: string, prefix: string): boolean {
  const p = parsePrefix(prefix);
  const m = maskOf(p.len);
  return ((toInt(ip) & m) >>> 0) === ((toInt(p.ip) & m) >>> 0);
}

export const prefixLen = (prefix: string) => parsePrefix(prefix).len;

export function broadcastOf(ip: string, len: number): string {
  return fromInt((toInt(ip) | (~maskOf(len) >>> 0)) >>> 0);
}

export const isMulticast = (ip: string) => (toInt(ip) >>> 28) === 0xe;
export const isLoopback = (ip: string) => ip.startsWith('127.');
