// The sim node driver: a node is a namespace of the simulated kernel. The simulated kernel's
// programs (ip, ping…) and the bundled programs (the plugin, the node agent, a student's build)
// run in this process, the bundles in the plugin host's worker threads; anything else (sh, cat,
// mkdir) is a normal process whose PATH starts with the simulated ip, bridge, ping…, and whose
// environment names the world and the namespace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkerPool } from '../../host/node/workerPool.ts';
import { execCommand, type ExecOptions, type ExecResult } from '../../shared/exec.ts';
import { simHostBundle } from '../../shared/paths.ts';
import { bundleOf, type SimProgramJob } from '../../sim/host/plugins.ts';
import { addNetns, deleteNetns } from '../../sim/core/model.ts';
import { SIM_ENV } from '../../sim/host/env.ts';
import { runSimChain } from '../../sim/host/chain.ts';
import { updateWorld } from '../../sim/host/store.ts';
import { bundleShim } from '../../shared/bundleShim.ts';
import { scriptForm } from '../../shared/scriptForm.ts';
import { pluginLookupOf, pluginNotFound } from '../cniPath.ts';
import type { NodeDriver, TcpProbes } from '../driver.ts';
import { connect, listen, unlisten } from '../../sim/core/tcp.ts';
import { LocalFileAccess } from '../localFileAccess.ts';
import type { NodePaths } from '../nodeConfig.ts';
import { writeIfChanged } from '../nodeFiles.ts';
import { claimPodFile, listPodFiles, validatePodName } from '../podFiles.ts';
import { nodeByName, workerByName, workers, type Topology } from '../topology.ts';
import type { SimLayout } from './layout.ts';
import { inNodeView, nodeViewAvailable, viewMounts } from './nodeView.ts';

/** How long a bundled program may run before the host stops it (a runtime's timeout, in effect). */
export const PROGRAM_TIMEOUT_MS = 30_000;

let pool: WorkerPool<SimProgramJob> | undefined;
/** One pool of plugin-host workers per process, shared by every sim cluster. */
const hostPool = () => (pool ??= new WorkerPool<SimProgramJob>(simHostBundle(), 4));

export class SimDriver implements NodeDriver {
  readonly backend = 'sim' as const;
  /** The nodes' files are this machine's, at the paths `paths()` names. */
  readonly files = new LocalFileAccess();

  constructor(
    readonly topology: Topology,
    readonly layout: SimLayout,
  ) {}

  /** The plugin host's workers started now: a lab server's first Check then finds them warm. */
  prepare(): Promise<void> {
    return hostPool().prestart();
  }

  readonly tcp: TcpProbes = {
    listen: async (node, pod, ports, seconds) => {
      const owner = `probe:${process.pid}:${node}/${pod}:${ports.join(',')}`;
      const file = this.layout.kernelFile;
      const ns = this.layout.podNetnsPath(node, validatePodName(pod));
      await updateWorld(file, (w) => listen(w, ns, 'tcp', ports, owner, Date.now() + seconds * 1000));
      return { stop: () => updateWorld(file, (w) => unlisten(w, owner)) };
    },
    connect: (node, pod, ip, port) => updateWorld(this.layout.kernelFile, (w) => connect(w, this.layout.podNetnsPath(node, validatePodName(pod)), ip, port).result),
  };

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

  shellEnv(node: string): Record<string, string> {
    const n = nodeByName(this.topology, node).name;
    relaunchBundles(this.topology, this.layout);
    return { ...this.env(n), ...(workers(this.topology).some((w) => w.name === n) ? this.layout.shellVars(n) : {}) };
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
    const procEnv = { ...env, [SIM_ENV.netns]: end.exec.ns };
    // The kit's own calls name the node's real paths: no node view (that is for a person's commands).
    const r = (await this._hosted(end.exec.argv, end.exec.ns, procEnv, opts)) ?? (await execCommand(end.exec.argv, { ...opts, env: procEnv }));
    return { code: r.code, stdout: stdout + r.stdout, stderr: stderr + r.stderr };
  }

