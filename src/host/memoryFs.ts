// A file system in memory with POSIX semantics where programs lean on them: hard links (one inode,
// several names; link(2) fails with EEXIST), rename over a file, ENOTDIR / EISDIR / ENOTEMPTY.
// Used by tests and wherever a node's files live in memory.
import { fsError } from './fsError.ts';
import { segments } from './posixPath.ts';
import type { HostFs, HostStats } from './types.ts';

interface FileNode {
  kind: 'file';
  data: string;
  mode: number;
  mtimeMs: number;
  nlink: number;
}
interface DirNode {
  kind: 'dir';
  entries: Map<string, Node>;
  mode: number;
  mtimeMs: number;
}
type Node = FileNode | DirNode;

const dir = (mode = 0o755): DirNode => ({ kind: 'dir', entries: new Map(), mode, mtimeMs: Date.now() });

function stats(n: Node): HostStats {
  return {
    isFile: () => n.kind === 'file',
    isDirectory: () => n.kind === 'dir',
    isSymbolicLink: () => false,
    size: n.kind === 'file' ? n.data.length : 4096,
    mode: (n.kind === 'file' ? 0o100000 : 0o040000) | n.mode,
    mtimeMs: n.mtimeMs,
    nlink: n.kind === 'file' ? n.nlink : 2 + [...n.entries.values()].filter((e) => e.kind === 'dir').length,
  };
}

export class MemoryFs implements HostFs {
  private readonly _root = dir();

  /** Files to start with: path → content (parent directories are made). */
  constructor(files: Record<string, string> = {}) {
    for (const [p, content] of Object.entries(files)) {
      const parent = p.slice(0, p.lastIndexOf('/')) || '/';
      this.mkdirSync(parent, { recursive: true });
      this.writeFileSync(p, content);
    }
  }

  /** The directory holding `path`'s last name, and that name. */
  private _parent(path: string, syscall: string): { parent: DirNode; name: string } {
    const segs = segments(path);
    const name = segs.pop();
    if (name === undefined) throw fsError('EPERM', syscall, path);
    let d: Node = this._root;
    for (const s of segs) {
      const next: Node | undefined = d.entries.get(s);
      if (!next) throw fsError('ENOENT', syscall, path);
      if (next.kind !== 'dir') throw fsError('ENOTDIR', syscall, path);
      d = next;
    }
    return { parent: d, name };
  }

  private _find(path: string, syscall: string): Node {
    if (segments(path).length === 0) return this._root;
    const { parent, name } = this._parent(path, syscall);
    const n = parent.entries.get(name);
    if (!n) throw fsError('ENOENT', syscall, path);
    return n;
  }

  readFileSync(path: string): string {
    const n = this._find(path, 'open');
    if (n.kind === 'dir') throw fsError('EISDIR', 'read');
    return n.data;
  }

  writeFileSync(path: string, data: string, opts: { mode?: number; flag?: string } = {}): void {
    const flag = opts.flag ?? 'w';
    const { parent, name } = this._parent(path, 'open');
    const n = parent.entries.get(name);
    if (n && flag.includes('x')) throw fsError('EEXIST', 'open', path);
    if (n?.kind === 'dir') throw fsError('EISDIR', 'open', path);
    if (n) {
      n.data = flag.startsWith('a') ? n.data + data : data;
      n.mtimeMs = Date.now();
      return;
    }
    parent.entries.set(name, { kind: 'file', data, mode: (opts.mode ?? 0o666) & 0o777 & ~0o022, mtimeMs: Date.now(), nlink: 1 });
  }

  existsSync(path: string): boolean {
    try {
      this._find(path, 'access');
      return true;
    } catch {
      return false;
    }
  }

  mkdirSync(path: string, opts: { recursive?: boolean; mode?: number } = {}): void {
    if (opts.recursive) {
      let d: DirNode = this._root;
      const segs = segments(path);
      for (const [i, s] of segs.entries()) {
        const next = d.entries.get(s);
        if (next?.kind === 'file') throw fsError(i === segs.length - 1 ? 'EEXIST' : 'ENOTDIR', 'mkdir', path);
        if (!next) {
          const made = dir(opts.mode);
          d.entries.set(s, made);
          d = made;
        } else d = next;
      }
      return;
    }
    const { parent, name } = this._parent(path, 'mkdir');
    if (parent.entries.has(name)) throw fsError('EEXIST', 'mkdir', path);
    parent.entries.set(name, dir(opts.mode));
  }

