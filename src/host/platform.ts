// What the host takes from the JavaScript environment it runs in (Node or a browser): timers and a
// clock. Declared here because the core is type-checked without any platform's types.

interface PlatformGlobals {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  performance?: { now(): number; timeOrigin?: number };
  Buffer?: BufferLike;
  crypto?: { getRandomValues<T extends Uint8Array>(a: T): T; randomUUID?(): string };
  TextEncoder?: new () => { encode(s: string): Uint8Array };
  TextDecoder?: new (encoding?: string) => { decode(b: Uint8Array): string };
}

/** The static side of Node's Buffer, as much as the host uses. */
export interface BufferLike {
  from(data: string | Uint8Array | readonly number[], encoding?: string): { toString(encoding?: string): string };
  concat(list: readonly unknown[]): { toString(encoding?: string): string };
  isBuffer(x: unknown): boolean;
  byteLength(s: string, encoding?: string): number;
}

export const platform = globalThis as unknown as PlatformGlobals;

export const now = (): number => (platform.performance ? platform.performance.now() : Date.now());
