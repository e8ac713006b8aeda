// The cluster in the tab: the simulated kernel's World built from vm/topology.json the way the sim
// backend builds it (same underlay plan), a command line run against it (the sim's own programs,
// `ip netns exec` / `nsenter` chains), and a NodeDriver over it so the validators run unchanged.
import type { NodeDriver } from '../../../../src/cluster/driver.ts';
import { VM_PATHS, type NodePaths } from '../../../../src/cluster/nodeConfig.ts';
import type { Topology } from '../../../../src/cluster/topology.ts';
import { underlayPlan } from '../../../../src/cluster/underlay.ts';
import type { ExecOptions, ExecResult } from '../../../../src/shared/exec.ts';
import { isSimCommand, runSimCommand } from '../../../../src/sim/core/commands.ts';
import { addNetns, createWorld, type World } from '../../../../src/sim/core/model.ts';
import { MiniShell } from './miniShell.ts';

const segmentNs = (name: string) => `seg-${name}`;

export function buildWorld(t: Topology): World {
  const world = createWorld();
  for (const s of t.segments) addNetns(world, segmentNs(s.name), { name: segmentNs(s.name) });
  for (const n of t.nodes) addNetns(world, n.name, { name: n.name });
  const plan = underlayPlan(t, { node: (n) => n, segment: segmentNs });
  for (const step of plan.steps) {
    const stdin = step.lines.map((l) => l.join(' ')).join('\n') + '\n';
    const r = runSimCommand({ world, ns: step.ns, stdin }, ['ip', '-batch', '-']);
    if (r.code !== 0) throw new Error(`${step.ns}: ip -batch failed: ${r.stderr.trim()}`);
  }
  for (const ns of plan.forwarders) runSimCommand({ world, ns }, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  return world;
}

export interface RunOptions {
  stdin?: string;
}

/** The world of one tab, changed only through run(); onChange after every command that changed it. */
export class PageCluster {
  constructor(
    readonly topology: Topology,
    /** Replaced whole on import / start over. */
    public world: World,
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** One program on a node (or in a namespace of it): the sim's programs and the chains they spawn. */
  run(node: string, argv: readonly string[], opts: RunOptions & { ns?: string } = {}): ExecResult {
    let ns = opts.ns ?? node;
    let args = [...argv];
    let stdout = '';
    let stderr = '';
    const before = JSON.stringify(this.world);
    try {
      for (;;) {
        if (args.length === 0) return { code: 0, stdout, stderr };
        if (!isSimCommand(args[0]!)) {
          return { code: 127, stdout, stderr: stderr + `${args[0]}: command not found (in this tab a node runs ip, bridge, ping, sysctl, nft, traceroute, nsenter and cnilab)\n` };
        }
        const r = runSimCommand({ world: this.world, ns, node, ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}) }, args);
        stdout += r.stdout;
        stderr += r.stderr;
        if (!r.spawn || r.code !== 0) return { code: r.code, stdout, stderr };
        ns = r.spawn.ns;
        args = r.spawn.argv;
      }
    } finally {
      if (JSON.stringify(this.world) !== before) this.onChange();
    }
  }
}

/**
 * The validators' (and the lab actions') way onto the tab's cluster. A pod's namespace is a
 * namespace of its node's, named as the pod; `sh -c` lines run in the tab's small shell.
 */
export class PageDriver implements NodeDriver {
  readonly backend = 'sim' as const;
  constructor(
    private readonly cluster: PageCluster,
    /** node → its pods (kept with the rest of the page's state). */
    private readonly pods: Record<string, string[]>,
    private readonly onChange: () => void = () => undefined,
  ) {}

  get topology(): Topology {
    return this.cluster.topology;
  }

  async exec(node: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    await yieldToPage();
    if (argv[0] === 'sh' && argv[1] === '-c' && argv[2] !== undefined) {
      let stdout = '';
      let stderr = '';
      const shell = new MiniShell((name) => {
        if (name === 'true') return () => 0;
        if (name === 'false') return () => 1;
        return (args, io, stdin) => {
          const r = this.cluster.run(node, args, stdin !== undefined ? { stdin } : {});
          io.stdout(r.stdout);
          io.stderr(r.stderr);
          return r.code;
        };
      });
      const code = await shell.run(argv[2], { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
      return { code, stdout, stderr };
    }
    return this.cluster.run(node, argv, opts.input !== undefined ? { stdin: opts.input } : {});
  }

  async execPod(node: string, pod: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return this.exec(node, ['ip', 'netns', 'exec', pod, ...argv], opts);
  }

  nodeExecArgv(_node: string, argv: readonly string[]): string[] {
    return [...argv];
  }

  shellArgv(): string[] {
    return [];
  }

  podExecArgv(_node: string, pod: string, argv: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', pod, ...argv];
  }

  paths(): NodePaths {
    return { ...VM_PATHS };
  }

  async createPodNetns(node: string, pod: string): Promise<string> {
    const r = this.cluster.run(node, ['ip', 'netns', 'add', pod]);
    if (r.code !== 0) throw new Error(r.stderr.trim());
    const list = (this.pods[node] ??= []);
    if (!list.includes(pod)) list.push(pod);
    this.onChange();
    return `/var/run/netns/${pod}`;
  }

  async deletePodNetns(node: string, pod: string): Promise<void> {
    this.cluster.run(node, ['ip', 'netns', 'del', pod]);
    this.pods[node] = (this.pods[node] ?? []).filter((p) => p !== pod);
    this.onChange();
  }

  async listPodNetns(node: string): Promise<{ pod: string; netns: string }[]> {
    return (this.pods[node] ?? []).map((pod) => ({ pod, netns: `/var/run/netns/${pod}` }));
  }
}

/** A macrotask break: the page renders and takes keystrokes between two commands of a long run. */
export function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}
