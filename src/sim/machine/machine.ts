// A whole simulated cluster in one object: the kernel model's World for the topology, and per node
// a file system (its real paths: /etc/cni/…, /opt/cni/bin/…) and a shell language (just-bash) whose
// ip, bridge, ping, tcpdump… answer from that World. Platform-free: runs in a browser and in Node.
import { Bash, defineCommand, getCommandNames, InMemoryFs, type Command, type IFileSystem } from 'just-bash/browser';
import type { Mode } from '../../plugin/config.ts';
import { buildUnderlayWorld } from '../../cluster/sim/underlayWorld.ts';
import { nodeByName, type Topology } from '../../cluster/topologyModel.ts';
import { resolveNetns } from '../core/command.ts';
import type { World } from '../core/model.ts';
import { kernelCommands, MACHINE_VARS, shQuote, stdinText, type ExecSinks } from './commands.ts';
import { SyncFs } from './syncFs.ts';
import { MACHINE_PATHS, nodeEnv, programScript, renderNodeFiles, RUN_PROGRAM, type FileSpec } from './nodeFiles.ts';
import { CONF_FILE_NAME } from '../../cluster/nodeConfig.ts';

export interface MachineExecOptions {
  /** A namespace of the node to run in: a name (`ip netns add`), a pinned path (a pod's CNI_NETNS) or a World id. */
  netns?: string;
  stdin?: string;
  /** Variables for this run, exported (programs and `sh -c` see them). */
  env?: Record<string, string>;
  cwd?: string;
  /** Ctrl-C: stops the running line (a ping, a tcpdump, a loop at its next statement). */
  signal?: AbortSignal;
  /**
   * Output as it happens, in order. A line that is one command (`ping -c 5 …`, `tcpdump …`)
   * streams while it runs; any other line's output arrives when it ends.
   */
  onStdout?(s: string): void;
  onStderr?(s: string): void;
}

export interface MachineExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The shell's variables when the line ended (PWD among them): what a terminal carries to its next line. */
  env: Record<string, string>;
}

/** What a program bound to a path (or a command given a name) is asked to do. */
export interface MachineProgramContext {
  machine: SimMachine;
  node: string;
  /** argv[0] is the program's path or name, as typed. */
  argv: string[];
  stdin: string;
  /** The exported environment of the calling shell. */
  env: Record<string, string>;
  cwd: string;
  /** World id of the network namespace it runs in (the node's own, or a pod's / a named one). */
  netns: string;
  /** The node's file system. */
  fs: IFileSystem;
  signal?: AbortSignal;
}

export type MachineProgram = (ctx: MachineProgramContext) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface SimMachineOptions {
  /** The data-plane mode the nodes' config files name (default host-gw). */
  mode?: Mode;
  /** Real time between ping's lines is multiplied by this (tests: 0). Default 1. */
  timeScale?: number;
}

/** A file or a directory of a node, as a snapshot holds it. */
export type SnapshotEntry = FileSpec | { dir: true; mode: number };

export interface MachineSnapshot {
  version: 1;
  topology: Topology;
  mode: Mode;
  world: World;
  files: Record<string, Record<string, SnapshotEntry>>;
}

/** Made by the shell itself on every start (its commands' stubs, /proc, /dev): not the node's state. */
const SHELL_OWN = ['/bin', '/usr/bin', '/proc', '/dev', '/sys'];

interface MachineNode {
  name: string;
  fs: InMemoryFs;
  /** The node's shell, made on first use (a shell writes its commands' stubs into the node's files: most of a fresh node's cost). */
  shell?: Bash;
  /** Its shell's commands (kernel programs, the program runner, those registered by name). */
  commands: Command[];
  sync?: SyncFs;
}

export class SimMachine {
  private readonly _nodes = new Map<string, MachineNode>();
  private readonly _programs = new Map<string, MachineProgram>();
  private readonly _execs = new Map<string, ExecSinks>();
  private readonly _listeners = new Set<() => void>();
  private readonly _commandNames = new Set<string>();
  private _seq = 0;
  private _timeScale: number;

  private constructor(
    readonly topology: Topology,
    public world: World,
    private _mode: Mode,
    opts: SimMachineOptions,
  ) {
    this._timeScale = opts.timeScale ?? 1;
  }

