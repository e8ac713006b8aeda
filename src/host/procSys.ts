// /proc/sys on a simulated node: sysctl(8) reads and writes files under /proc/sys, and so does the
// plugin; here those files are the simulated kernel's sysctls of the namespace the program runs in.
// /proc/self/ns/net and the namespace files the kernel pins (a pod's CNI_NETNS) live on nsfs, one
// device, as on Linux, so a program tells a namespace from a plain file the way it does on a real
// kernel. Everything else under /proc is absent: a hosted program never sees (or changes) the
// machine's own.
import { fsError } from './fsError.ts';
import { segments } from './posixPath.ts';
import type { HostFs, HostStats } from './types.ts';

/** The sysctls of one network namespace. */
export interface HostSysctls {
  /** Every key, dotted (net.ipv4.ip_forward; a dot in a link name is a slash: net.ipv4.conf.vlan/10.rp_filter). */
  keys(): string[];
  read(key: string): string | undefined;
  /** Writes; the kernel's refusal as an errno code. */
  write(key: string, value: string): 'ENOENT' | 'EINVAL' | undefined;
}

/** /proc/sys/net/ipv4/conf/vlan.10/rp_filter ↔ net.ipv4.conf.vlan/10.rp_filter */
export const keyOfSegments = (segs: readonly string[]) => segs.map((s) => s.replace(/\./g, '/')).join('.');
const segmentsOfKey = (key: string) => key.split('.').map((s) => s.replace(/\//g, '.'));

type Place = { kind: 'file'; key: string } | { kind: 'nsfile' } | { kind: 'dir'; children: string[] } | { kind: 'none' } | { kind: 'elsewhere' };

/** The device number namespace files report (any constant other files don't use). */
export const NSFS_DEV = 4;

const procStats = (dir: boolean): HostStats => ({
  isFile: () => !dir,
  isDirectory: () => dir,
  isSymbolicLink: () => false,
  size: 0, // as the kernel reports for /proc files
  mode: dir ? 0o040555 : 0o100644,
  mtimeMs: Date.now(),
  nlink: 1,
});

/**
 * `base` with /proc served from `sysctls` (a fresh view on every call: the kernel may change
 * between), and the paths `namespaceFiles` names (the pinned namespace files) presented on nsfs.
 */
export function withProcSys(base: HostFs, sysctls: HostSysctls, namespaceFiles: () => readonly string[] = () => []): HostFs {
  const place = (path: string): Place => {
    const segs = segments(path);
    if (segs[0] !== 'proc') return { kind: 'elsewhere' };
    if (segs.length === 1) return { kind: 'dir', children: ['self', 'sys'] };
    if (segs[1] === 'self') {
      if (segs.length === 2) return { kind: 'dir', children: ['ns'] };
      if (segs[2] !== 'ns') return { kind: 'none' };
      if (segs.length === 3) return { kind: 'dir', children: ['net'] };
      return segs.length === 4 && segs[3] === 'net' ? { kind: 'nsfile' } : { kind: 'none' };
    }
    if (segs[1] !== 'sys') return { kind: 'none' };
    const rest = segs.slice(2);
    const keys = sysctls.keys();
    const key = keyOfSegments(rest);
    if (rest.length > 0 && keys.includes(key)) return { kind: 'file', key };
    const children = new Set<string>();
    for (const k of keys) {
      const ks = segmentsOfKey(k);
      if (ks.length > rest.length && rest.every((s, i) => ks[i] === s)) children.add(ks[rest.length]!);
    }
    return children.size > 0 ? { kind: 'dir', children: [...children].sort() } : { kind: 'none' };
  };
  const refuse = (syscall: string, path: string, dest?: string): never => {
    throw fsError(place(path).kind === 'none' ? 'ENOENT' : 'EPERM', syscall, path, dest);
  };
  const onProc = (p: string) => place(p).kind !== 'elsewhere';
  const isNamespaceFile = (path: string) => namespaceFiles().includes(`/${segments(path).join('/')}`);
  const nsfsFile = (): HostStats => ({ ...procStats(false), mode: 0o100444, dev: NSFS_DEV });
  /**
   * A pinned namespace file is on nsfs; any other file keeps its own device. One the model pins
   * with no file on this machine behind it (a node's `ip netns add` name) is there all the same.
   */
  const statOf = (path: string, stat: (p: string) => HostStats): HostStats => {
    let st: HostStats;
    try {
      st = stat(path);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT' && isNamespaceFile(path)) return nsfsFile();
      throw err;
    }
    return onNsfs(path, st);
  };
  const onNsfs = (path: string, st: HostStats): HostStats => {
    if (!isNamespaceFile(path)) return st;
    // Spread loses the methods of a class instance: keep them.
    return { isFile: () => st.isFile(), isDirectory: () => st.isDirectory(), isSymbolicLink: () => st.isSymbolicLink(), size: st.size, mode: st.mode, mtimeMs: st.mtimeMs, nlink: st.nlink, dev: NSFS_DEV };
  };

  return {
    readFileSync(path) {
      const p = place(path);
      if (p.kind === 'elsewhere') return base.readFileSync(path);
      if (p.kind === 'none') throw fsError('ENOENT', 'open', path);
      if (p.kind === 'dir') throw fsError('EISDIR', 'read');
      if (p.kind === 'nsfile') throw fsError('EINVAL', 'read');
      return `${sysctls.read(p.key) ?? ''}\n`;
    },
    writeFileSync(path, data, opts) {
      const p = place(path);
      if (p.kind === 'elsewhere') return base.writeFileSync(path, data, opts);
      if (p.kind === 'none') throw fsError('ENOENT', 'open', path);
      if (p.kind === 'dir') throw fsError('EISDIR', 'open', path);
      if (p.kind === 'nsfile') throw fsError('EPERM', 'open', path);
      const refused = sysctls.write(p.key, data);
      if (refused) throw fsError(refused, 'write');
    },
    existsSync: (path) => {
      const p = place(path);
      return p.kind === 'elsewhere' ? base.existsSync(path) || isNamespaceFile(path) : p.kind !== 'none';
    },
    readdirSync(path) {
      const p = place(path);
      if (p.kind === 'elsewhere') return base.readdirSync(path);
      if (p.kind === 'dir') return p.children;
      throw fsError(p.kind === 'none' ? 'ENOENT' : 'ENOTDIR', 'scandir', path);
    },
    statSync(path) {
      const p = place(path);
      if (p.kind === 'elsewhere') return statOf(path, (q) => base.statSync(q));
      if (p.kind === 'none') throw fsError('ENOENT', 'stat', path);
      return p.kind === 'nsfile' ? nsfsFile() : procStats(p.kind === 'dir');
    },
    lstatSync(path) {
      const p = place(path);
      if (p.kind === 'elsewhere') return statOf(path, (q) => base.lstatSync(q));
      if (p.kind === 'none') throw fsError('ENOENT', 'lstat', path);
      return p.kind === 'nsfile' ? nsfsFile() : procStats(p.kind === 'dir');
    },
    mkdirSync: (path, opts) => (onProc(path) ? refuse('mkdir', path) : base.mkdirSync(path, opts)),
    linkSync: (a, b) => (onProc(a) || onProc(b) ? refuse('link', onProc(a) ? a : b) : base.linkSync(a, b)),
    unlinkSync: (path) => (onProc(path) ? refuse('unlink', path) : base.unlinkSync(path)),
    renameSync: (a, b) => (onProc(a) || onProc(b) ? refuse('rename', onProc(a) ? a : b) : base.renameSync(a, b)),
    rmSync: (path, opts) => (onProc(path) ? refuse('rm', path) : base.rmSync(path, opts)),
    rmdirSync: (path) => (onProc(path) ? refuse('rmdir', path) : base.rmdirSync(path)),
    chmodSync: (path, mode) => (onProc(path) ? refuse('chmod', path) : base.chmodSync?.(path, mode)),
  };
}
