// node:fs for a hosted program, onto the caller's HostFs: the sync calls the plugin and node agent
// make, the same calls as fs.promises and with callbacks, and fds 0/1/2 (stdin, stdout, stderr).
import { chunkText, HostBuffer } from '../buffer.ts';
import { fsError } from '../fsError.ts';
import { normalizeAbsolute } from '../posixPath.ts';
import type { HostStats } from '../types.ts';
import type { ModuleContext } from './context.ts';

type Opts = string | { encoding?: string | null; flag?: string; mode?: number; recursive?: boolean; force?: boolean; withFileTypes?: boolean; throwIfNoEntry?: boolean } | number | undefined | null;

const encodingOf = (o: Opts) => (typeof o === 'string' ? o : typeof o === 'object' && o ? (o.encoding ?? undefined) : undefined);
const obj = (o: Opts) => (typeof o === 'object' && o ? o : {});

export const constants = {
  F_OK: 0,
  R_OK: 4,
  W_OK: 2,
  X_OK: 1,
  COPYFILE_EXCL: 1,
  O_RDONLY: 0,
  O_WRONLY: 1,
  O_RDWR: 2,
  O_CREAT: 64,
  O_EXCL: 128,
  O_TRUNC: 512,
  O_APPEND: 1024,
};

class Stats {
  readonly size: number;
  readonly mode: number;
  readonly nlink: number;
  readonly mtimeMs: number;
  readonly mtime: Date;
  readonly atime: Date;
  readonly ctime: Date;
  readonly birthtime: Date;
  readonly uid = 0;
  readonly gid = 0;
  constructor(private readonly _s: HostStats) {
    this.size = _s.size;
    this.mode = _s.mode;
    this.nlink = _s.nlink;
    this.mtimeMs = _s.mtimeMs;
    this.mtime = this.atime = this.ctime = this.birthtime = new Date(_s.mtimeMs);
  }
  isFile() {
    return this._s.isFile();
  }
  isDirectory() {
    return this._s.isDirectory();
  }
  isSymbolicLink() {
    return this._s.isSymbolicLink();
  }
  isFIFO() {
    return false;
  }
  isSocket() {
    return false;
  }
  isBlockDevice() {
    return false;
  }
  isCharacterDevice() {
    return false;
  }
}

class Dirent {
  constructor(
    readonly name: string,
    readonly parentPath: string,
    private readonly _s: HostStats | undefined,
  ) {}
  get path() {
    return this.parentPath;
  }
  isFile() {
    return this._s?.isFile() ?? false;
  }
  isDirectory() {
    return this._s?.isDirectory() ?? false;
  }
  isSymbolicLink() {
    return this._s?.isSymbolicLink() ?? false;
  }
}

interface OpenFile {
  path: string;
  flag: string;
}

const unavailable = (name: string) => () => {
  throw Object.assign(new Error(`fs.${name} is not available in the plugin host; use the synchronous calls (readFileSync, writeFileSync…) or fs.promises`), { code: 'ERR_NOT_AVAILABLE' });
};