  /** The data-plane mode the nodes' conflist and cluster file name. */
  get mode(): Mode {
    return this._mode;
  }

  /**
   * Switches the data-plane mode as `cnilab cluster mode` does for the files: every worker's
   * conflist and cluster file are rendered again (its IPAM file, leases and other files stay).
   * Programming the routes is the node agent's job (simplecni-node), run after this.
   */
  setMode(mode: Mode) {
    this._mode = mode;
    for (const n of this.topology.nodes.filter((x) => x.role === 'worker')) {
      const { files } = renderNodeFiles(this.topology, n, mode);
      const fs = this._node(n.name).fs;
      for (const p of [`${MACHINE_PATHS.confDir}/${CONF_FILE_NAME}`, MACHINE_PATHS.clusterFile]) fs.writeFileSync(p, files[p]!.content, undefined, { mode: files[p]!.mode });
    }
    this.changed();
  }

  /** A fresh cluster: the underlay as the sim backend builds it, every node's files as every backend renders them. */
  static async create(topology: Topology, opts: SimMachineOptions = {}): Promise<SimMachine> {
    const mode = opts.mode ?? 'host-gw';
    const m = new SimMachine(topology, buildUnderlayWorld(topology), mode, opts);
    for (const n of topology.nodes) {
      const { files, dirs } = renderNodeFiles(topology, n, mode);
      const fs = new InMemoryFs();
      for (const d of dirs) fs.mkdirSync(d, { recursive: true });
      for (const [p, f] of Object.entries(files)) fs.writeFileSync(p, f.content, undefined, { mode: f.mode });
      m._addNode(n.name, fs);
    }
    return m;
  }

  /** The cluster exactly as a snapshot left it (programs and commands are bound again by the caller). */
  static async restore(s: MachineSnapshot, opts: Omit<SimMachineOptions, 'mode'> = {}): Promise<SimMachine> {
    if (s?.version !== 1 || !s.world || !s.files) throw new Error('not a snapshot of a simulated machine (version 1)');
    const m = new SimMachine(s.topology, JSON.parse(JSON.stringify(s.world)) as World, s.mode, opts);
    for (const n of s.topology.nodes) {
      const fs = new InMemoryFs();
      const entries = Object.entries(s.files[n.name] ?? {}).sort(([a], [b]) => a.localeCompare(b));
      for (const [p, e] of entries) {
        if ('dir' in e) fs.mkdirSync(p, { recursive: true });
        else fs.writeFileSync(p, e.content, undefined, { mode: e.mode });
      }
      m._addNode(n.name, fs);
    }
    return m;
  }

  /** JSON-serialisable: the World and every node's files. */
  async snapshot(): Promise<MachineSnapshot> {
    const files: MachineSnapshot['files'] = {};
    for (const [name, n] of this._nodes) {
      const out: Record<string, SnapshotEntry> = {};
      for (const p of n.fs.getAllPaths().sort()) {
        if (p === '/' || SHELL_OWN.some((d) => p === d || p.startsWith(`${d}/`))) continue;
        const st = await n.fs.lstat(p);
        if (st.isDirectory) out[p] = { dir: true, mode: st.mode };
        else if (st.isFile) out[p] = { content: await n.fs.readFile(p), mode: st.mode };
      }
      files[name] = out;
    }
    return { version: 1, topology: this.topology, mode: this.mode, world: JSON.parse(JSON.stringify(this.world)) as World, files };
  }

  get nodes(): string[] {
    return [...this._nodes.keys()];
  }

  /** A node's file system (its /etc/cni, /opt/cni/bin, /var/lib/cni…). */
  fs(node: string): IFileSystem {
    return this._node(node).fs;
  }

  /** A node's files with node:fs's synchronous calls and error codes (for the plugin host). */
  syncFs(node: string): SyncFs {
    const n = this._node(node);
    return (n.sync ??= new SyncFs(n.fs));
  }

  /** Called after any command that may have changed the cluster (to save it, redraw a topology…). Returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this._listeners.add(listener);
    return () => this._listeners.delete(listener);
  }

  /** Marks the cluster changed (for programs that change the World or files outside a shell command). */
  changed() {
    for (const l of this._listeners) l();
  }

