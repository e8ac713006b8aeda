// node:util for a hosted program: format/inspect (console uses them), promisify, parseArgs (the node
// agent parses its flags with it; the npm polyfill is Node's own implementation), and small helpers.
import { parseArgs } from '@pkgjs/parseargs';
import { platform } from '../platform.ts';

const PROMISIFY = Symbol.for('nodejs.util.promisify.custom');

export function inspect(value: unknown, opts: { depth?: number } = {}): string {
  return show(value, opts.depth ?? 2, new Set(), true);
}

function show(v: unknown, depth: number, seen: Set<unknown>, top: boolean): string {
  if (typeof v === 'string') return top ? `'${v.replace(/'/g, "\\'")}'` : `'${v.replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol') return v.toString();
  if (typeof v === 'function') return `[Function: ${v.name || '(anonymous)'}]`;
  if (v === null || typeof v !== 'object') return String(v);
  if (v instanceof Error) return v.stack ?? `${v.name}: ${v.message}`;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof RegExp) return String(v);
  if (seen.has(v)) return '[Circular *1]';
  if (depth < 0) return Array.isArray(v) ? '[Array]' : '[Object]';
  seen.add(v);
  try {
    if (Array.isArray(v)) return v.length === 0 ? '[]' : `[ ${v.map((x) => show(x, depth - 1, seen, false)).join(', ')} ]`;
    if (v instanceof Map) return `Map(${v.size}) { ${[...v].map(([k, x]) => `${show(k, depth - 1, seen, false)} => ${show(x, depth - 1, seen, false)}`).join(', ')} }`;
    if (v instanceof Set) return `Set(${v.size}) { ${[...v].map((x) => show(x, depth - 1, seen, false)).join(', ')} }`;
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.length === 0) return '{}';
    const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `'${k}'`);
    return `{ ${entries.map(([k, x]) => `${key(k)}: ${show(x, depth - 1, seen, false)}`).join(', ')} }`;
  } finally {
    seen.delete(v);
  }
}

/** util.format: printf-like %s %d %i %f %j %o %O %c %%, then the rest inspected and joined by spaces. */
export function format(...args: unknown[]): string {
  const first = args[0];
  let rest = args;
  let out = '';
  if (typeof first === 'string') {
    rest = args.slice(1);
    let i = 0;
    out = first.replace(/%([sdifjoOc%])/g, (m, f: string) => {
      if (f === '%') return '%';
      if (i >= rest.length) return m;
      const a = rest[i++];
      switch (f) {
        case 's':
          return typeof a === 'string' ? a : typeof a === 'object' && a !== null && !(a instanceof Error) ? show(a, 1, new Set(), true) : String(a);
        case 'd':
        case 'i':
          return typeof a === 'object' ? 'NaN' : String(f === 'i' ? Math.trunc(Number(a)) : Number(a));
        case 'f':
          return String(parseFloat(String(a)));
        case 'j':
          try {
            return JSON.stringify(a);
          } catch {
            return '[Circular]';
          }
        case 'c':
          return '';
        default:
          return show(a, 4, new Set(), true);
      }
    });
    rest = rest.slice(i);
  } else if (args.length > 0) {
    out = typeof first === 'string' ? first : show(first, 2, new Set(), true);
    rest = args.slice(1);
  }
  for (const a of rest) out += ` ${typeof a === 'string' ? a : show(a, 2, new Set(), true)}`;
  return out;
}

export function promisify<T>(fn: (...args: any[]) => unknown): (...args: unknown[]) => Promise<T> {
  const custom = (fn as unknown as Record<symbol, unknown>)[PROMISIFY];
  if (typeof custom === 'function') return custom as (...args: unknown[]) => Promise<T>;
  return (...args) =>
    new Promise<T>((resolve, reject) => {
      fn(...args, (err: unknown, value: T) => (err ? reject(err) : resolve(value)));
    });
}
promisify.custom = PROMISIFY;

export const utilModule = {
  format,
  inspect,
  promisify,
  parseArgs,
  inherits(ctor: { prototype: object; super_?: unknown }, superCtor: { prototype: object }) {
    Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
    ctor.super_ = superCtor;
  },
  deprecate: <F>(fn: F) => fn,
  debuglog: () => Object.assign(() => {}, { enabled: false }),
  isDeepStrictEqual: (a: unknown, b: unknown) => inspect(a, { depth: 100 }) === inspect(b, { depth: 100 }),
  stripVTControlCharacters: (s: string) => s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, ''),
  types: {
    isPromise: (v: unknown) => v instanceof Promise,
    isDate: (v: unknown) => v instanceof Date,
    isRegExp: (v: unknown) => v instanceof RegExp,
    isNativeError: (v: unknown) => v instanceof Error,
  },
  TextEncoder: platform.TextEncoder,
  TextDecoder: platform.TextDecoder,
};
