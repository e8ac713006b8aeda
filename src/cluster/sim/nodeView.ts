// A simulated node's file system view: the paths the lab texts use — /etc/cni, /run/simplecni-lab/…,
// /var/lib/cni — resolve, in a node's shell and in what a person runs there (`cnilab exec`), to that
// node's files in the cluster's state directory. The kit's own calls (checks, the runtime) use the
// real paths the driver names and skip the view's cost (a few mounts, ~0.1 s); a plugin run in the
// plugin host maps the same table itself (src/host/mounts.ts). Done with a private
// mount namespace in an unprivileged user namespace (`unshare -rm`, no root needed): mounts seen by
// the node's processes only, never by the machine (see SETUP). Without user namespaces (macOS, a
// kernel that forbids them) a node works as before, its files at their real paths (the shell's
// banner names them).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimLayout } from './layout.ts';

const varLibCniDir = (layout: SimLayout, node: string) => path.join(layout.nodeDir(node), 'var-lib-cni');

/**
 * Where the node sees each of its directories: [path on the node, what is mounted there]. Paths
 * only (the plugin host asks on every run): prepareNodeView makes what they point at.
 */
export function viewMounts(layout: SimLayout, node: string): [string, string][] {
  return [
    ['/etc/cni', layout.etcDir(node)],
    // The netns backend's layout: /run/simplecni-lab/<cluster>/nodes/<node>/{ipam,results,netns}.
    ['/run/simplecni-lab', layout.root],
    ['/var/lib/cni', varLibCniDir(layout, node)],
  ];
}

/**
 * /var/lib/cni as a runtime keeps it — the leases and the runtime's cache of ADD results — as links
 * into the node's files: made when the node's files are installed, and checked again before a shell.
 */
export function prepareNodeView(layout: SimLayout, node: string): void {
  const dir = varLibCniDir(layout, node);
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
}

// Runs in the new namespaces, then execs the node's command ($1…). The mounts come in VIEW_MOUNTS
// as lines "target<TAB>source". Each target's parent is always shadowed by a tmpfs of the view's
// own, and the target is a directory made there: a mount point on the machine's own /etc/cni (or
// /run/simplecni-lab) would be detached the moment a netns cluster on the machine removes that
// directory — the kernel detaches mounts on a removed directory in every namespace. The parent's
// original entries stay reachable by path: the original parent is bound (recursively, with its own
// mounts) at <parent>/.machine, and each entry is a symlink into it, so what changes in an entry is
// seen as it changes (a new entry of the parent itself, only by the node's next shell); entries that
// are symlinks are copied as they are (a relative link would not resolve from .machine).
// `mount -c`: util-linux would otherwise resolve /proc/self/fd/4 to its path name, which by then is
// the tmpfs. The recursive bind copies the mounts on the original parent too, the new tmpfs among
// them, on top: the `umount` takes that copy off.
const SETUP = `
shadow() {
  exec 4<"$1" || return 1
  mount -t tmpfs -o mode=0755 tmpfs "$1" || { exec 4<&-; return 1; }
  mkdir "$1/.machine" "$1/$2" && mount -c --rbind /proc/self/fd/4 "$1/.machine" || { exec 4<&-; return 1; }
  exec 4<&-
  umount -c "$1/.machine" || return 1
  set -- "$1" "$2" "$1/.machine"
  links=''; copies=''
  for e in "$3"/* "$3"/.[!.]* "$3"/..?*; do
    n=\${e##*/}
    [ "$n" != "$2" ] && [ "$n" != .machine ] || continue
    if [ -L "$e" ]; then copies="$copies$e
"
    elif [ -e "$e" ]; then links="$links$e
"
    fi
  done
  old=$IFS; IFS='
'; set -f
  [ -z "$links" ] || ln -s -t "$1" -- $links
  [ -z "$copies" ] || cp -P -t "$1" -- $copies
  IFS=$old; set +f
}
printf '%s\\n' "$VIEW_MOUNTS" | while IFS='	' read -r target source; do
  [ -n "$target" ] && [ -e "$source" ] || continue
  parent=\${target%/*}
  [ -d "$parent" ] || continue
  shadow "$parent" "\${target##*/}" 2>/dev/null
  [ -d "$target" ] && mount -c --bind "$source" "$target" 2>/dev/null || true
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
  prepareNodeView(layout, node);
  return viewArgv(viewMounts(layout, node), argv);
}

/** `argv` run with `mounts` ([target, source]) in a private mount namespace, as SETUP makes them. */
export function viewArgv(mounts: readonly (readonly [string, string])[], argv: readonly string[]): string[] {
  const lines = mounts.map(([t, s]) => `${t}\t${s}`).join('\n');
  return ['env', `VIEW_MOUNTS=${lines}`, 'unshare', '-rm', '--propagation', 'private', 'sh', '-c', SETUP, 'sh', ...argv];
}
