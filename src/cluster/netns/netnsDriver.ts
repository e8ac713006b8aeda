// The netns node driver: a node is a network namespace on this machine. `ip netns exec` gives
// each command the node's network stack and the node's own /etc/cni (bound from /etc/netns/<ns>/cni).
import * as os from 'node:os';
import { execCommand, mustExec, type ExecOptions, type ExecResult } from '../../shared/exec.ts';
import type { NodeDriver } from '../driver.ts';
import { ShellFileAccess } from '../fileAccess.ts';
import { claimPodFile, listPodFiles, validatePodName } from '../podFiles.ts';
import type { NodePaths } from '../nodeConfig.ts';
import { nodeByName, workerByName, type Topology } from '../topology.ts';
import { unmountNetnsFile } from './builder.ts';
import { NetnsLayout } from './layout.ts';


export class NetnsDriver implements NodeDriver {
  readonly backend = 'netns' as const;
  // A node's /etc/cni is a bind mount inside its own mount namespace: its paths mean something only there.
  readonly files = new ShellFileAccess((node, argv, opts) => this.exec(node, argv, opts));

  constructor(
    readonly topology: Topology,
    readonly layout: NetnsLayout,
  ) {}

  private _ns(node: string) {
    return this.layout.nodeNs(nodeByName(this.topology, node).name);
  }

  /** Enter the node: its network namespace and its own mount namespace (see builder.ensureMountNamespaces). */
  private _enter(node: string, net = `/run/netns/${this._ns(node)}`, wd = process.cwd()): string[] {
    return ['nsenter', `--net=${net}`, `--mount=${this.layout.nodeMntNs(node)}`, `--wd=${wd}`, '--'];
  }

  exec(node: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return execCommand(this.nodeExecArgv(node, argv), opts);
  }

  execPod(node: string, pod: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return execCommand(this.podExecArgv(node, pod, argv), opts);
  }

  nodeExecArgv(node: string, argv: readonly string[]): string[] {
    return [...this._enter(node), ...argv];
  }

  shellArgv(node: string): string[] {
    // A shell on a node starts in the node's home (the prompt reads node1:~#, as in the lab texts).
    return [...this._enter(node, undefined, os.homedir()), 'bash', '--rcfile', `${this.layout.nodeDir(node)}/bashrc`, '-i'];
  }

  podExecArgv(node: string, pod: string, argv: readonly string[]): string[] {
    return [...this._enter(node, this.layout.podNetnsPath(node, validatePodName(pod))), ...argv];
  }

  paths(node: string): NodePaths {
    return this.layout.nodePaths(workerByName(this.topology, node).name);
  }

  createPodNetns(node: string, pod: string): Promise<string> {
    workerByName(this.topology, node);
    // A new, empty network namespace, pinned by bind-mounting it onto the file: that path is CNI_NETNS.
    return claimPodFile(this.layout.podNetnsDir(node), node, pod, (file) => mustExec(['unshare', `--net=${file}`, 'true']).then(() => {}));
  }

  async deletePodNetns(node: string, pod: string): Promise<void> {
    await unmountNetnsFile(this.layout.podNetnsPath(node, validatePodName(pod)));
  }

  async listPodNetns(node: string): Promise<{ pod: string; netns: string }[]> {
    return listPodFiles(this.layout.podNetnsDir(node));
  }
}
