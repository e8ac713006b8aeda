// The plugin host's synchronous view of a simulated node's files behaves as node:fs does: the same
// calls on a real temporary directory and on the view give the same results and error codes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InMemoryFs } from 'just-bash';
import { SyncFs } from '../../src/sim/machine/syncFs.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'syncfs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Op = [string, (f: Fs, r: (p: string) => string) => unknown];
interface Fs {
  readFileSync(p: string, e: 'utf8'): string;
  writeFileSync(p: string, c: string, o?: { flag?: string; mode?: number }): void;
  appendFileSync(p: string, c: string): void;
  existsSync(p: string): boolean;
  mkdirSync(p: string, o?: { recursive?: boolean }): unknown;
  readdirSync(p: string): string[];
  statSync(p: string): { isFile(): boolean; isDirectory(): boolean; size: number };
  linkSync(a: string, b: string): void;
  unlinkSync(p: string): void;
  renameSync(a: string, b: string): void;
  rmSync(p: string, o?: { recursive?: boolean; force?: boolean }): void;
}

const OPS: Op[] = [
  ['mkdir a', (f, r) => f.mkdirSync(r('/a'))],
  ['mkdir a again', (f, r) => f.mkdirSync(r('/a'))],
  ['mkdir -p a/b/c', (f, r) => f.mkdirSync(r('/a/b/c'), { recursive: true }) !== undefined],
  ['mkdir -p again', (f, r) => f.mkdirSync(r('/a/b/c'), { recursive: true })],
  ['mkdir without parent', (f, r) => f.mkdirSync(r('/x/y'))],
  ['write without parent', (f, r) => f.writeFileSync(r('/nope/f'), 'x')],
  ['write', (f, r) => f.writeFileSync(r('/a/lease'), 'one\n')],
  ['write exclusive, exists', (f, r) => f.writeFileSync(r('/a/lease'), 'two', { flag: 'wx' })],
  ['write exclusive, new', (f, r) => f.writeFileSync(r('/a/new'), 'n', { flag: 'wx' })],
  ['append', (f, r) => f.appendFileSync(r('/a/lease'), 'two\n')],
  ['read', (f, r) => f.readFileSync(r('/a/lease'), 'utf8')],
  ['read a dir', (f, r) => f.readFileSync(r('/a'), 'utf8')],
  ['read missing', (f, r) => f.readFileSync(r('/a/none'), 'utf8')],
  ['stat', (f, r) => {
    const s = f.statSync(r('/a/lease'));
    return [s.isFile(), s.isDirectory(), s.size];
  }],
  ['stat dir', (f, r) => f.statSync(r('/a/b')).isDirectory()],
  ['stat missing', (f, r) => f.statSync(r('/zzz'))],
  ['readdir', (f, r) => f.readdirSync(r('/a'))],
  ['readdir file', (f, r) => f.readdirSync(r('/a/lease'))],
  ['link', (f, r) => f.linkSync(r('/a/lease'), r('/a/10.244.1.2'))],
  ['link exists', (f, r) => f.linkSync(r('/a/lease'), r('/a/10.244.1.2'))],
  ['link missing', (f, r) => f.linkSync(r('/a/none'), r('/a/l2'))],
  ['read link', (f, r) => f.readFileSync(r('/a/10.244.1.2'), 'utf8')],
  ['rename over', (f, r) => f.renameSync(r('/a/new'), r('/a/lease'))],
  ['read renamed', (f, r) => f.readFileSync(r('/a/lease'), 'utf8')],
  ['rename dir', (f, r) => f.renameSync(r('/a/b'), r('/a/d'))],
  ['readdir after', (f, r) => [f.readdirSync(r('/a')), f.existsSync(r('/a/d/c')), f.existsSync(r('/a/b'))]],
  ['rename missing', (f, r) => f.renameSync(r('/a/none'), r('/a/x'))],
  ['unlink', (f, r) => f.unlinkSync(r('/a/10.244.1.2'))],
  ['unlink missing', (f, r) => f.unlinkSync(r('/a/10.244.1.2'))],
  ['unlink dir', (f, r) => f.unlinkSync(r('/a/d'))],
  ['rm non-empty dir', (f, r) => f.rmSync(r('/a/d'))],
  ['rm -f missing', (f, r) => f.rmSync(r('/a/none'), { force: true })],
  ['rm missing', (f, r) => f.rmSync(r('/a/none'))],
  ['rm -r', (f, r) => f.rmSync(r('/a'), { recursive: true })],
  ['exists after', (f, r) => [f.existsSync(r('/a')), f.existsSync(r('/a/lease'))]],
];

function outcome(fn: () => unknown) {
  try {
    return { ok: fn() ?? null };
  } catch (e) {
    return { code: (e as { code?: string }).code ?? String(e) };
  }
}

describe('the synchronous file view', () => {
  it('answers every call as node:fs does on a real directory', () => {
    const view = new SyncFs(new InMemoryFs()) as unknown as Fs;
    const real: [string, object][] = [];
    const sim: [string, object][] = [];
    for (const [name, op] of OPS) {
      real.push([name, outcome(() => op(fs as unknown as Fs, (p) => path.join(tmp, p)))]);
      sim.push([name, outcome(() => op(view, (p) => p))]);
    }
    expect(sim).toEqual(real);
    expect(real.filter(([, o]) => 'code' in o).length).toBeGreaterThan(10);
  });
});
