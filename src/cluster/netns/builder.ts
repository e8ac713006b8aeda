// Builds and removes the netns cluster: every node, the router and each underlay segment is a
// network namespace on this machine; none is ever connected to the machine's real interfaces,
// and nothing is configured in the machine's own namespace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Mode } from '../../plugin/config.ts';
import { execCommand, mustExec } from '../../shared/exec.ts';
import { ipamBundle, nodeBundle, pluginBundle } from '../../shared/paths.ts';
import { BackendUnavailableError, readStateFile, writeStateFile, type DownResult, type Progress, type UpResult } from '../backend.ts';
import { CONF_FILE_NAME } from '../nodeConfig.ts';
import { installBundle, installNodeFiles as installNodeFilesAt, type Bundles } from '../nodeFiles.ts';
import { underlayPlan } from '../underlay.ts';
import { workers, type Topology, type WorkerNode } from '../topology.ts';
import { NetnsLayout, STATE_ROOT, type ClusterState } from './layout.ts';
import { msg, TextError } from '../../i18n/text.ts';



/** The netns backend needs Linux, root and iproute2/util-linux; say exactly what is missing. */
export async function requireNetnsSupport(): Promise<void> {
  if (process.platform !== 'linux') {
    throw new BackendUnavailableError(msg('err.backend.netnsLinux', { platform: process.platform }));
  }
  if (process.getuid?.() !== 0) {
    throw new BackendUnavailableError(msg('err.backend.netnsRoot'));
  }
  const missing: string[] = [];
  for (const [tool, pkg] of [['ip', 'iproute2'], ['nsenter', 'util-linux'], ['unshare', 'util-linux'], ['ping', 'iputils-ping']] as const) {
    if ((await execCommand(['sh', '-c', `command -v ${tool}`])).code !== 0) missing.push(`${tool} (package ${pkg})`);
  }
  if (missing.length > 0) {
    throw new BackendUnavailableError(msg('err.backend.missingTools', { tools: missing.join(', ') }));
  }
}

export async function listNetns(): Promise<Set<string>> {
  const out = await mustExec(['ip', 'netns', 'list']);
  return new Set(out.split('\n').map((l) => l.split(' ')[0]!).filter(Boolean));
}

export const readState = (layout: NetnsLayout) => readStateFile(layout.stateFile);
export const writeState = (layout: NetnsLayout, state: ClusterState) => writeStateFile(layout.stateFile, state);

/** Every namespace this cluster consists of: segments first (nodes plug into them). */
export function plannedNamespaces(t: Topology, layout: NetnsLayout): string[] {
  return [...t.segments.map((s) => layout.segmentNs(s.name)), ...t.nodes.map((n) => layout.nodeNs(n.name))];
}

export async function clusterUp(t: Topology, layout: NetnsLayout, opts: { mode: Mode; progress?: Progress }): Promise<UpResult> {
  const progress = opts.progress ?? (() => {});
  await requireNetnsSupport();
  for (const b of [pluginBundle(), ipamBundle(), nodeBundle()]) if (!fs.existsSync(b)) throw new TextError(msg('err.build.missing', { file: b }));
  let existing = await listNetns();
  const planned = plannedNamespaces(t, layout);
  const prior = readState(layout);

  if (prior?.complete && planned.every((ns) => existing.has(ns))) {
    // Already up: refresh the nodes' CNI files (mode, plugin bundle) and leave the rest alone.
    progress('cluster already up; refreshing node configs');
    for (const n of workers(t)) installNodeFiles(t, layout, n, opts.mode);
    await ensureMountNamespaces(t, layout);
    const state = { ...prior, mode: opts.mode };
    writeState(layout, state);
    return { created: false, state };
  }
  if (prior) {
    progress('an earlier `cluster up` did not finish; removing what it left');
    await clusterDown(layout, { progress });
    existing = await listNetns();
  }
  const clash = planned.filter((ns) => existing.has(ns));
  if (clash.length > 0) {
    throw new TextError(msg('err.netns.clash', { names: clash.join(', ') }));
  }

  // Record the plan before touching anything, so `down` can clean up even if this is killed midway.
  const state: ClusterState = {
    name: layout.cluster,
    backend: 'netns',
    mode: opts.mode,
    createdAt: new Date().toISOString(),
    complete: false,
    namespaces: planned,
    etcDirs: workers(t).map((n) => path.dirname(layout.etcCniDir(n.name))),
  };
  writeState(layout, state);

  for (const ns of planned) {
    progress(`creating namespace ${ns}`);
    await mustExec(['ip', 'netns', 'add', ns]);
  }
  const plan = underlayPlan(t, { node: (n) => layout.nodeNs(n), segment: (s) => layout.segmentNs(s) });
  for (const step of plan.steps) {
    progress(`${step.ns}: ${step.lines.length} underlay command(s)`);
    await ipBatch(step.ns, step.lines);
  }
  for (const ns of plan.forwarders) await mustExec(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);

  ensureSharedDir('/etc/cni'); // `ip netns exec` can only bind over an existing /etc/cni
  ensureSharedDir('/etc/netns');
  for (const n of workers(t)) {
    progress(`${n.name}: CNI files (plugin, ${CONF_FILE_NAME}, ipam.config ${n.podSubnet})`);
    installNodeFiles(t, layout, n, opts.mode);
  }
  progress('mount namespaces: each node its own /etc/cni and /sys');
  await ensureMountNamespaces(t, layout);
  state.complete = true;
  writeState(layout, state);
  return { created: true, state };
}

