// Real containers on netns nodes (lab 09's end state, built by `cnilab solve 09`): a private
// containerd per node, and ctr run --cni inside the node, so the node's own plugin wires them.
//
// Each daemon is the node's: it runs in the node's network namespace, with its config, root,
// state and sockets under the cluster's state dir, the CRI plugin off, and is started detached
// (it outlives the CLI) with its PID recorded, so `reset` and `cluster down` end it by that PID,
// after a failure too. Its mount namespace is the machine's: inside a node /sys is the node's,
// and runc finds no cgroup mount there.
//
// ctr runs the CNI plugins itself, in the namespaces it runs in: node1's network and /etc/cni.
// It looks for plugins only in /opt/cni/bin and caches results in /var/lib/cni, both the
// machine's: so it runs in a throwaway mount namespace where /opt and /var/lib are the node's
// own dirs (a shim that runs the node's plugin, and a cache that goes with the state dir).
//
// What containerd and runc still put outside the state dir, all named by our containerd
// namespace (`cnilab-<cluster>-<node>`) and removed when its daemon stops: shim sockets in
// /run/containerd/s, runc state in /run/containerd/runc/<ns>, cgroups /sys/fs/cgroup/*/<ns>.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execCommand, type ExecResult } from '../../shared/exec.ts';
import type { ContainerHost, RuntimeContainer } from '../backend.ts';
import { privateContainerdConfig } from '../containerd/config.ts';
import { buildBusyboxOciTar, DEFAULT_BUSYBOX_REF, isStaticElf } from '../containerd/ociImage.ts';
import { workerByName, type Topology } from '../topology.ts';
import type { NetnsLayout } from './layout.ts';
import { msg } from '../../i18n/text.ts';
import { containerAddress4, hasImage, removeContainer, taskRunning, type Ctr } from '../containerd/ctr.ts';
import { ContainersUnavailableError } from '../containerd/errors.ts';


