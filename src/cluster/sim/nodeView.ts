// A simulated node's file system view: the paths the lab texts use — /etc/cni, /run/simplecni-lab/…,
// /var/lib/cni — resolve, in a node's shell and in the processes run on it, to that node's files in
// the cluster's state directory. Done with a private mount namespace in an unprivileged user
// namespace (`unshare -rm`, no root needed): bind mounts over those paths, seen by the node's
// processes only, never by the machine. Where a path does not exist on the machine, its parent is
// shadowed to add the mount point (see SETUP). Without user namespaces (macOS, a kernel that forbids
// them) a node works as before, its files at their real paths (the shell's banner names them).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimLayout } from './layout.ts';

/** Where the node sees each of its directories: [path on the node, what is mounted there]. */
export function viewMounts(layout: SimLayout, node: string): [string, string][] {
  return [
    ['/etc/cni', layout.etcDir(node)],
    // The netns backend's layout: /run/simplecni-lab/<cluster>/nodes/<node>/{ipam,results,netns}.
    ['/run/simplecni-lab', layout.root],
    ['/var/lib/cni', varLibCni(layout, node)],
  ];
}

/** /var/lib/cni as a runtime keeps it: the leases and the runtime's cache of ADD results. */
function varLibCni(layout: SimLayout, node: string): string {
  const dir = path.join(layout.nodeDir(node), 'var-lib-cni');
  const paths = layout.nodePaths(node);
  for (const [name, to] of [
    ['results', paths.cacheDir],
    ['simplecni', path.join(paths.dataDir, 'simplecni')],
  ] as const) {
    const link = path.join(dir, name);
    try {
      if (fs.readlinkSync(link) === to) continue;
      fs.rmSync(link, { force: true });
    } catch {
      // no link yet
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.symlinkSync(to, link);
  }
  return dir;
}

// Runs in the new namespaces, then execs the node's command ($1…). The mounts come in VIEW_MOUNTS
// as lines "target<TAB>source". A target the machine lacks gets a mount point by shadowing its
// parent: a tmpfs over it, every entry of the original bound back (through a descriptor opened
// before), so the rest of the parent — the cluster's own state, if it lives there — stays as it is.
const SETUP = `
shadow() {
  exec 4<"$1" || return 1
  mount -t tmpfs tmpfs "$1" || { exec 4<&-; return 1; }
  for e in /proc/self/fd/4/* /proc/self/fd/4/.[!.]*; do
    [ -e "$e" ] || [ -L "$e" ] || continue
    n=\${e##*/}
    if [ -L "$e" ]; then ln -s "$(readlink "$e")" "$1/$n"
    elif [ -d "$e" ]; then mkdir "$1/$n" && mount --rbind "$e" "$1/$n"
    else : > "$1/$n" && mount --bind "$e" "$1/$n"; fi
  done
  exec 4<&-
}
printf '%s\\n' "$VIEW_MOUNTS" | while IFS='	' read -r target source; do
  [ -n "$target" ] && [ -e "$source" ] || continue
  if [ ! -e "$target" ]; then
    parent=$(dirname "$target")
    [ -d "$parent" ] || continue
    shadow "$parent" 2>/dev/null && mkdir "$target" 2>/dev/null || continue
  fi
  mount --bind "$source" "$target" 2>/dev/null || true
done
unset VIEW_MOUNTS
exec "$@"
`;

let usable: boolean | undefined;
/** Can this machine give a process a private mount namespace without root? Asked once. */
export function nodeViewAvailable(): boolean {
  if (usable === undefined) {
    if (process.env.SIMPLECNI_SIM_NODE_VIEW === '0' || process.platform !== 'linux') usable = false;
    else usable = spawnSync('unshare', ['-rm', '--propagation', 'private', 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
  }
  return usable;
}

/** `argv` run on the node inside its view (unchanged where the machine cannot give one). */
export function inNodeView(layout: SimLayout, node: string, argv: readonly string[]): string[] {
  if (!nodeViewAvailable() || !fs.existsSync(layout.nodeDir(node))) return [...argv];
  const mounts = viewMounts(layout, node)
    .map(([t, s]) => `${t}\t${s}`)
    .join('\n');
  return [
    'env',
    `VIEW_MOUNTS=${mounts}`,
    'unshare',
    '-rm',
    '--propagation',
    'private',
    'sh',
    '-c',
    SETUP,
    'sh',
    ...argv,
  ];
}
