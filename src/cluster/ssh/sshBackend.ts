// The ssh backend: nodes are machines that already exist (a student's VMs, lab hosts), named in
// an inventory. `up` reaches each over ssh and installs the node files; `down` removes the pods
// it made and forgets the cluster, and leaves the machines alone. The vagrant backend is this
// backend with `vagrant up`/`destroy` around it.
import * as fs from 'node:fs';
import type { Mode } from '../../plugin/config.ts';
import { execCommand } from '../../shared/exec.ts';
import { BackendUnavailableError, readStateFile, writeStateFile, type ClusterBackend, type ClusterState, type DownResult, type Progress, type UpResult } from '../backend.ts';
import { CONF_FILE_NAME, renderClusterFile, renderConflist, renderIpamFile, VM_PATHS } from '../nodeConfig.ts';
import { referenceBundles, type Bundles } from '../nodeFiles.ts';
import { workerByName, workers, type Topology, type WorkerNode } from '../topology.ts';
import { InventoryError, needsSudo, parseInventory, renderSshConfig } from './inventory.ts';
import { NetnsLayout } from '../netns/layout.ts';
import { SshLayout } from './layout.ts';
import { bundleWrites, writeFailure, writerArgv, type RemoteBatch } from './remoteFiles.ts';
import { SshConnections, type SshNode } from './sshConnection.ts';
import { SshContainers } from './sshContainers.ts';
import { podNetnsDir, SshDriver } from './sshDriver.ts';
import { msg, TextError } from '../../i18n/text.ts';

/** What every node needs on it; workers also need Node.js (the plugin runs on it). */
const NODE_TOOLS = ['ip', 'ping', 'nsenter', 'unshare', 'sysctl'];

export class SshBackend implements ClusterBackend {
  readonly layout: SshLayout;
  readonly connections: SshConnections;
  readonly driver: SshDriver;
  /** Lab 09's containers, on the node's own containerd. */
  readonly containers: SshContainers;

  constructor(
    readonly topology: Topology,
    cluster: string,
    /** The inventory file for `up` (later commands find it in the cluster's state). */
    protected readonly _inventory?: string,
    readonly name: 'ssh' | 'vagrant' = 'ssh',
  ) {
    this.layout = new SshLayout(name, cluster);
    this.connections = new SshConnections(this.layout.sshConfig);
    this.driver = new SshDriver(name, topology, this.connections, (n) => this._sshNode(n));
    this.containers = new SshContainers(topology, this.driver);
  }

  get cluster() {
    return this.layout.cluster;
  }

  async requireSupport() {
    const r = await execCommand(['ssh', '-V']);
    if (r.code !== 0) throw new BackendUnavailableError(msg('err.backend.noSshClient'));
  }

  readState() {
    return readStateFile(this.layout.stateFile);
  }

  writeState(state: ClusterState) {
    writeStateFile(this.layout.stateFile, state);
  }

  private _sshNode(node: string): SshNode {
    const n = this.readState()?.ssh?.nodes[node];
    if (!n) throw new TextError(msg('err.backend.notUp', { cluster: this.cluster, backend: this.name, command: `cnilab --cluster ${this.cluster} cluster up --backend ${this.name}` }));
    return n;
  }