export function createFs(ctx: ModuleContext) {
  const hfs = ctx.fs;
  const files = new Map<number, OpenFile>();
  let nextFd = 3;
  const abs = (p: unknown) => normalizeAbsolute(pathText(p), ctx.cwd());
  const text = (data: unknown, _o?: Opts) => (typeof data === 'string' ? data : chunkText(data));
  const out = (s: string, o: Opts) => {
    const enc = encodingOf(o);
    return enc && enc !== 'buffer' ? s : HostBuffer.from(s);
  };
  const fdWrite = (fd: number, s: string) => {
    if (fd === 1) return ctx.life.writeStdout(s);
    if (fd === 2) return ctx.life.writeStderr(s);
    const f = files.get(fd);
    if (!f || f.flag === 'r') throw fsError('EBADF', 'write');
    hfs.writeFileSync(f.path, s, { flag: 'a' });
  };
  const fdRead = (fd: number) => {
    if (fd === 0) return ctx.takeStdin();
    const f = files.get(fd);
    if (!f) throw fsError('EBADF', 'read');
    return hfs.readFileSync(f.path);
  };

  const sync = {
    readFileSync(p: unknown, o?: Opts) {
      return out(typeof p === 'number' ? fdRead(p) : hfs.readFileSync(abs(p)), o);
    },
    writeFileSync(p: unknown, data: unknown, o?: Opts) {
      if (typeof p === 'number') return fdWrite(p, text(data, o));
      hfs.writeFileSync(abs(p), text(data, o), withMode(obj(o).mode, obj(o).flag ?? 'w'));
    },
    appendFileSync(p: unknown, data: unknown, o?: Opts) {
      if (typeof p === 'number') return fdWrite(p, text(data, o));
      hfs.writeFileSync(abs(p), text(data, o), withMode(obj(o).mode, obj(o).flag ?? 'a'));
    },
    existsSync(p: unknown) {
      try {
        return hfs.existsSync(abs(p));
      } catch {
        return false;
      }
    },
    mkdirSync(p: unknown, o?: Opts) {
      const opts = typeof o === 'number' ? { mode: o } : obj(o);
      const path = abs(p);
      if (!opts.recursive) return void hfs.mkdirSync(path, opts.mode === undefined ? {} : { mode: opts.mode });
      // Node returns the first directory it made (undefined when all existed).
      const parts = path.split('/').filter(Boolean);
      let first: string | undefined;
      for (let i = 1; i <= parts.length && first === undefined; i++) {
        const sub = `/${parts.slice(0, i).join('/')}`;
        if (!hfs.existsSync(sub)) first = sub;
      }
      hfs.mkdirSync(path, opts.mode === undefined ? { recursive: true } : { recursive: true, mode: opts.mode });
      return first;
    },
    readdirSync(p: unknown, o?: Opts) {
      const path = abs(p);
      const names = hfs.readdirSync(path);
      if (!obj(o).withFileTypes) return names;
      return names.map((n) => {
        let s: HostStats | undefined;
        try {
          s = hfs.lstatSync(`${path}/${n}`);
        } catch {
          s = undefined;
        }
        return new Dirent(n, path, s);
      });
    },
    statSync(p: unknown, o?: Opts) {
      try {
        return new Stats(hfs.statSync(abs(p)));
      } catch (err) {
        if (obj(o).throwIfNoEntry === false && (err as { code?: string }).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    lstatSync(p: unknown, o?: Opts) {
      try {
        return new Stats(hfs.lstatSync(abs(p)));
      } catch (err) {
        if (obj(o).throwIfNoEntry === false && (err as { code?: string }).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    fstatSync(fd: number) {
      const f = files.get(fd);
      if (!f) throw fsError('EBADF', 'fstat');
      return new Stats(hfs.statSync(f.path));
    },
    linkSync: (a: unknown, b: unknown) => hfs.linkSync(abs(a), abs(b)),
    unlinkSync: (p: unknown) => hfs.unlinkSync(abs(p)),
    renameSync: (a: unknown, b: unknown) => hfs.renameSync(abs(a), abs(b)),
    rmSync: (p: unknown, o?: Opts) => hfs.rmSync(abs(p), { recursive: obj(o).recursive === true, force: obj(o).force === true }),
    rmdirSync(p: unknown, o?: Opts) {
      if (obj(o).recursive) hfs.rmSync(abs(p), { recursive: true });
      else hfs.rmdirSync(abs(p));
    },
    copyFileSync(a: unknown, b: unknown, mode = 0) {
      const data = hfs.readFileSync(abs(a));
      hfs.writeFileSync(abs(b), data, { flag: mode & constants.COPYFILE_EXCL ? 'wx' : 'w' });
    },
    accessSync(p: unknown) {
      hfs.statSync(abs(p)); // as root, only existence can fail
    },
    chmodSync(p: unknown, mode: number | string) {
      const path = abs(p);
      hfs.statSync(path);
      hfs.chmodSync?.(path, typeof mode === 'string' ? parseInt(mode, 8) : mode);
    },
    realpathSync(p: unknown) {
      const path = abs(p);
      hfs.statSync(path);
      return path;
    },
    mkdtempSync(prefix: string) {
      for (;;) {
        const path = abs(`${prefix}${Math.random().toString(36).slice(2, 8)}`);
        if (hfs.existsSync(path)) continue;
        hfs.mkdirSync(path, { mode: 0o700 });
        return path;
      }
    },
    openSync(p: unknown, flags: string | number = 'r', mode?: number) {
      const flag = typeof flags === 'number' ? numericFlag(flags) : flags;
      const path = abs(p);
      if (flag.startsWith('r')) hfs.readFileSync(path);
      else hfs.writeFileSync(path, '', withMode(mode, flag.replace('+', '')));
      const fd = nextFd++;
      files.set(fd, { path, flag: flag.startsWith('r') && !flag.includes('+') ? 'r' : 'a' });
      return fd;
    },
    writeSync(fd: number, data: unknown, ...rest: unknown[]) {
      const s = typeof data === 'string' ? data : chunkText(data);
      const chunk = typeof data === 'string' ? s : typeof rest[0] === 'number' ? s.slice(rest[0], typeof rest[1] === 'number' ? rest[0] + rest[1] : undefined) : s;
      fdWrite(fd, chunk);
      return chunk.length;
    },
    closeSync(fd: number) {
      if (fd > 2 && !files.delete(fd)) throw fsError('EBADF', 'close');
    },
    fsyncSync(fd: number) {
      if (fd > 2 && !files.has(fd)) throw fsError('EBADF', 'fsync');
    },
  };

  // fs.promises: the same calls, settled as promises.
  const promisified = <A extends unknown[], R>(fn: (...a: A) => R) => (...a: A): Promise<R> => new Promise((resolve) => resolve(fn(...a)));
  const promises = {
    readFile: promisified(sync.readFileSync),
    writeFile: promisified(sync.writeFileSync),
    appendFile: promisified(sync.appendFileSync),
    mkdir: promisified(sync.mkdirSync),
    readdir: promisified(sync.readdirSync),
    stat: promisified(sync.statSync),
    lstat: promisified(sync.lstatSync),
    link: promisified(sync.linkSync),
    unlink: promisified(sync.unlinkSync),
    rename: promisified(sync.renameSync),
    rm: promisified(sync.rmSync),
    rmdir: promisified(sync.rmdirSync),
    copyFile: promisified(sync.copyFileSync),
    access: promisified(sync.accessSync),
    chmod: promisified(sync.chmodSync),
    realpath: promisified(sync.realpathSync),
    mkdtemp: promisified(sync.mkdtempSync),
    constants,
  };

  // Callback style: the answer comes on a later turn of the loop, which the pending call keeps alive.
  const withCallback =
    (fn: (...a: any[]) => unknown, noValue = false) =>
    (...args: unknown[]) => {
      const cb = args.pop();
      if (typeof cb !== 'function') throw Object.assign(new TypeError('The "cb" argument must be of type function'), { code: 'ERR_INVALID_ARG_TYPE' });
      let err: unknown = null;
      let value: unknown;
      try {
        value = fn(...args);
      } catch (e) {
        err = e;
      }
      ctx.timers.setImmediate(() => (noValue || err ? cb(err) : cb(null, value)));
    };
  const callbacks = {
    readFile: withCallback(sync.readFileSync),
    writeFile: withCallback(sync.writeFileSync, true),
    appendFile: withCallback(sync.appendFileSync, true),
    mkdir: withCallback(sync.mkdirSync),
    readdir: withCallback(sync.readdirSync),
    stat: withCallback(sync.statSync),
    lstat: withCallback(sync.lstatSync),
    link: withCallback(sync.linkSync, true),
    unlink: withCallback(sync.unlinkSync, true),
    rename: withCallback(sync.renameSync, true),
    rm: withCallback(sync.rmSync, true),
    rmdir: withCallback(sync.rmdirSync, true),
    copyFile: withCallback(sync.copyFileSync, true),
    access: withCallback(sync.accessSync, true),
    chmod: withCallback(sync.chmodSync, true),
    exists: (p: unknown, cb: (b: boolean) => void) => ctx.timers.setImmediate(() => cb(sync.existsSync(p))),
  };

  return {
    ...sync,
    ...callbacks,
    promises,
    constants,
    ...constants,
    Stats,
    Dirent,
    createReadStream: unavailable('createReadStream'),
    createWriteStream: unavailable('createWriteStream'),
    watch: unavailable('watch'),
    readSync: unavailable('readSync'),
  };
}

const withMode = (mode: number | undefined, flag: string) => (mode === undefined ? { flag } : { mode, flag });

function pathText(p: unknown): string {
  if (typeof p === 'string') return p;
  if (p instanceof Uint8Array) return chunkText(p);
  if (typeof p === 'object' && p !== null && 'pathname' in p) return String((p as { pathname: unknown }).pathname);
  throw Object.assign(new TypeError(`The "path" argument must be of type string or an instance of Buffer or URL. Received ${p === null ? 'null' : typeof p}`), { code: 'ERR_INVALID_ARG_TYPE' });
}

function numericFlag(n: number): string {
  const app = n & constants.O_APPEND;
  const excl = n & constants.O_EXCL;
  if ((n & 3) === constants.O_RDONLY) return 'r';
  return `${app ? 'a' : 'w'}${excl ? 'x' : ''}`;
}