  /**
   * Binds a program to a path on every node: running that path (from a shell, `sh -c`, the CNI
   * runtime) runs `program`. A node without a file there gets the small script that calls it.
   */
  registerProgram(path: string, program: MachineProgram) {
    this._programs.set(path, program);
    for (const n of this._nodes.values()) {
      if (n.fs.getAllPaths().includes(path)) continue;
      n.fs.writeFileSync(path, programScript(path), undefined, { mode: 0o755 });
    }
  }

  /** A command by name in every node's shell (e.g. `cnilab`). */
  registerCommand(name: string, program: MachineProgram) {
    for (const n of this._nodes.values()) {
      const c = this._programCommand(n, name, program);
      n.commands.push(c);
      n.shell?.registerCommand(c);
    }
    this._commandNames.add(name);
  }

  /** Every command name a node's shell knows (for Tab completion). */
  commandNames(): string[] {
    return [...new Set([...getCommandNames(), ...this._commandNames])].filter((c) => !c.startsWith('__')).sort();
  }

  /**
   * The top-level statements of a line that define (`f() {…}`, `function f {…}`) or remove
   * (`unset -f f`) shell functions, with their source: a terminal carries functions this way,
   * since the shell forgets them after each line. A line that does not parse defines nothing.
   */
  functionChanges(node: string, script: string): { name: string; source?: string }[] {
    const out: { name: string; source?: string }[] = [];
    try {
      const { ast } = this._bash(this._node(node)).transform(script);
      for (const st of ast.statements) {
        for (const p of st.pipelines) {
          for (const c of p.commands) {
            // A definition chained to other commands (`f() {…} && g`) is not carried.
            if (c.type === 'FunctionDef' && st.sourceText && st.pipelines.length === 1 && p.commands.length === 1) out.push({ name: c.name, source: st.sourceText });
            if (c.type === 'SimpleCommand' && wordText(c.name) === 'unset' && c.args.length > 1 && wordText(c.args[0]) === '-f') {
              for (const a of c.args.slice(1)) out.push({ name: wordText(a) });
            }
          }
        }
      }
    } catch {
      // a syntax error: the shell reports it when the line runs
    }
    return out;
  }

  /** The World id of a namespace reference on a node (name, pinned path, or id); the node's own when absent. */
  resolveNetns(node: string, ref?: string): string {
    const n = this._node(node).name;
    if (!ref || ref === n) return n;
    if (this.world.namespaces[ref]) return ref;
    const ns = resolveNetns(this.world, ref, n);
    if (!ns) throw new Error(`no network namespace "${ref}" on ${n}`);
    return ns.id;
  }