const PACKAGES = 'apt-get install -y --no-install-recommends containerd runc busybox-static';
const RUN_DIR = '/run/containerd';
const CGROUP_ROOT = '/sys/fs/cgroup';
const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
/** What the container runs: it only has to stay up (busybox's sleep takes no "infinity"). */
const KEEP_RUNNING = ['sleep', '1000000000'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface DaemonRecord {
  pid: number;
  config: string;
  /** /run/containerd existed before this daemon: then it is never removed. */
  runDirExisted: boolean;
}

export class NetnsContainers implements ContainerHost {
  constructor(
    private readonly _topology: Topology,
    private readonly _layout: NetnsLayout,
  ) {}

  private get _root() {
    return path.join(this._layout.stateDir, 'containerd');
  }
  private _dir(node: string) {
    return path.join(this._root, node);
  }
  private _namespace(node: string) {
    return `cnilab-${this._layout.cluster}-${node}`;
  }
  private _address(node: string) {
    return path.join(this._dir(node), 'containerd.sock');
  }

  private _ctr(node: string, args: string[], timeoutMs = 30_000): Promise<ExecResult> {
    return execCommand(['ctr', '--address', this._address(node), '--namespace', this._namespace(node), ...args], { timeoutMs });
  }
  private _ctrOf(node: string): Ctr {
    return (args) => this._ctr(node, args);
  }

  async runOnNetwork(node: string, name: string): Promise<RuntimeContainer> {
    workerByName(this._topology, node);
    requirePackages();
    await this._ensureDaemon(node);
    const ns = this._namespace(node);
    const container: RuntimeContainer = { node, cniContainerId: `${ns}-${name}`, address: '' };
    const ctr = this._ctrOf(node);
    if (await taskRunning(ctr, name)) return { ...container, address: await containerAddress4(ctr, node, name) };
    await removeContainer(ctr, name);
    if (!(await hasImage(ctr, DEFAULT_BUSYBOX_REF))) {
      const tar = path.join(this._dir(node), 'busybox-oci.tar');
      await buildBusyboxOciTar(tar, DEFAULT_BUSYBOX_REF);
      await must(this._ctr(node, ['image', 'import', tar], 60_000), 'ctr image import');
      fs.rmSync(tar, { force: true });
    }
    // Recorded before the run: a lease made by a run that fails half-way is still freed at reset.
    this._record(node, container);
    const r = await execCommand(this._ctrOnNode(node, ['run', '-d', '--null-io', '--cni', DEFAULT_BUSYBOX_REF, name, ...KEEP_RUNNING]), { timeoutMs: 60_000 });
    if (r.code !== 0) throw new ContainersUnavailableError(msg('err.containerd.failed', { what: `ctr run --cni on ${node}`, error: (r.stderr || r.stdout).trim() }));
    const started = { ...container, address: await containerAddress4(ctr, node, name) };
    this._record(node, started);
    return started;
  }

  /** argv that runs ctr inside the node, in a mount namespace of its own where /opt and /var/lib are the node's dirs. */
  private _ctrOnNode(node: string, args: string[]): string[] {
    const dir = this._dir(node);
    const opt = path.join(dir, 'cni-opt');
    const bin = path.join(opt, 'cni', 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.mkdirSync(path.join(dir, 'var-lib'), { recursive: true });
    const binDir = this._layout.nodePaths(node).binDir;
    fs.writeFileSync(path.join(bin, 'simplecni'), `#!/bin/sh\n# ctr finds the node's plugin here (cnilab solve 09).\nexec ${binDir}/simplecni "$@"\n`, { mode: 0o755 });
    const ctr = ['ctr', '--address', this._address(node), '--namespace', this._namespace(node), ...args];
    return [
      'nsenter', `--net=/run/netns/${this._layout.nodeNs(node)}`, `--mount=${this._layout.nodeMntNs(node)}`, '--',
      'unshare', '--mount', '--propagation', 'private', '--',
      'sh', '-c', 'mount --bind "$1" /opt && mount --bind "$2" /var/lib && shift 2 && exec "$@"', 'ctr-on-node', opt, path.join(dir, 'var-lib'), ...ctr,
    ];
  }

  private _record(node: string, c: RuntimeContainer) {
    const file = path.join(this._dir(node), 'containers.json');
    const list = readJson<RuntimeContainer[]>(file) ?? [];
    fs.writeFileSync(file, JSON.stringify([...list.filter((x) => x.cniContainerId !== c.cniContainerId), c]));
  }

  private async _ensureDaemon(node: string) {
    const dir = this._dir(node);
    const rec = readJson<DaemonRecord>(path.join(dir, 'daemon.json'));
    if (rec && ownsPid(rec)) return;
    fs.mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'config.toml');
    fs.writeFileSync(config, privateContainerdConfig(dir, this._address(node)));
    const log = fs.openSync(path.join(dir, 'containerd.log'), 'a');
    const runDirExisted = fs.existsSync(RUN_DIR);
    // nsenter execs containerd: the PID is the daemon's.
    const child = spawn('nsenter', [`--net=/run/netns/${this._layout.nodeNs(node)}`, '--', 'containerd', '--config', config], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    if (child.pid === undefined) throw new ContainersUnavailableError(msg('err.containerd.noStart'));
    const record: DaemonRecord = { pid: child.pid, config, runDirExisted };
    fs.writeFileSync(path.join(dir, 'daemon.json'), JSON.stringify(record));
    child.unref();
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (fs.existsSync(this._address(node)) && (await this._ctr(node, ['version'], 2000)).code === 0) return;
      if (!isAlive(record.pid) || Date.now() > deadline) {
        const tail = fs.readFileSync(path.join(dir, 'containerd.log'), 'utf8').trimEnd().split('\n').slice(-15).join('\n');
        await this._stop(node);
        throw new ContainersUnavailableError(msg('err.containerd.notStarted', { node, log: tail }));
      }
      await sleep(50);
    }
  }

  async stopAll(): Promise<RuntimeContainer[]> {
    const gone: RuntimeContainer[] = [];
    let runDirExisted = true;
    for (const node of safeReaddir(this._root)) {
      const rec = readJson<DaemonRecord>(path.join(this._dir(node), 'daemon.json'));
      if (rec && !rec.runDirExisted) runDirExisted = false;
      gone.push(...(await this._stop(node)));
    }
    if (!runDirExisted) for (const d of ['runc', 'fifo', 's', '']) rmdirQuiet(path.join(RUN_DIR, d));
    fs.rmSync(this._root, { recursive: true, force: true });
    return gone;
  }

  /** Ends the node's containers and daemon (by the recorded PID), its shims and mounts, and removes its dir. */
  private async _stop(node: string): Promise<RuntimeContainer[]> {
    const dir = this._dir(node);
    const containers = readJson<RuntimeContainer[]>(path.join(dir, 'containers.json')) ?? [];
    const rec = readJson<DaemonRecord>(path.join(dir, 'daemon.json'));
    if (rec && ownsPid(rec)) {
      for (const id of (await this._ctr(node, ['container', 'ls', '-q'], 10_000)).stdout.split('\n').filter(Boolean)) await removeContainer(this._ctrOf(node), id);
      await killPid(rec.pid);
    }
    await killShims(this._address(node));
    await unmountUnder(dir);
    const ns = this._namespace(node);
    rmdirQuiet(path.join(RUN_DIR, 'runc', ns));
    for (const h of [CGROUP_ROOT, ...safeReaddir(CGROUP_ROOT).map((e) => path.join(CGROUP_ROOT, e))]) rmdirQuiet(path.join(h, ns));
    fs.rmSync(dir, { recursive: true, force: true });
    return containers;
  }
}

function requirePackages() {
  const missing = ['containerd', 'ctr', 'containerd-shim-runc-v2', 'runc'].filter((b) => !onPath(b));
  if (!isStaticElf('/bin/busybox')) missing.push('/bin/busybox (static)');
  if (missing.length > 0) throw new ContainersUnavailableError(msg('err.containerd.missing', { tools: missing.join(', '), packages: PACKAGES }));
}

function onPath(bin: string): boolean {
  return `${process.env.PATH ?? ''}:/usr/sbin:/sbin`.split(':').some((d) => d !== '' && fs.existsSync(path.join(d, bin)));
}

async function must(p: Promise<ExecResult>, what: string) {
  const r = await p;
  if (r.code !== 0) throw new ContainersUnavailableError(msg('err.containerd.failed', { what, error: (r.stderr || r.stdout).trim() }));
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** The recorded PID is still our daemon (its command line names our config): a reused PID is never killed. */
function ownsPid(rec: DaemonRecord): boolean {
  const argv = cmdline(rec.pid);
  return isAlive(rec.pid) && /containerd$/.test(argv[0] ?? '') && argv.includes(rec.config);
}

function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function killPid(pid: number) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(25);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    while (isAlive(pid) && Date.now() < deadline + STOP_TIMEOUT_MS) await sleep(25);
  }
}

