// The sim node driver: a node is a namespace of the simulated kernel. A command runs as a normal
// process whose PATH starts with the simulated ip, bridge, ping…, and whose environment names
// the world and the namespace; sh, cat, mkdir and the plugin itself are the machine's own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execCommand, type ExecOptions, type ExecResult } from '../../shared/exec.ts';
import { addNetns, deleteNetns } from '../../sim/core/model.ts';
import { SIM_ENV } from '../../sim/host/env.ts';
import { runSimChain } from '../../sim/host/chain.ts';
import { updateWorld } from '../../sim/host/store.ts';
import type { NodeDriver } from '../driver.ts';
import type { NodePaths } from '../nodeConfig.ts';
import { claimPodFile, listPodFiles, validatePodName } from '../podFiles.ts';
import { nodeByName, workerByName, type Topology } from '../topology.ts';
import type { SimLayout } from './layout.ts';

export class SimDriver implements NodeDriver {
  readonly backend = 'sim' as const;

  constructor(
    readonly topology: Topology,
    readonly layout: SimLayout,
  ) {}

  /** The environment that puts a process on a node (or in a pod's namespace). */
  env(node: string, netns?: string): Record<string, string> {
    const n = nodeByName(this.topology, node).name;
    return {
      PATH: `${this.layout.binDir}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
      [SIM_ENV.state]: this.layout.kernelFile,
      [SIM_ENV.netns]: netns ?? n,
      [SIM_ENV.node]: n,
      SIMPLECNI_NODE: n,
    };
  }

  private _envArgv(env: Record<string, string>, argv: readonly string[]): string[] {
    return ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv];
  }

  exec(node: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this._run(node, undefined, argv, opts);
  }

  execPod(node: string, pod: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this._run(node, this.layout.podNetnsPath(node, validatePodName(pod)), argv, opts);
  }

  /**
   * The simulated kernel's own programs (ip, ping…) run in this process — the answer is the same
   * as from the shim, without starting Node.js for every `ip -j` a check reads; anything else
   * (sh, the plugin, tcpdump, which waits) is a real process on the node.
   */
  private async _run(node: string, netns: string | undefined, argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    const env = { ...this.env(node, netns), ...opts.env };
    let stdout = '';
    let stderr = '';
    const end = await runSimChain({ file: this.layout.kernelFile, ns: env[SIM_ENV.netns]!, node: env[SIM_ENV.node], argv, stdin: () => opts.input }, (r) => {
      stdout += r.stdout;
      stderr += r.stderr;
    });
    if ('code' in end) return { code: end.code, stdout, stderr };
    if (end.exec.argv.length === 0) return { code: 0, stdout, stderr }; // no command, no terminal: nothing to run
    const r = await execCommand(end.exec.argv, { ...opts, env: { ...env, [SIM_ENV.netns]: end.exec.ns } });
    return { code: r.code, stdout: stdout + r.stdout, stderr: stderr + r.stderr };
  }

  nodeExecArgv(node: string, argv: readonly string[]): string[] {
    return this._envArgv(this.env(node), argv);
  }

  shellArgv(node: string): string[] {
    return this._envArgv(this.env(node), ['bash', '--rcfile', path.join(this.layout.nodeDir(node), 'bashrc'), '-i']);
  }

  podExecArgv(node: string, pod: string, argv: readonly string[]): string[] {
    return this._envArgv(this.env(node, this.layout.podNetnsPath(node, validatePodName(pod))), argv);
  }

  paths(node: string): NodePaths {
    return this.layout.nodePaths(workerByName(this.topology, node).name);
  }

  createPodNetns(node: string, pod: string): Promise<string> {
    workerByName(this.topology, node);
    // The file is the namespace's name, as a pinned nsfs file is on Linux: CNI_NETNS.
    return claimPodFile(this.layout.podNetnsDir(node), node, pod, (file) => updateWorld(this.layout.kernelFile, (w) => void addNetns(w, file, { path: file })));
  }

  async deletePodNetns(node: string, pod: string): Promise<void> {
    const file = this.layout.podNetnsPath(node, validatePodName(pod));
    await updateWorld(this.layout.kernelFile, (w) => deleteNetns(w, file));
    fs.rmSync(file, { force: true });
  }

  async listPodNetns(node: string): Promise<{ pod: string; netns: string }[]> {
    return listPodFiles(this.layout.podNetnsDir(node));
  }
}
