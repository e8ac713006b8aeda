// A node driver: the one way the kit reaches a node, whatever the node is (a netns here,
// a VM over ssh, a simulated kernel). Run a command on a node, read its output.
import type { ExecOptions, ExecResult } from '../shared/execTypes.ts';
import type { NodeFileAccess } from './fileAccess.ts';
import type { NodePaths } from './nodeConfig.ts';
import type { Topology } from './topologyModel.ts';

export type Backend = 'netns' | 'sim' | 'vagrant' | 'ssh';

/** netns: namespaces on this machine; sim: the simulated kernel; vagrant: the Vagrantfile's VMs; ssh: machines from an inventory. */
export const BACKENDS: readonly Backend[] = ['netns', 'sim', 'vagrant', 'ssh'];

/**
 * TCP probes that a modelled node answers itself: a listener is a socket in the pod's namespace, a
 * connection one walk of the SYN there and its answer back. Results read as the real probe's do:
 * "ok", "timeout", or an errno code (ECONNREFUSED…).
 */
export interface TcpProbes {
  listen(node: string, pod: string, ports: readonly number[], seconds: number): Promise<{ stop(): Promise<void> }>;
  connect(node: string, pod: string, ip: string, port: number): Promise<string>;
}

export interface NodeDriver {
  readonly backend: Backend;
  readonly topology: Topology;
  /** Runs argv on the node (in the node's network view and its /etc/cni). Never throws on a non-zero exit. */
  exec(node: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Runs argv inside a pod on the node (its network namespace). Never throws on a non-zero exit. */
  execPod(node: string, pod: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** argv that runs a command on the node with the terminal attached (for `cnilab exec`). */
  nodeExecArgv(node: string, argv: readonly string[]): string[];
  /** argv that opens an interactive shell on the node (for `cnilab shell` and the site's terminals). */
  shellArgv(node: string): string[];
  /**
   * The environment of the node's shell, for a terminal that starts its own shell process (a
   * WebContainer's jsh); only drivers whose node shells are local processes have it.
   */
  shellEnv?(node: string): Record<string, string>;
  /** argv prefix that runs a command inside a pod on the node. */
  podExecArgv(node: string, pod: string, argv: readonly string[]): string[];
  /** The kit's own reads and writes of the node's files (by the node's paths). */
  readonly files: NodeFileAccess;
  /** The node's CNI file locations, as seen on the node. */
  paths(node: string): NodePaths;
  /** Creates an empty network namespace for a pod and returns its path (CNI_NETNS). */
  createPodNetns(node: string, pod: string): Promise<string>;
  /** Removes a pod's network namespace; missing is fine. */
  deletePodNetns(node: string, pod: string): Promise<void>;
  /** Pods whose network namespace exists on the node. */
  listPodNetns(node: string): Promise<{ pod: string; netns: string }[]>;
  /** Only where nodes are modelled (the simulated kernel); real nodes run probe processes instead. */
  readonly tcp?: TcpProbes;
  /** Readies whatever runs the nodes' programs for a long session of runs (the lab server); none needs nothing. */
  prepare?(): Promise<void>;
}
