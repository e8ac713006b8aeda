// A synchronous view of a node's file system, with Node's fs semantics and error codes (ENOENT,
// EEXIST, ENOTDIR, EISDIR, ENOTEMPTY): what the plugin host hands the plugin and the node agent,
// whose fs calls are synchronous. The shell's in-memory file system only offers promises for
// reading, but keeps its entries in a Map in this same thread, so reads are taken from there.
import type { InMemoryFs } from 'just-bash/browser';

interface FileEntry {
  type: 'file';
  content?: string | Uint8Array;
  lazy?: unknown;
  mode: number;
  mtime?: Date;
}
interface DirEntry {
  type: 'directory';
  mode: number;
  mtime?: Date;
}
interface LinkEntry {
  type: 'symlink';
  target: string;
  mode: number;
  mtime?: Date;
}
type Entry = FileEntry | DirEntry | LinkEntry;

/** The internals of just-bash's InMemoryFs this view relies on (checked when the view is made). */
interface FsInternals {
  data: Map<string, Entry>;
  setEntry(path: string, e: Entry): void;
  deleteEntry(path: string): boolean;
}

export interface SyncStat {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  size: number;
  mode: number;
  mtimeMs: number;
  mtime: Date;
  nlink: number;
}

/** An error as node:fs throws it. */
export class FsError extends Error {
  constructor(
    readonly code: string,
    syscall: string,
    readonly path: string,
  ) {
    const text: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EEXIST: 'file already exists',
      ENOTDIR: 'not a directory',
      EISDIR: 'illegal operation on a directory',
      ENOTEMPTY: 'directory not empty',
      EPERM: 'operation not permitted',
    };
    super(`${code}: ${text[code] ?? code}, ${syscall} '${path}'`);
    this.name = 'Error';
  }
  get errno() {
    return -({ ENOENT: 2, EEXIST: 17, ENOTDIR: 20, EISDIR: 21, ENOTEMPTY: 39, EPERM: 1 } as Record<string, number>)[this.code]!;
  }
  get syscall() {
    return this.message.split(', ')[1]?.split(' ')[0] ?? '';
  }
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class SyncFs {
  private readonly _in: FsInternals;

  constructor(readonly fs: InMemoryFs) {
    const inner = fs as unknown as Partial<FsInternals>;
    if (!(inner.data instanceof Map) || typeof inner.setEntry !== 'function' || typeof inner.deleteEntry !== 'function') {
      throw new Error('this version of just-bash keeps its in-memory files differently: the synchronous file view needs updating');
    }
    this._in = inner as FsInternals;
  }

  private _abs(p: string): string {
    return this.fs.resolvePath('/', p);
  }

  private _parent(p: string): string {
    const i = p.lastIndexOf('/');
    return i <= 0 ? '/' : p.slice(0, i);
  }

  /** Follows symlinks (of the entry itself) to the entry. */
  private _get(p: string, follow = true): Entry | undefined {
    let path = p;
    for (let i = 0; i < 32; i++) {
      const e = this._in.data.get(path);
      if (!e || e.type !== 'symlink' || !follow) return e;
      path = this.fs.resolvePath(this._parent(path), e.target);
    }
    return undefined;
  }

  private _file(p: string, syscall: string): FileEntry {
    const e = this._get(p);
    if (!e) throw new FsError('ENOENT', syscall, p);
    if (e.type !== 'file') throw new FsError('EISDIR', syscall === 'open' ? 'read' : syscall, p);
    if (e.lazy !== undefined && e.content === undefined) throw new Error(`${p}: a lazily provided file cannot be read synchronously`);
    return e;
  }

  /** A new entry's parent must exist and be a directory, as on Linux. */
  private _needParent(p: string, syscall: string) {
    const parent = this._get(this._parent(p));
    if (!parent) throw new FsError('ENOENT', syscall, p);
    if (parent.type !== 'directory') throw new FsError('ENOTDIR', syscall, p);
  }

  readFileBytes(path: string): Uint8Array {
    const c = this._file(this._abs(path), 'open').content ?? '';
    return typeof c === 'string' ? enc.encode(c) : c;
  }

  readFileSync(path: string): string {
    const c = this._file(this._abs(path), 'open').content ?? '';
    return typeof c === 'string' ? c : dec.decode(c);
  }

  writeFileSync(path: string, content: string | Uint8Array, opts: { mode?: number; flag?: string } = {}): void {
    const p = this._abs(path);
    const e = this._get(p);
    if (e?.type === 'directory') throw new FsError('EISDIR', 'open', path);
    if (opts.flag?.includes('x') && e) throw new FsError('EEXIST', 'open', path);
    if (!e) this._needParent(p, 'open');
    if (opts.flag?.startsWith('a') && e) return this.appendFileSync(path, content);
    this.fs.writeFileSync(p, content, undefined, { mode: opts.mode ?? (e?.mode || 0o644) });
  }

  appendFileSync(path: string, content: string | Uint8Array): void {
    const p = this._abs(path);
    const e = this._get(p);
    if (!e) return this.writeFileSync(path, content);
    const before = this.readFileBytes(p);
    const add = typeof content === 'string' ? enc.encode(content) : content;
    const all = new Uint8Array(before.length + add.length);
    all.set(before);
    all.set(add, before.length);
    this.fs.writeFileSync(p, dec.decode(all), undefined, { mode: e.mode });
  }

  existsSync(path: string): boolean {
    return this._get(this._abs(path)) !== undefined;
  }

  mkdirSync(path: string, opts: { recursive?: boolean; mode?: number } = {}): string | undefined {
    const p = this._abs(path);
    const e = this._get(p);
    if (e) {
      if (opts.recursive && e.type === 'directory') return undefined;
      throw new FsError('EEXIST', 'mkdir', path);
    }
    if (!opts.recursive) this._needParent(p, 'mkdir');
    else {
      // Every existing ancestor must be a directory.
      for (let a = this._parent(p); a !== '/'; a = this._parent(a)) {
        const x = this._get(a);
        if (x && x.type !== 'directory') throw new FsError('ENOTDIR', 'mkdir', path);
      }
    }
    this.fs.mkdirSync(p, { recursive: true });
    return opts.recursive ? p : undefined;
  }

  readdirSync(path: string): string[] {
    const p = this._abs(path);
    const e = this._get(p);
    if (!e) throw new FsError('ENOENT', 'scandir', path);
    if (e.type !== 'directory') throw new FsError('ENOTDIR', 'scandir', path);
    const prefix = p === '/' ? '/' : `${p}/`;
    const names = new Set<string>();
    for (const k of this._in.data.keys()) if (k !== p && k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]!);
    return [...names].sort();
  }

  statSync(path: string): SyncStat {
    return this._stat(path, true, 'stat');
  }

  lstatSync(path: string): SyncStat {
    return this._stat(path, false, 'lstat');
  }

  private _stat(path: string, follow: boolean, syscall: string): SyncStat {
    const e = this._get(this._abs(path), follow);
    if (!e) throw new FsError('ENOENT', syscall, path);
    const size = e.type === 'file' ? (typeof e.content === 'string' ? enc.encode(e.content).length : (e.content?.length ?? 0)) : e.type === 'symlink' ? e.target.length : 4096;
    const mtime = e.mtime ?? new Date(0);
    const type = e.type === 'file' ? 0o100000 : e.type === 'directory' ? 0o40000 : 0o120000;
    return {
      isFile: () => e.type === 'file',
      isDirectory: () => e.type === 'directory',
      isSymbolicLink: () => e.type === 'symlink',
      size,
      mode: type | (e.mode & 0o7777),
      mtime,
      mtimeMs: mtime.getTime(),
      nlink: 1,
    };
  }

  /** A hard link: both names share the content at the moment of linking (enough for lock and lease files made with link()). */
  linkSync(existing: string, newPath: string) {
    const src = this._abs(existing);
    const dst = this._abs(newPath);
    const e = this._get(src);
    if (!e) throw new FsError('ENOENT', 'link', existing);
    if (e.type !== 'file') throw new FsError('EPERM', 'link', existing);
    if (this._get(dst, false)) throw new FsError('EEXIST', 'link', newPath);
    this._needParent(dst, 'link');
    this._in.setEntry(dst, { ...e });
  }

  unlinkSync(path: string) {
    const p = this._abs(path);
    const e = this._get(p, false);
    if (!e) throw new FsError('ENOENT', 'unlink', path);
    if (e.type === 'directory') throw new FsError('EISDIR', 'unlink', path);
    this._in.deleteEntry(p);
  }

  renameSync(from: string, to: string) {
    const a = this._abs(from);
    const b = this._abs(to);
    const e = this._get(a, false);
    if (!e) throw new FsError('ENOENT', 'rename', from);
    if (a === b) return;
    const target = this._get(b, false);
    if (target?.type === 'directory' && e.type !== 'directory') throw new FsError('EISDIR', 'rename', to);
    if (target?.type === 'directory' && this.readdirSync(b).length > 0) throw new FsError('ENOTEMPTY', 'rename', to);
    this._needParent(b, 'rename');
    const moved = [...this._in.data.entries()].filter(([k]) => k === a || k.startsWith(`${a}/`));
    if (target) this._in.deleteEntry(b);
    for (const [k, v] of moved) {
      this._in.deleteEntry(k);
      this._in.setEntry(b + k.slice(a.length), v);
    }
  }

  rmSync(path: string, opts: { recursive?: boolean; force?: boolean } = {}) {
    const p = this._abs(path);
    const e = this._get(p, false);
    if (!e) {
      if (opts.force) return;
      throw new FsError('ENOENT', 'rm', path);
    }
    if (e.type === 'directory') {
      if (!opts.recursive) throw Object.assign(new Error(`Path is a directory: rm returned EISDIR (is a directory) ${path}`), { code: 'ERR_FS_EISDIR' });
      const inside = [...this._in.data.keys()].filter((k) => k.startsWith(`${p}/`));
      for (const k of inside.sort().reverse()) this._in.deleteEntry(k);
    }
    this._in.deleteEntry(p);
  }

  rmdirSync(path: string) {
    const p = this._abs(path);
    const e = this._get(p, false);
    if (!e) throw new FsError('ENOENT', 'rmdir', path);
    if (e.type !== 'directory') throw new FsError('ENOTDIR', 'rmdir', path);
    if (this.readdirSync(p).length > 0) throw new FsError('ENOTEMPTY', 'rmdir', path);
    this._in.deleteEntry(p);
  }

  chmodSync(path: string, mode: number) {
    const p = this._abs(path);
    const e = this._get(p);
    if (!e) throw new FsError('ENOENT', 'chmod', path);
    e.mode = mode & 0o7777;
  }
}
