// The ssh node driver: a node is a machine of its own (a Vagrant VM, a student's VM, any Linux
// host), reached over one persistent ssh connection. Its CNI files are in the standard places
// (VM_PATHS); a pod is a network namespace pinned to a file under POD_DIR on the node.
import type { ExecOptions, ExecResult } from '../../shared/exec.ts';
import type { Backend, NodeDriver } from '../driver.ts';
import { ShellFileAccess } from '../fileAccess.ts';
import { VM_PATHS, type NodePaths } from '../nodeConfig.ts';
import { validatePodName } from '../podFiles.ts';
import { nodeByName, workerByName, type Topology } from '../topology.ts';
import type { SshConnections, SshNode } from './sshConnection.ts';
import { msg, TextError } from '../../i18n/text.ts';

/** Where pods' network namespaces are pinned on the node (not /run/netns: lab 01's own namespaces live there). */
const POD_DIR = '/run/simplecni-lab/pods';

/**
 * A pod's netns path (CNI_NETNS) names the node too, as on the other backends: a pod's path is
 * unique in the cluster, which is what `cnilab trace` tells pods apart by.
 */
export const podNetnsDir = (node: string) => `${POD_DIR}/${node}`;

export class SshDriver implements NodeDriver {
  readonly files = new ShellFileAccess((node, argv, opts) => this.exec(node, argv, opts));

  constructor(
    readonly backend: Extract<Backend, 'vagrant' | 'ssh'>,
    readonly topology: Topology,
    readonly connections: SshConnections,
    /** The node's ssh entry (from the cluster's state: the nodes are known once the cluster is up). */
    private readonly _node: (node: string) => SshNode,
  ) {}

  private _host(node: string): SshNode {
    return this._node(nodeByName(this.topology, node).name);
  }

  exec(node: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.connections.exec(this._host(node), argv, opts);
  }

  execPod(node: string, pod: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(node, this._inPod(node, pod, argv), opts);
  }

  private _podFile(node: string, pod: string) {
    return `${podNetnsDir(nodeByName(this.topology, node).name)}/${validatePodName(pod)}`;
  }

  private _inPod(node: string, pod: string, argv: readonly string[]): string[] {
    return ['nsenter', `--net=${this._podFile(node, pod)}`, '--', ...argv];
  }

  nodeExecArgv(node: string, argv: readonly string[]): string[] {
    return this.connections.attachedArgv(this._host(node), argv);
  }

  /** A login shell as root: /etc/profile.d/simplecni.sh (provisioning) sets CNI_PATH and the node's name. */
  shellArgv(node: string): string[] {
    const host = this._host(node);
    return this.connections.attachedArgv(host, host.sudo ? ['-i'] : ['bash', '-l']);
  }

  podExecArgv(node: string, pod: string, argv: readonly string[]): string[] {
    return this.connections.attachedArgv(this._host(node), this._inPod(node, pod, argv));
  }

  paths(node: string): NodePaths {
    workerByName(this.topology, node);
    return VM_PATHS;
  }

  async createPodNetns(node: string, pod: string): Promise<string> {
    workerByName(this.topology, node);
    const file = this._podFile(node, pod);
    // noclobber makes `>` an O_EXCL create: a second pod of the same name is refused, as on netns.
    const script = 'mkdir -p "$(dirname "$0")" && set -C && { : >"$0"; } 2>/dev/null || exit 17; unshare --net="$0" true || { rc=$?; rm -f "$0"; exit $rc; }';
    const r = await this.exec(node, ['sh', '-c', script, file]);
    if (r.code === 17) throw new TextError(msg('err.pod.exists', { pod, node }));
    if (r.code !== 0) throw new TextError(msg('err.pod.netnsFailed', { node, pod, error: r.stderr.trim() }));
    return file;
  }

  async deletePodNetns(node: string, pod: string): Promise<void> {
    await this.exec(node, ['sh', '-c', 'umount "$0" 2>/dev/null; rm -f "$0"', this._podFile(node, pod)]);
  }

  async listPodNetns(node: string): Promise<{ pod: string; netns: string }[]> {
    const dir = podNetnsDir(nodeByName(this.topology, node).name);
    const r = await this.exec(node, ['sh', '-c', 'ls -1 "$0" 2>/dev/null; true', dir]);
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .sort()
      .map((pod) => ({ pod, netns: `${dir}/${pod}` }));
  }
}