/**
 * Gives every node a mount namespace of its own, pinned to a file, as a real node has: /etc/cni is
 * the node's, /sys shows the node's interfaces, and /run/netns is the node's own (a tmpfs there):
 * a namespace made on the node with `ip netns add` (lab 01) is named as the text names it on every
 * cluster, stays there for every later command on that node, and never shows up in the machine's
 * `ip netns list`. It is a slave of the machine's, so pod namespaces pinned from outside show up inside too.
 */
async function ensureMountNamespaces(t: Topology, layout: NetnsLayout) {
  fs.mkdirSync(layout.mntDir, { recursive: true });
  const nodesDir = path.join(layout.stateDir, 'nodes');
  fs.mkdirSync(nodesDir, { recursive: true });
  let mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  // Pod namespaces are pinned under nodes/ from outside the nodes: a shared mount there makes
  // each new pin show up inside every node's mount namespace too (as iproute2 does for /run/netns).
  if (!mounts.includes(` ${nodesDir} `)) {
    await mustExec(['mount', '--bind', nodesDir, nodesDir]);
    await mustExec(['mount', '--make-shared', nodesDir]);
    mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  }
  // A namespace can only be pinned on a private mount (else it could propagate into itself).
  if (!mounts.includes(` ${layout.mntDir} `)) {
    await mustExec(['mount', '--bind', layout.mntDir, layout.mntDir]);
    await mustExec(['mount', '--make-private', layout.mntDir]);
  }
  for (const n of t.nodes) {
    const pin = layout.nodeMntNs(n.name);
    if (fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${pin} `)) continue;
    fs.writeFileSync(pin, '');
    const setup = [
      n.role === 'worker' ? `mount --bind ${path.join('/etc/netns', layout.nodeNs(n.name), 'cni')} /etc/cni` : 'true',
      'umount -l /sys', // what `ip netns exec` does: a sysfs that shows this node's interfaces
      'mount -t sysfs sysfs /sys',
      'mkdir -p /run/netns',
      `mount -t tmpfs -o mode=0755,size=1m ${layout.nodeNs(n.name)}-netns /run/netns`,
    ].join(' && ');
    await mustExec(['nsenter', `--net=/run/netns/${layout.nodeNs(n.name)}`, 'unshare', `--mount=${pin}`, '--propagation', 'slave', 'sh', '-c', setup]);
  }
}

async function releaseMountNamespaces(layout: NetnsLayout) {
  const netnsMounts = (mountinfo: string) => new Set(mountinfo.split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith('/run/netns/')));
  for (const pin of safeReaddir(layout.mntDir)) {
    // Namespaces made on the node (`ip netns add` in a node shell, as in lab 01) live only in its
    // mount namespace: delete them there, so no empty /run/netns entry is left on the machine.
    const inside = await execCommand(['nsenter', `--mount=${path.join(layout.mntDir, pin)}`, 'cat', '/proc/self/mountinfo']);
    // The machine's own, read after the node's: a namespace another cluster makes meanwhile shows
    // up in both (the node's mounts follow the machine's), so it is never taken for the node's.
    const host = netnsMounts(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
    for (const m of netnsMounts(inside.stdout)) {
      if (!host.has(m)) await execCommand(['nsenter', `--mount=${path.join(layout.mntDir, pin)}`, 'ip', 'netns', 'del', path.basename(m)]);
    }
    await unmountNetnsFile(path.join(layout.mntDir, pin));
  }
  await execCommand(['umount', layout.mntDir]);
  await execCommand(['umount', path.join(layout.stateDir, 'nodes')]);
}

/** The netns node's files: its /etc/cni is /etc/netns/<ns>/cni on this machine, bound over /etc/cni inside. */
export function installNodeFiles(t: Topology, layout: NetnsLayout, n: WorkerNode, mode: Mode) {
  installNodeFilesAt(t, n, mode, {
    etcDir: layout.etcCniDir(n.name),
    paths: layout.nodePaths(n.name),
    nodeDir: layout.nodeDir(n.name),
    extraDirs: [layout.podNetnsDir(n.name)],
  });
}

/** Installs a set of plugin bundles (the reference's or a student's build) on every worker. */
export function installBundles(t: Topology, layout: NetnsLayout, bundles: Bundles) {
  for (const n of workers(t)) {
    const etcBin = path.join(layout.etcCniDir(n.name), 'bin');
    for (const [name, file] of Object.entries(bundles)) installBundle(etcBin, layout.nodePaths(n.name).binDir, name, file);
  }
}

async function ipBatch(ns: string, lines: string[][]) {
  await mustExec(['ip', '-n', ns, '-batch', '-'], { input: lines.map((l) => l.join(' ')).join('\n') + '\n' });
}

/** Removes exactly what `up` recorded: pod namespaces, cluster namespaces, the nodes' /etc/netns dirs, the state dir. */
export async function clusterDown(layout: NetnsLayout, opts: { progress?: Progress } = {}): Promise<DownResult> {
  const progress = opts.progress ?? (() => {});
  await requireNetnsSupport();
  const state = readState(layout);
  const result: DownResult = { removed: [], busy: [] };
  if (!state) return result;

  const nodesDir = path.join(layout.stateDir, 'nodes');
  for (const node of safeReaddir(nodesDir)) {
    for (const pod of safeReaddir(layout.podNetnsDir(node))) {
      progress(`removing pod ${node}/${pod}`);
      await unmountNetnsFile(layout.podNetnsPath(node, pod));
    }
  }
  await releaseMountNamespaces(layout);
  const existing = await listNetns();
  for (const ns of [...state.namespaces].reverse()) {
    if (!existing.has(ns)) continue;
    const pids = (await execCommand(['ip', 'netns', 'pids', ns])).stdout.split('\n').filter(Boolean).map(Number);
    if (pids.length > 0) result.busy.push({ ns, pids });
    progress(`deleting namespace ${ns}`);
    await mustExec(['ip', 'netns', 'del', ns]);
    result.removed.push(ns);
  }
  for (const d of state.etcDirs) fs.rmSync(d, { recursive: true, force: true });
  fs.rmSync(layout.stateDir, { recursive: true, force: true });
  releaseSharedDirs();
  return result;
}

// Shared dirs (/etc/cni, /etc/netns) are needed by every cluster on the machine. Whoever creates
// one records it; the last cluster to go down removes the recorded ones that are empty again.
const SHARED_DIRS_FILE = path.join(STATE_ROOT, 'created-dirs.json');

function ensureSharedDir(dir: string) {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(dir, { recursive: true });
  const recorded = readSharedDirs();
  if (!recorded.includes(dir)) {
    fs.mkdirSync(STATE_ROOT, { recursive: true });
    fs.writeFileSync(SHARED_DIRS_FILE, JSON.stringify([...recorded, dir]));
  }
}

function readSharedDirs(): string[] {
  try {
    return JSON.parse(fs.readFileSync(SHARED_DIRS_FILE, 'utf8')) as string[];
  } catch {
    return [];
  }
}

function releaseSharedDirs() {
  const clusters = safeReaddir(STATE_ROOT).filter((e) => e !== path.basename(SHARED_DIRS_FILE));
  if (clusters.length > 0) return; // another cluster still needs them
  for (const d of readSharedDirs()) {
    try {
      fs.rmdirSync(d); // only if empty: another tool may have put files there since
    } catch {
      // not empty or already gone: leave it
    }
  }
  fs.rmSync(SHARED_DIRS_FILE, { force: true });
  try {
    fs.rmdirSync(STATE_ROOT);
  } catch {
    // in use again
  }
}

/** Releases a pinned namespace file (a bind mount of an nsfs inode) and removes the file. */
export async function unmountNetnsFile(file: string) {
  await execCommand(['umount', file]);
  fs.rmSync(file, { force: true });
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