  /** Runs a command line (a script, or argv quoted for you) on a node. Never throws on a non-zero exit. */
  async exec(node: string, cmd: readonly string[] | string, opts: MachineExecOptions = {}): Promise<MachineExecResult> {
    const n = this._node(node);
    const bash = this._bash(n);
    const script = typeof cmd === 'string' ? cmd : cmd.map(shQuote).join(' ');
    const id = String(++this._seq);
    let stdout = '';
    let stderr = '';
    const sinks: ExecSinks = { stream: Boolean(opts.onStdout) && isOneCommand(bash, script), ...(opts.signal ? { signal: opts.signal } : {}) };
    if (opts.onStdout) {
      sinks.onStdout = (s) => {
        stdout += s;
        opts.onStdout!(s);
      };
      sinks.onStderr = (s) => {
        stderr += s;
        (opts.onStderr ?? opts.onStdout)!(s);
      };
    }
    const vars: Record<string, string> = { ...opts.env, [MACHINE_VARS.exec]: id, [MACHINE_VARS.netns]: this.resolveNetns(node, opts.netns) };
    const prefix = `export ${Object.entries(vars)
      .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      .map(([k, v]) => `${k}=${shQuote(v)}`)
      .join(' ')}\n`;
    this._execs.set(id, sinks);
    if (opts.onStdout && hasBackgroundJob(bash, script)) {
      sinks.onStderr!(`note: this shell runs a job started with & to its end before the next command (there are no background jobs in the page); for two things at once use two terminals\n`);
    }
    try {
      const r = await bash.exec(prefix + script, {
        cwd: opts.cwd ?? '/root',
        ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      let code = r.exitCode;
      let err = r.stderr;
      if (opts.signal?.aborted) {
        code = 130; // 128 + SIGINT, as a shell reports a line stopped with Ctrl-C
        err = err.replace(/^bash: execution aborted\n?/m, '');
      }
      if (opts.onStdout) {
        if (r.stdout) sinks.onStdout!(r.stdout);
        if (err) sinks.onStderr!(err);
      } else {
        stdout = r.stdout;
        stderr = err;
      }
      const env = { ...r.env };
      delete env[MACHINE_VARS.exec];
      delete env[MACHINE_VARS.netns];
      return { code, stdout, stderr, env };
    } finally {
      this._execs.delete(id);
      this.changed();
    }
  }

  private _node(node: string): MachineNode {
    const n = this._nodes.get(node);
    if (!n) throw new Error(nodeByName(this.topology, node) ? `node "${node}" has no shell` : `no node "${node}"`);
    return n;
  }

  private _addNode(name: string, fs: InMemoryFs) {
    nodeByName(this.topology, name);
    const hooks = {
      world: () => this.world,
      node: name,
      sinks: (id: string | undefined) => (id === undefined ? undefined : this._execs.get(id)),
      changed: () => {},
      timeScale: () => this._timeScale,
    };
    const node: MachineNode = { name, fs, commands: [] };
    node.commands.push(...kernelCommands(hooks), this._runProgramCommand(node));
    for (const c of node.commands) this._commandNames.add(c.name);
    this._nodes.set(name, node);
  }

  private _bash(n: MachineNode): Bash {
    n.shell ??= new Bash({ fs: n.fs, cwd: '/root', env: nodeEnv(nodeByName(this.topology, n.name)), customCommands: [...n.commands], processInfo: { pid: 1, ppid: 0, uid: 0, gid: 0 } });
    return n.shell;
  }

  /** The hidden command a program's script calls with its own path. */
  private _runProgramCommand(n: MachineNode): Command {
    return defineCommand(RUN_PROGRAM, async ([path = '', ...args], ctx) => {
      const program = this._programs.get(path);
      if (!program) return { stdout: '', stderr: `${path}: nothing runs this program in this simulated cluster yet\n`, exitCode: 126 };
      return this._runProgram(n, program, [path, ...args], ctx);
    });
  }

  private _programCommand(n: MachineNode, name: string, program: MachineProgram): Command {
    return defineCommand(name, async (args, ctx) => this._runProgram(n, program, [name, ...args], ctx));
  }

  private async _runProgram(n: MachineNode, program: MachineProgram, argv: string[], ctx: Parameters<Command['execute']>[1]) {
    const env = ctx.exportedEnv ?? Object.fromEntries(ctx.env);
    const netns = env[MACHINE_VARS.netns] || ctx.env.get(MACHINE_VARS.netns) || n.name;
    const clean = { ...env };
    delete clean[MACHINE_VARS.exec];
    const r = await program({ machine: this, node: n.name, argv, stdin: stdinText(ctx), env: clean, cwd: ctx.cwd, netns, fs: n.fs, ...(ctx.signal ? { signal: ctx.signal } : {}) });
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
  }
}

/** Does the line start a job in the background (`cmd &`) at its top level? */
function hasBackgroundJob(bash: Bash, script: string): boolean {
  try {
    return bash.transform(script).ast.statements.some((st) => st.background);
  } catch {
    return false;
  }
}

/** Is the line a single simple command with nothing redirected (its output goes straight to the terminal)? */
function isOneCommand(bash: Bash, script: string): boolean {
  try {
    const { ast } = bash.transform(script);
    if (ast.statements.length !== 1) return false;
    const [st] = ast.statements;
    if (st!.pipelines.length !== 1 || st!.background) return false;
    const cmds = st!.pipelines[0]!.commands;
    return cmds.length === 1 && cmds[0]!.type === 'SimpleCommand' && cmds[0]!.redirections.length === 0;
  } catch {
    return false;
  }
}

/** The literal text of a word (a command name or plain argument); "" when it has expansions. */
function wordText(w: { parts: { type: string; value?: string }[] } | null | undefined): string {
  return w?.parts.every((p) => p.type === 'Literal') ? w.parts.map((p) => p.value ?? '').join('') : '';
}