/** Shims outlive their daemon by design; ours are the ones whose command line names our socket. */
async function killShims(address: string) {
  const find = () =>
    safeReaddir('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map(Number)
      .filter((pid) => {
        const argv = cmdline(pid);
        const i = argv.indexOf('-address');
        return /containerd-shim/.test(argv[0] ?? '') && i >= 0 && argv[i + 1] === address && isAlive(pid);
      });
  const deadline = Date.now() + 2000;
  while (find().length > 0 && Date.now() < deadline) await sleep(25);
  for (const pid of find()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** Mount points at or under `dir`, deepest and latest first. */
function mountsUnder(dir: string): string[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l, order) => ({ mp: unescape(l.split(' ')[4] ?? ''), order }))
    .filter(({ mp }) => mp === dir || mp.startsWith(`${dir}/`))
    .sort((a, b) => b.mp.split('/').length - a.mp.split('/').length || b.order - a.order)
    .map((m) => m.mp);
}

async function unmountUnder(dir: string) {
  for (let round = 0; round < 5 && mountsUnder(dir).length > 0; round++) {
    for (const mp of mountsUnder(dir)) if ((await execCommand(['umount', mp])).code !== 0) await execCommand(['umount', '-l', mp]);
  }
}

function rmdirQuiet(p: string) {
  try {
    fs.rmdirSync(p);
  } catch {
    /* not empty, busy or gone: not ours to force */
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