  async up(opts: { mode: Mode; progress?: Progress }): Promise<UpResult> {
    const progress = opts.progress ?? (() => {});
    await this.requireSupport();
    const prior = this.readState();
    const file = this._inventory ?? prior?.ssh?.inventory;
    if (!file) throw new BackendUnavailableError(msg('err.backend.sshInventory'));
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new BackendUnavailableError(msg('err.backend.inventoryUnreadable', { file, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message }));
    }
    let inv;
    try {
      inv = parseInventory(text, file, this.topology);
    } catch (err) {
      if (err instanceof InventoryError) throw new BackendUnavailableError(err.text);
      throw err;
    }
    fs.mkdirSync(this.layout.stateDir, { recursive: true });
    fs.writeFileSync(this.layout.sshConfig, renderSshConfig(inv, this.layout.knownHosts));
    const nodes = Object.fromEntries(Object.entries(inv.nodes).map(([name, h]) => [name, { alias: name, sudo: needsSudo(h) }]));
    return this._bringUp(opts.mode, progress, prior, { nodes, inventory: fs.realpathSync(file) });
  }

  /** Records the nodes, checks each one over ssh and installs the workers' files. */
  protected async _bringUp(mode: Mode, progress: Progress, prior: ClusterState | undefined, ssh: NonNullable<ClusterState['ssh']>): Promise<UpResult> {
    const state: ClusterState = {
      name: this.cluster,
      backend: this.name,
      mode,
      createdAt: prior?.complete ? prior.createdAt : new Date().toISOString(),
      complete: false,
      namespaces: [],
      etcDirs: [],
      ssh,
    };
    this.writeState(state);
    await Promise.all(this.topology.nodes.map((n) => this._checkNode(n.name, n.role === 'worker', progress)));
    for (const n of workers(this.topology)) {
      progress(`${n.name}: CNI files in /etc/cni and /opt/cni/bin (mode ${mode}, pod subnet ${n.podSubnet})`);
      await this._writeFiles(n, mode);
    }
    state.complete = true;
    this.writeState(state);
    return { created: !prior?.complete, state };
  }

  private async _checkNode(node: string, worker: boolean, progress: Progress) {
    progress(`${node}: connecting over ssh`);
    const tools = worker ? [...NODE_TOOLS, 'node'] : NODE_TOOLS;
    const script = `uname -sr; for t in ${tools.join(' ')}; do command -v "$t" >/dev/null || echo "missing: $t"; done; true`;
    const r = await this.driver.exec(node, ['sh', '-c', script]);
    if (r.code !== 0) throw new Error(`${node}: ${r.stderr.trim() || `ssh exit code ${r.code}`}`);
    const missing = r.stdout.split('\n').filter((l) => l.startsWith('missing: ')).map((l) => l.slice(9));
    if (missing.length) {
      throw new TextError(msg('err.ssh.nodeLacks', { node, tools: missing.join(', '), packages: `iproute2 iputils-ping util-linux procps${missing.includes('node') ? ' nodejs' : ''}` }));
    }
    if (!r.stdout.startsWith('Linux ')) throw new TextError(msg('err.ssh.notLinux', { node, uname: r.stdout.split('\n')[0]! }));
    progress(`${node}: ${r.stdout.split('\n')[0]}`);
  }

  /**
   * The node's conflist, IPAM file and cluster file for the mode, and the reference plugin where none
   * is. The files are in the standard places; the paths the lab texts show (the namespace backend's)
   * are links to them, so every command of a text works on the machine as printed.
   */
  private async _writeFiles(n: WorkerNode, mode: Mode) {
    const layout = new NetnsLayout(this.cluster);
    const text = layout.nodePaths(n.name);
    const batch: RemoteBatch = {
      dirs: [VM_PATHS.binDir, VM_PATHS.confDir, VM_PATHS.dataDir, VM_PATHS.cacheDir, podNetnsDir(n.name)],
      files: [
        { path: VM_PATHS.ipamFile, content: renderIpamFile(n) },
        { path: VM_PATHS.clusterFile, content: renderClusterFile(this.topology, mode) },
        { path: `${VM_PATHS.confDir}/${CONF_FILE_NAME}`, content: renderConflist(this.topology, VM_PATHS, mode) },
      ],
      bundles: bundleWrites(VM_PATHS.binDir, referenceBundles(), true),
      links: [
        { path: text.binDir, target: VM_PATHS.binDir },
        { path: text.dataDir, target: VM_PATHS.dataDir },
        { path: text.cacheDir, target: VM_PATHS.cacheDir },
        { path: layout.podNetnsDir(n.name), target: podNetnsDir(n.name) },
      ],
    };
    await this._write(n.name, batch);
  }

  private async _write(node: string, batch: RemoteBatch) {
    const r = await this.driver.exec(node, writerArgv(), { input: JSON.stringify(batch) });
    const why = writeFailure(node, r);
    if (why) throw new Error(why);
  }

  async installNodeFiles(n: WorkerNode, mode: Mode) {
    await this._writeFiles(workerByName(this.topology, n.name), mode);
  }

  async installBundles(bundles: Bundles) {
    const writes = bundleWrites(VM_PATHS.binDir, bundles);
    await Promise.all(workers(this.topology).map((n) => this._write(n.name, { bundles: writes })));
  }

  /** Removes the containers and pods' namespaces it made, closes the connections, forgets the cluster. The machines stay. */
  async down(opts: { progress?: Progress } = {}): Promise<DownResult> {
    const state = this.readState();
    if (!state) return { removed: [], busy: [] };
    // The kit's containers first (their leases go with the data dir below); the daemon is the machine's.
    await this.containers.stopAll().catch(() => []);
    const removed = await this._removePods(opts.progress);
    await this._closeAll(state);
    fs.rmSync(this.layout.stateDir, { recursive: true, force: true });
    return { removed, busy: [] };
  }

  protected async _removePods(progress?: Progress): Promise<string[]> {
    const removed: string[] = [];
    for (const n of workers(this.topology)) {
      progress?.(`${n.name}: removing pods`);
      const pods = await this.driver.listPodNetns(n.name).catch(() => []);
      for (const p of pods) {
        await this.driver.deletePodNetns(n.name, p.pod);
        removed.push(`${n.name}/${p.pod}`);
      }
      // Their leases and cached results go with them: the node starts the next cluster with a free IPAM
      // range. So do the links to the texts' paths, which name this cluster (rm does not follow them).
      await this.driver.exec(n.name, ['sh', '-c', 'rm -rf "$0"/* "$1"/simplecni-* "$2"', VM_PATHS.dataDir, VM_PATHS.cacheDir, new NetnsLayout(this.cluster).stateDir]);
    }
    return removed;
  }

  protected async _closeAll(state: ClusterState) {
    await Promise.all(Object.values(state.ssh?.nodes ?? {}).map((n) => this.connections.close(n)));
  }
}