  private _maybe(path: string): Node | undefined {
    try {
      return this._find(path, 'stat');
    } catch {
      return undefined;
    }
  }

  readdirSync(path: string): string[] {
    const n = this._find(path, 'scandir');
    if (n.kind !== 'dir') throw fsError('ENOTDIR', 'scandir', path);
    return [...n.entries.keys()].sort();
  }

  statSync(path: string): HostStats {
    return stats(this._find(path, 'stat'));
  }

  lstatSync(path: string): HostStats {
    return stats(this._find(path, 'lstat'));
  }

  linkSync(existingPath: string, newPath: string): void {
    const n = this._maybe(existingPath);
    const { parent, name } = this._parent(newPath, 'link');
    if (!n) throw fsError('ENOENT', 'link', existingPath, newPath);
    if (parent.entries.has(name)) throw fsError('EEXIST', 'link', existingPath, newPath);
    if (n.kind === 'dir') throw fsError('EPERM', 'link', existingPath, newPath);
    n.nlink++;
    parent.entries.set(name, n);
  }

  unlinkSync(path: string): void {
    const { parent, name } = this._parent(path, 'unlink');
    const n = parent.entries.get(name);
    if (!n) throw fsError('ENOENT', 'unlink', path);
    if (n.kind === 'dir') throw fsError('EISDIR', 'unlink', path);
    n.nlink--;
    parent.entries.delete(name);
  }

  renameSync(oldPath: string, newPath: string): void {
    const from = this._parent(oldPath, 'rename');
    const n = from.parent.entries.get(from.name);
    if (!n) throw fsError('ENOENT', 'rename', oldPath, newPath);
    const to = this._parent(newPath, 'rename');
    const there = to.parent.entries.get(to.name);
    if (there === n) return;
    if (there?.kind === 'dir' && n.kind === 'file') throw fsError('EISDIR', 'rename', oldPath, newPath);
    if (there?.kind === 'file' && n.kind === 'dir') throw fsError('ENOTDIR', 'rename', oldPath, newPath);
    if (there?.kind === 'dir' && there.entries.size > 0) throw fsError('ENOTEMPTY', 'rename', oldPath, newPath);
    if (n.kind === 'dir' && `/${segments(newPath).join('/')}/`.startsWith(`/${segments(oldPath).join('/')}/`)) {
      throw fsError('EINVAL', 'rename', oldPath, newPath);
    }
    if (there?.kind === 'file') there.nlink--;
    from.parent.entries.delete(from.name);
    to.parent.entries.set(to.name, n);
  }

  rmSync(path: string, opts: { recursive?: boolean; force?: boolean } = {}): void {
    let found: { parent: DirNode; name: string };
    try {
      found = this._parent(path, 'rm');
    } catch (err) {
      if (opts.force && (err as { code?: string }).code === 'ENOENT') return;
      throw err;
    }
    const n = found.parent.entries.get(found.name);
    if (!n) {
      if (opts.force) return;
      throw fsError('ENOENT', 'lstat', path);
    }
    if (n.kind === 'dir' && !opts.recursive) {
      throw Object.assign(new Error(`Path is a directory: rm returned EISDIR (is a directory) ${path}`), { code: 'ERR_FS_EISDIR', errno: 21, syscall: 'rm', path });
    }
    if (n.kind === 'file') n.nlink--;
    found.parent.entries.delete(found.name);
  }

  rmdirSync(path: string): void {
    const { parent, name } = this._parent(path, 'rmdir');
    const n = parent.entries.get(name);
    if (!n) throw fsError('ENOENT', 'rmdir', path);
    if (n.kind !== 'dir') throw fsError('ENOTDIR', 'rmdir', path);
    if (n.entries.size > 0) throw fsError('ENOTEMPTY', 'rmdir', path);
    parent.entries.delete(name);
  }

  chmodSync(path: string, mode: number): void {
    this._find(path, 'chmod').mode = mode & 0o7777;
  }
}
