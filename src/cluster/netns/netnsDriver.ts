// The netns node driver: a node is a network namespace on this machine. `ip netns exec` gives
// each command the node's network stack and the node's own /etc/cni (bound from /etc/netns/<ns>/cni).
import * as fs from 'node:fs';
import { execCommand, mustExec, type ExecOptions, type ExecResult } from '../../shared/exec.ts';
import type { NodeDriver } from '../driver.ts';
import type { NodePaths } from '../nodeConfig.ts';
import { nodeByName, workerByName, type Topology } from '../topology.ts';
import { unmountNetnsFile } from './builder.ts';
import { NetnsLayout } from './layout.ts';

const POD_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

export function validatePodName(pod: string): string {
  if (!POD_NAME.test(pod)) {
    throw new Error(`invalid pod name ${JSON.stringify(pod)}: 1-40 lowercase letters, digits and "-", not starting or ending with "-"`);
  }
  return pod;
}

export class NetnsDriver implements NodeDriver {
  readonly backend = 'netns' as const;

  constructor(
    readonly topology: Topology,
    readonly layout: NetnsLayout,
  ) {}

  private _ns(node: string) {
    return this.layout.nodeNs(nodeByName(this.topology, node).name);
  }

  /** Enter the node: its network namespace and its own mount namespace (see builder.ensureMountNamespaces). */
  private _enter(node: string, net = `/run/netns/${this._ns(node)}`): string[] {
    return ['nsenter', `--net=${net}`, `--mount=${this.layout.nodeMntNs(node)}`, `--wd=${process.cwd()}`, '--'];
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
    return [...this._enter(node), 'bash', '--rcfile', `${this.layout.nodeDir(node)}/bashrc`, '-i'];
  }

  podExecArgv(node: string, pod: string, argv: readonly string[]): string[] {
    return [...this._enter(node, this.layout.podNetnsPath(node, validatePodName(pod))), ...argv];
  }

  paths(node: string): NodePaths {
    return this.layout.nodePaths(workerByName(this.topology, node).name);
  }

  async createPodNetns(node: string, pod: string): Promise<string> {
    workerByName(this.topology, node);
    const file = this.layout.podNetnsPath(node, validatePodName(pod));
    fs.mkdirSync(this.layout.podNetnsDir(node), { recursive: true });
    // O_EXCL: a second pod of the same name on this node is refused, not merged.
    try {
      fs.closeSync(fs.openSync(file, 'wx'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new Error(`pod "${pod}" already exists on ${node}`);
      throw err;
    }
    try {
      // A new, empty network namespace, pinned by bind-mounting it onto the file: that path is CNI_NETNS.
      await mustExec(['unshare', `--net=${file}`, 'true']);
    } catch (err) {
      fs.rmSync(file, { force: true });
      throw err;
    }
    return file;
  }

  async deletePodNetns(node: string, pod: string): Promise<void> {
    await unmountNetnsFile(this.layout.podNetnsPath(node, validatePodName(pod)));
  }

  async listPodNetns(node: string): Promise<{ pod: string; netns: string }[]> {
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.layout.podNetnsDir(node)).sort();
    } catch {
      // no pods yet
    }
    return names.map((pod) => ({ pod, netns: this.layout.podNetnsPath(node, pod) }));
  }
}
