// The node driver of the simulated machine: the validators, the CNI runtime and trace reach its
// nodes exactly as they reach a VM — run a command on a node, read its output.
import type { NodeDriver, TcpProbes } from '../../cluster/driver.ts';
import { connect, listen, unlisten } from '../core/tcp.ts';
import type { NodePaths } from '../../cluster/nodeConfig.ts';
import { validatePodName } from '../../cluster/podName.ts';
import { nodeByName, workerByName, type Topology } from '../../cluster/topologyModel.ts';
import type { ExecOptions, ExecResult } from '../../shared/execTypes.ts';
import { addNetns, deleteNetns } from '../core/model.ts';
import { runKernelArgv } from './kernelDirect.ts';
import type { SimMachine } from './machine.ts';
import { MachineFileAccess } from './machineFileAccess.ts';
import { MACHINE_PATHS, podNetnsDir } from './nodeFiles.ts';

export class MachineDriver implements NodeDriver {
  readonly backend = 'sim' as const;
  readonly files: MachineFileAccess;

  constructor(readonly machine: SimMachine) {
    this.files = new MachineFileAccess(machine);
  }

  private probes = 0;

  readonly tcp: TcpProbes = {
    listen: async (node, pod, ports, seconds) => {
      const owner = `probe:${++this.probes}`;
      listen(this.machine.world, this.podNetnsPath(node, pod), 'tcp', ports, owner, Date.now() + seconds * 1000);
      this.machine.changed();
      return {
        stop: async () => {
          unlisten(this.machine.world, owner);
          this.machine.changed();
        },
      };
    },
    connect: async (node, pod, ip, port) => {
      const r = connect(this.machine.world, this.podNetnsPath(node, pod), ip, port).result;
      this.machine.changed();
      return r;
    },
  };

  get topology(): Topology {
    return this.machine.topology;
  }

  exec(node: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this._run(node, undefined, argv, opts);
  }

  execPod(node: string, pod: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this._run(node, this.podNetnsPath(node, pod), argv, opts);
  }

  private async _run(node: string, netns: string | undefined, argv: readonly string[], opts: ExecOptions): Promise<ExecResult> {
    nodeByName(this.topology, node);
    const env = Object.fromEntries(Object.entries(opts.env ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
    // The model's own programs answer right here, as on the sim backend: a check reads state with
    // dozens of `ip -j …` and needs no shell for them. Anything else goes through the node's shell.
    let stdout = '';
    let stderr = '';
    if (Object.keys(env).length === 0) {
      const start = this.machine.resolveNetns(node, netns);
      const k = runKernelArgv(this.machine, node, start, argv, opts.input);
      if (k.done) return { code: k.code, stdout: k.stdout, stderr: k.stderr };
      ({ stdout, stderr } = k);
      if (k.rest.length !== argv.length || k.ns !== start) {
        netns = k.ns;
        argv = k.rest;
      }
    }
    const signal = opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined;
    const r = await this.machine.exec(node, argv, { env, ...(netns ? { netns } : {}), ...(opts.input !== undefined ? { stdin: opts.input } : {}), ...(signal ? { signal } : {}) });
    return { code: r.code, stdout: stdout + r.stdout, stderr: stderr + r.stderr };
  }

  nodeExecArgv(node: string, argv: readonly string[]): string[] {
    nodeByName(this.topology, node);
    return [...argv];
  }

  shellArgv(node: string): string[] {
    nodeByName(this.topology, node);
    return ['bash'];
  }

  podExecArgv(node: string, pod: string, argv: readonly string[]): string[] {
    return ['nsenter', `--net=${this.podNetnsPath(node, pod)}`, ...argv];
  }

  paths(node: string): NodePaths {
    workerByName(this.topology, node);
    return MACHINE_PATHS;
  }

  podNetnsPath(node: string, pod: string): string {
    return `${podNetnsDir(workerByName(this.topology, node).name)}/${validatePodName(pod)}`;
  }

  async createPodNetns(node: string, pod: string): Promise<string> {
    const file = this.podNetnsPath(node, pod);
    const fs = this.machine.fs(node);
    if (this.machine.world.namespaces[file] || (await fs.exists(file))) throw new Error(`pod "${pod}" already exists on ${node}`);
    // The file is the namespace's name, as a pinned nsfs file is on Linux: CNI_NETNS.
    await fs.mkdir(podNetnsDir(node), { recursive: true });
    await fs.writeFile(file, '');
    addNetns(this.machine.world, file, { path: file });
    this.machine.changed();
    return file;
  }

  async deletePodNetns(node: string, pod: string): Promise<void> {
    const file = this.podNetnsPath(node, pod);
    deleteNetns(this.machine.world, file);
    await this.machine.fs(node).rm(file, { force: true });
    this.machine.changed();
  }

  async listPodNetns(node: string): Promise<{ pod: string; netns: string }[]> {
    const dir = podNetnsDir(workerByName(this.topology, node).name);
    let names: string[] = [];
    try {
      names = (await this.machine.fs(node).readdir(dir)).sort();
    } catch {
      // no pods yet
    }
    return names.map((pod) => ({ pod, netns: `${dir}/${pod}` }));
  }
}