  /**
   * A bundled program — named by its shim, or a CNI plugin the runtime looks up along CNI_PATH —
   * runs in the plugin host instead of a Node.js process: same stdin, env, output, exit code and
   * files; its ip/sysctl/nft calls go straight to the world; /proc/sys is the node's.
   */
  private async _hosted(argv: readonly string[], ns: string, env: Record<string, string>, opts: ExecOptions): Promise<ExecResult | undefined> {
    let prog = argv;
    const type = pluginLookupOf(argv);
    if (type !== undefined) {
      const cniPath = env.CNI_PATH ?? process.env.CNI_PATH ?? '';
      const found = cniPath.split(':').filter(Boolean).map((d) => path.join(d, type)).find(isExecutable);
      if (!found) return { code: 127, stdout: '', stderr: pluginNotFound(type, cniPath) };
      prog = [found];
    }
    const bundle = bundleOf(prog);
    if (!bundle) return type === undefined ? undefined : execCommand(prog, { ...opts, env });
    const timeoutMs = opts.timeoutMs ?? PROGRAM_TIMEOUT_MS;
    const job: SimProgramJob = {
      bundle,
      argv: prog.slice(1),
      env: { ...stringEnv(process.env), ...env },
      stdin: opts.input ?? '',
      file: this.layout.kernelFile,
      ns,
      node: env[SIM_ENV.node],
      // The plugin host runs outside the node's mount namespace: it maps the same paths itself.
      mounts: this._viewOf(env[SIM_ENV.node]),
    };
    const name = path.basename(prog[0]!);
    try {
      return await hostPool().run(job, {
        timeoutMs,
        onTimeout: () => ({
          code: 124,
          stdout: '',
          stderr: `${name}: stopped after ${timeoutMs / 1000} s without finishing: an endless loop, or a wait for something that never comes (the simulated node ended it)\n`,
        }),
      });
    } catch (err) {
      return { code: 1, stdout: '', stderr: `${name}: the plugin host could not run it: ${(err as Error).message}\n` };
    }
  }

  /** The paths a node's shell sees as its own; none where the machine gives no view (real paths everywhere). */
  private _viewOf(node: string | undefined): [string, string][] {
    return node !== undefined && nodeViewAvailable() && fs.existsSync(this.layout.nodeDir(node)) ? viewMounts(this.layout, node) : [];
  }

  // A terminal's processes may run a node's plugin shims: they must be the plugin host's.
  nodeExecArgv(node: string, argv: readonly string[]): string[] {
    relaunchBundles(this.topology, this.layout);
    return this._envArgv(this.env(node), inNodeView(this.layout, node, argv));
  }

  shellArgv(node: string): string[] {
    relaunchBundles(this.topology, this.layout);
    return this._envArgv(this.env(node), inNodeView(this.layout, node, ['bash', '--rcfile', path.join(this.layout.nodeDir(node), 'bashrc'), '-i']));
  }

  podExecArgv(node: string, pod: string, argv: readonly string[]): string[] {
    relaunchBundles(this.topology, this.layout);
    return this._envArgv(this.env(node, this.layout.podNetnsPath(node, validatePodName(pod))), inNodeView(this.layout, node, argv));
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

/**
 * Every installed bundle's shim runs it through the plugin host. (A cluster made before the host
 * had shims that ran Node.js directly: such a plugin, started from a node's shell, would meet this
 * machine's /proc/sys instead of the node's simulated one.) Cheap: a shim is rewritten only when it differs.
 */
export function relaunchBundles(topology: Topology, layout: SimLayout) {
  for (const n of workers(topology)) {
    const bin = layout.nodePaths(n.name).binDir;
    let names: string[];
    try {
      names = fs.readdirSync(bin);
    } catch {
      continue;
    }
    for (const f of names) {
      const name = f.replace(/\.cjs$/, '');
      const shim = path.join(bin, name);
      if (name === f || !fs.existsSync(shim) || bundleOf([shim]) !== path.join(bin, f)) continue;
      writeIfChanged(shim, bundleShim(name, process.execPath, path.join(bin, f), simHostBundle(), scriptForm()), 0o755);
    }
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const stringEnv = (env: NodeJS.ProcessEnv) => Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
