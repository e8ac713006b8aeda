// iproute2's argument conventions: keywords may be abbreviated (`matches`), errors carry its wording.
import { isIp4, parsePrefix } from '../ip4.ts';
import { OpError } from '../ops.ts';

/** iproute2's matches(): arg is a non-empty prefix of the keyword. */
export const matches = (arg: string | undefined, keyword: string) => arg !== undefined && arg.length > 0 && keyword.startsWith(arg);

export const invalidArg = (arg: string, what: string) => new OpError(`Error: argument "${arg}" is wrong: ${what}\n\n`, 255);

export class Args {
  i = 0;
  constructor(readonly a: string[]) {}
  get done() {
    return this.i >= this.a.length;
  }
  peek() {
    return this.a[this.i];
  }
  next(): string | undefined {
    return this.a[this.i++];
  }
  /** The value after a keyword: iproute2 says "Command line is not complete" when it is missing. */
  value(): string {
    const v = this.a[this.i++];
    if (v === undefined) throw new OpError('Command line is not complete. Try option "help"', 255);
    return v;
  }
}

export function parseMtu(v: string): number {
  if (!/^\d+$/.test(v)) throw invalidArg(v, 'Invalid "mtu" value');
  return Number(v);
}

export function parseMac(v: string, what = 'lladdr'): string {
  if (!/^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/.test(v)) throw new OpError(`"${v}" is invalid ${what}.`, 1);
  return v
    .split(':')
    .map((b) => b.toLowerCase().padStart(2, '0'))
    .join(':');
}

/** An address with an optional prefix length ("10.0.0.1/24"), as `ip addr` takes it. */
export function parseAddrPrefix(v: string): { local: string; prefixlen: number } {
  try {
    const p = parsePrefix(v);
    if (v === 'default' || v === 'all' || v === 'any') throw new RangeError();
    return { local: p.ip, prefixlen: p.len };
  } catch {
    throw new OpError(`Error: any valid prefix is expected rather than "${v}".`, 1);
  }
}

export function parseRoutePrefix(v: string): string {
  if (v === 'default' || v === 'all' || v === 'any' || v === '0/0') return 'default';
  try {
    const p = parsePrefix(v);
    return p.len === 0 ? 'default' : `${p.ip}/${p.len}`;
  } catch {
    throw new OpError(`Error: any valid prefix is expected rather than "${v}".`, 1);
  }
}

export function parseInet(v: string, what = 'inet address'): string {
  if (!isIp4(v)) throw new OpError(`Error: ${what} is expected rather than "${v}".`, 1);
  return v;
}

export function parseUint(v: string, what: string): number {
  if (!/^\d+$/.test(v)) throw invalidArg(v, `Invalid "${what}" value`);
  return Number(v);
}

/** `ip -batch` splits a line on blanks, honouring double quotes and backslashes. */
export function splitBatchLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (c === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && /\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else if (!quoted && c === '#' && !inWord) {
      break;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}
