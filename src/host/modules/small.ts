// The small built-ins: path (POSIX, from pathe), os, tty, and crypto where the platform has one.
import * as pathe from 'pathe';
import { HostBuffer } from '../buffer.ts';
import { platform } from '../platform.ts';

/** node:path as on Linux. */
export const pathModule: Record<string, unknown> = { ...pathe, sep: '/', delimiter: ':' };
pathModule.posix = pathModule;
pathModule.win32 = pathModule;
pathModule.default = pathModule;

export function osModule(hostname: string) {
  return {
    EOL: '\n',
    platform: () => 'linux',
    type: () => 'Linux',
    arch: () => 'x64',
    release: () => '6.1.0',
    hostname: () => hostname,
    homedir: () => '/root',
    tmpdir: () => '/tmp',
    endianness: () => 'LE',
    cpus: () => [],
    availableParallelism: () => 1,
    totalmem: () => 2 ** 31,
    freemem: () => 2 ** 30,
    uptime: () => 1000,
    loadavg: () => [0, 0, 0],
    // A program that wants the node's interfaces asks the kernel: `ip -j addr`.
    networkInterfaces: () => ({}),
    userInfo: () => ({ username: 'root', uid: 0, gid: 0, shell: '/bin/sh', homedir: '/root' }),
    constants: { signals: { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }, errno: {} },
  };
}

class NotATty {
  readonly isTTY = false;
}

/** A hosted program's standard streams are pipes, never terminals. */
export const ttyModule = { isatty: (_fd: number) => false, ReadStream: NotATty, WriteStream: NotATty };

export function cryptoModule(): Record<string, unknown> | undefined {
  const c = platform.crypto;
  if (!c) return undefined;
  return {
    randomBytes: (n: number) => HostBuffer.from(c.getRandomValues(new Uint8Array(n))),
    randomUUID: () => c.randomUUID?.() ?? [8, 4, 4, 4, 12].map((n) => [...c.getRandomValues(new Uint8Array(n / 2))].map((b) => b.toString(16).padStart(2, '0')).join('')).join('-'),
    getRandomValues: <T extends Uint8Array>(a: T) => c.getRandomValues(a),
    randomInt: (a: number, b?: number) => {
      const [lo, hi] = b === undefined ? [0, a] : [a, b];
      return lo + Math.floor((c.getRandomValues(new Uint8Array(4)).reduce((x, y) => x * 256 + y, 0) / 2 ** 32) * (hi - lo));
    },
    webcrypto: c,
  };
}
