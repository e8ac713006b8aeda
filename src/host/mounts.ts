// Paths as a node sees them, on a file system that keeps them elsewhere. A simulated node's shell
// sees /etc/cni, /run/simplecni-lab and /var/lib/cni as its own files through a mount namespace
// (src/cluster/sim/nodeView.ts); a program the plugin host runs in-process never enters that
// namespace, so its file operations are mapped here instead — the same table, the same answers.
import { fsError, type FsError } from './fsError.ts';
import { normalizeAbsolute } from './posixPath.ts';
import type { HostFs } from './types.ts';

/** [where the node sees it, where it is]: both absolute. */
export type PathMount = readonly [target: string, source: string];

/** `base` with each mount's target served from its source (the longest target wins, as nested mounts do). */
export function withMounts(base: HostFs, mounts: readonly PathMount[]): HostFs {
  if (mounts.length === 0) return base;
  const table = [...mounts].map(([t, s]) => [normalizeAbsolute(t), normalizeAbsolute(s)] as const).sort((a, b) => b[0].length - a[0].length);
  const map = (p: string): string => {
    const abs = normalizeAbsolute(p);
    for (const [t, s] of table) if (abs === t || abs.startsWith(`${t}/`)) return s + abs.slice(t.length);
    return p;
  };
  // An error names the path the program asked for, as the node's kernel would.
  const call = <T>(paths: readonly string[], f: (...mapped: string[]) => T): T => {
    const mapped = paths.map(map);
    try {
      return f(...mapped);
    } catch (e) {
      const err = e as Partial<FsError>;
      if (typeof err.code !== 'string' || typeof err.syscall !== 'string') throw e;
      const back = (x: string | undefined) => (x === undefined ? undefined : (paths[mapped.indexOf(x)] ?? x));
      throw fsError(err.code, err.syscall, back(err.path), back(err.dest));
    }
  };
  const fs: HostFs = {
    readFileSync: (p) => call([p], (m) => base.readFileSync(m)),
    writeFileSync: (p, data, opts) => call([p], (m) => base.writeFileSync(m, data, opts)),
    existsSync: (p) => base.existsSync(map(p)),
    mkdirSync: (p, opts) => call([p], (m) => base.mkdirSync(m, opts)),
    readdirSync: (p) => call([p], (m) => base.readdirSync(m)),
    statSync: (p) => call([p], (m) => base.statSync(m)),
    lstatSync: (p) => call([p], (m) => base.lstatSync(m)),
    linkSync: (a, b) => call([a, b], (ma, mb) => base.linkSync(ma, mb)),
    unlinkSync: (p) => call([p], (m) => base.unlinkSync(m)),
    renameSync: (a, b) => call([a, b], (ma, mb) => base.renameSync(ma, mb)),
    rmSync: (p, opts) => call([p], (m) => base.rmSync(m, opts)),
    rmdirSync: (p) => call([p], (m) => base.rmdirSync(m)),
  };
  if (base.chmodSync) fs.chmodSync = (p, mode) => call([p], (m) => base.chmodSync!(m, mode));
  return fs;
}
