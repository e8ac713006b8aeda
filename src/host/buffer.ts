// Buffer for hosted programs: Node's own where there is one; elsewhere a small stand-in that holds
// text (what the plugin and the node agent do with buffers: collect a child's output, decode it).
import { platform, type BufferLike } from './platform.ts';

class TextBuffer {
  constructor(readonly text: string) {}
  get length() {
    return this.text.length;
  }
  toString(encoding?: string): string {
    if (encoding === 'base64') return btoaUtf8(this.text);
    if (encoding === 'hex') return [...utf8(this.text)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return this.text;
  }
  toJSON() {
    return { type: 'Buffer', data: [...utf8(this.text)] };
  }
  equals(other: unknown): boolean {
    return other instanceof TextBuffer && other.text === this.text;
  }
  static from(data: string | Uint8Array | readonly number[] | TextBuffer, encoding?: string): TextBuffer {
    if (data instanceof TextBuffer) return new TextBuffer(data.text);
    if (typeof data === 'string') {
      if (encoding === 'base64') return new TextBuffer(atobUtf8(data));
      if (encoding === 'hex') return new TextBuffer(decodeUtf8(Uint8Array.from(data.match(/../g) ?? [], (h) => parseInt(h, 16))));
      return new TextBuffer(data);
    }
    return new TextBuffer(decodeUtf8(Uint8Array.from(data)));
  }
  static concat(list: readonly unknown[]): TextBuffer {
    return new TextBuffer(list.map((b) => String(b)).join(''));
  }
  static isBuffer(x: unknown): boolean {
    return x instanceof TextBuffer;
  }
  static byteLength(s: string): number {
    return utf8(s).length;
  }
  static alloc(n: number): TextBuffer {
    return new TextBuffer('\0'.repeat(n));
  }
}

function utf8(s: string): Uint8Array {
  if (platform.TextEncoder) return new platform.TextEncoder().encode(s);
  return Uint8Array.from(unescape(encodeURIComponent(s)), (c) => c.charCodeAt(0));
}
function decodeUtf8(b: Uint8Array): string {
  if (platform.TextDecoder) return new platform.TextDecoder('utf-8').decode(b);
  return decodeURIComponent(escape(String.fromCharCode(...b)));
}
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function btoaUtf8(s: string): string {
  const b = utf8(s);
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < b.length ? B64[(n >> 6) & 63]! : '=') + (i + 2 < b.length ? B64[n & 63]! : '=');
  }
  return out;
}
function atobUtf8(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9+/]/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < clean.length; i += 4) {
    const n = [0, 1, 2, 3].reduce((acc, k) => (acc << 6) | Math.max(0, B64.indexOf(clean[i + k] ?? 'A')), 0);
    bytes.push((n >> 16) & 255);
    if (i + 2 < clean.length) bytes.push((n >> 8) & 255);
    if (i + 3 < clean.length) bytes.push(n & 255);
  }
  return decodeUtf8(Uint8Array.from(bytes));
}

declare function unescape(s: string): string;
declare function escape(s: string): string;

/** The Buffer a hosted program gets. */
export const HostBuffer: BufferLike & Record<string, unknown> = (platform.Buffer ?? TextBuffer) as unknown as BufferLike & Record<string, unknown>;

/** A chunk of program output as text, whatever it was written as. */
export function chunkText(chunk: unknown): string {
  if (typeof chunk === 'string') return chunk;
  if (chunk instanceof Uint8Array) return decodeUtf8(chunk);
  return String(chunk);
}
