// Bundled programs (the plugin, the IPAM plugin, the node agent, a student's build) as programs of
// the machine: the plugin host runs the bundle in this thread, its fs calls on the node's files
// (/proc/sys from the simulated kernel's sysctls of the namespace it runs in), its spawned
// commands through the node's shell in that namespace. No fork of the plugin: the same bundle
// that runs on a VM.
import { runBundle } from '../../host/runBundle.ts';
import { withProcSys } from '../../host/procSys.ts';
import type { HostCommandRunner } from '../../host/types.ts';
import { isSimCommand } from '../core/commands.ts';
import { namespaceFilesOf } from '../core/command.ts';
import { runKernelArgv } from './kernelDirect.ts';
import { SimError } from '../core/model.ts';
import { procSysOf } from '../core/sysctl.ts';
import { installBundleFiles } from './install.ts';
import type { CNI_PROGRAMS } from './nodeFiles.ts';
import type { MachineProgram, MachineProgramContext, SimMachine } from './machine.ts';

/** A standard path of one of the kernel's programs (/usr/sbin/ip, /sbin/sysctl) is the simulated one. */
const SYSTEM_BIN = /^\/(?:usr\/)?(?:local\/)?s?bin\/([^/]+)$/;

export interface HostedOptions {
  /** The bundle's text; by default read from the node at the program's path + ".cjs" on every run (a deploy replaces it). */
  source?: string | ((ctx: MachineProgramContext) => string);
}

/** A MachineProgram that runs a CommonJS bundle through the plugin host. */
export function hostedBundle(opts: HostedOptions = {}): MachineProgram {
  return async (ctx) => {
    const path = ctx.argv[0]!;
    const sync = ctx.machine.syncFs(ctx.node);
    let source: string;
    try {
      source = typeof opts.source === 'function' ? opts.source(ctx) : (opts.source ?? sync.readFileSync(`${path}.cjs`));
    } catch {
      return { code: 126, stdout: '', stderr: `${path}: its bundle ${path}.cjs is missing on ${ctx.node} (deploy it first)\n` };
    }
    const world = () => ctx.machine.world;
    const ns = () => {
      const n = world().namespaces[ctx.netns];
      if (!n) throw new SimError(`the simulated namespace "${ctx.netns}" does not exist`);
      return n;
    };
    const sysctls = procSysOf(ns, (change) => change(ns()));
    const runner: HostCommandRunner = {
      async run(argv, { stdin, env, cwd }) {
        const prog = argv[0] ?? '';
        const m = SYSTEM_BIN.exec(prog);
        const cmd = m && isSimCommand(m[1]!) ? [m[1]!, ...argv.slice(1)] : [...argv];
        // The kernel's programs (most of what the plugin spawns) answer straight from the World:
        // they read no environment, and a shell would only have parsed the line to run them.
        const k = runKernelArgv(ctx.machine, ctx.node, ctx.netns, cmd, stdin);
        if (k.done) return { code: k.code, stdout: k.stdout, stderr: k.stderr };
        const rest = await ctx.machine.exec(ctx.node, k.rest, { netns: k.ns, env, ...(stdin !== undefined ? { stdin } : {}), ...(cwd ? { cwd } : {}) });
        const r = { ...rest, stdout: k.stdout + rest.stdout, stderr: k.stderr + rest.stderr };
        if (r.code === 127 && /command not found|No such file or directory/.test(r.stderr)) {
          // As spawn reports a program that does not exist.
          throw Object.assign(new Error(`spawn ${prog} ENOENT`), { code: 'ENOENT', errno: -2, syscall: `spawn ${prog}`, path: prog });
        }
        return { code: r.code, stdout: r.stdout, stderr: r.stderr };
      },
    };
    const r = await runBundle(source, {
      argv: ctx.argv.slice(1),
      env: ctx.env,
      stdin: ctx.stdin,
      fs: withProcSys(sync, sysctls, () => namespaceFilesOf(ctx.machine.world, ctx.node)),
      runner,
      filename: `${path}.cjs`,
      hostname: ctx.node,
      cwd: ctx.cwd,
    });
    ctx.machine.changed();
    return r;
  };
}

/**
 * Installs bundles on every worker (`<binDir>/<name>.cjs`) and binds `<binDir>/<name>` to the
 * plugin host: what `cnilab deploy` does on a node, for the machine.
 */
export function installBundles(machine: SimMachine, bundles: Partial<Record<(typeof CNI_PROGRAMS)[number], string>>) {
  installBundleFiles(machine, bundles, hostedBundle);
}
