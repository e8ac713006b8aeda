// The plugin, its IPAM plugin and the node agent as programs of the simulated machine: each run is
// the bundle run by the plugin host (src/host) with the node's files, the node's commands (ip,
// bridge… through the node's shell, in the namespace the program runs in) and /proc/sys from the
// simulated kernel. Platform-free: the page engine binds the bundles it carries this way.
import { MemoryFs } from '../../host/memoryFs.ts';
import { withProcSys } from '../../host/procSys.ts';
import { runBundle } from '../../host/runBundle.ts';
import type { HostCommandRunner } from '../../host/types.ts';
import type { IFileSystem } from 'just-bash/browser';
import { procSysOf } from '../core/sysctl.ts';
import type { SimNetns } from '../core/model.ts';
import type { MachineProgram, SimMachine } from './machine.ts';
import { CNI_PROGRAMS, MACHINE_PATHS } from './nodeFiles.ts';

/** Made by the shell itself (its commands' stubs, /proc, /dev): not handed to a program. */
const SHELL_OWN = ['/bin', '/usr/bin', '/proc', '/dev', '/sys'];

type Files = Map<string, { content: string; mode: number } | 'dir'>;

async function readNodeFiles(fs: IFileSystem & { getAllPaths?(): string[] }): Promise<Files> {
  const out: Files = new Map();
  for (const p of (fs.getAllPaths?.() ?? []).sort()) {
    if (p === '/' || SHELL_OWN.some((d) => p === d || p.startsWith(`${d}/`))) continue;
    const st = await fs.lstat(p);
    if (st.isDirectory) out.set(p, 'dir');
    else if (st.isFile) out.set(p, { content: await fs.readFile(p), mode: st.mode });
  }
  return out;
}

function toMemoryFs(files: Files): MemoryFs {
  const m = new MemoryFs();
  for (const [p, f] of files) {
    if (f === 'dir') m.mkdirSync(p, { recursive: true });
    else {
      m.mkdirSync(p.slice(0, p.lastIndexOf('/')) || '/', { recursive: true });
      m.writeFileSync(p, f.content, { mode: f.mode });
    }
  }
  return m;
}

function listMemoryFs(m: MemoryFs, dir = '/', out: Files = new Map()): Files {
  for (const name of m.readdirSync(dir)) {
    const p = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = m.lstatSync(p);
    if (st.isDirectory()) {
      out.set(p, 'dir');
      listMemoryFs(m, p, out);
    } else if (st.isFile()) out.set(p, { content: m.readFileSync(p), mode: st.mode & 0o7777 });
  }
  return out;
}

/** Writes back what the run changed (and only that: a nested program's own changes stay). */
async function writeBack(fs: IFileSystem, before: Files, after: Files): Promise<void> {
  for (const [p, f] of after) {
    const was = before.get(p);
    if (f === 'dir') {
      if (was !== 'dir') await fs.mkdir(p, { recursive: true });
    } else if (!was || was === 'dir' || was.content !== f.content) {
      await fs.writeFile(p, f.content);
    }
  }
  for (const p of [...before.keys()].reverse()) {
    if (!after.has(p)) await fs.rm(p, { recursive: true, force: true });
  }
}

/** Set in the environment of what a hosted program spawns: a program it starts runs inside its turn. */
const NESTED = '__SIMPLECNI_HOSTED';

/**
 * One hosted run at a time per node (a program it spawns runs within its turn): each run works on
 * a copy of the node's files, so two at once would each miss the other's writes (a lease taken
 * twice); in turn, each sees what the one before wrote, as processes on one disk do.
 */
const turns = new WeakMap<object, Map<string, Promise<unknown>>>();
function inTurn<T>(machine: object, node: string, fn: () => Promise<T>): Promise<T> {
  let m = turns.get(machine);
  if (!m) turns.set(machine, (m = new Map()));
  const prev = m.get(node) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  m.set(node, next.catch(() => undefined));
  return next;
}

/** One bundle as a program of the machine. */
export function hostedProgram(source: string | (() => string)): MachineProgram {
  return async (ctx) => (ctx.env[NESTED] ? runHosted(source, ctx) : inTurn(ctx.machine, ctx.node, () => runHosted(source, ctx)));
}

async function runHosted(source: string | (() => string), ctx: Parameters<MachineProgram>[0]) {
  {
    const { machine, node, netns } = ctx;
    const ns = (): SimNetns => {
      const n = machine.world.namespaces[netns];
      if (!n) throw new Error(`the simulated namespace "${netns}" does not exist`);
      return n;
    };
    const before = await readNodeFiles(ctx.fs as IFileSystem & { getAllPaths?(): string[] });
    const mem = toMemoryFs(before);
    const sysctls = procSysOf(ns, (change) => {
      const r = change(ns());
      machine.changed();
      return r;
    });
    const runner: HostCommandRunner = {
      async run(argv, { stdin, env }) {
        const r = await machine.exec(node, argv, { netns, env: { ...env, [NESTED]: '1' }, ...(stdin !== undefined ? { stdin } : {}) });
        if (r.code === 127 && /command not found/.test(r.stderr)) {
          throw Object.assign(new Error(`spawn ${argv[0]} ENOENT`), { code: 'ENOENT', errno: -2, syscall: `spawn ${argv[0]}`, path: argv[0] });
        }
        return { code: r.code, stdout: r.stdout, stderr: r.stderr };
      },
    };
    const r = await runBundle(typeof source === 'function' ? source() : source, {
      argv: ctx.argv.slice(1),
      env: ctx.env,
      stdin: ctx.stdin,
      fs: withProcSys(mem, sysctls),
      runner,
      filename: ctx.argv[0] ?? 'bundle.cjs',
      hostname: node,
      cwd: '/',
    });
    await writeBack(ctx.fs, before, listMemoryFs(mem));
    machine.changed();
    return r;
  }
}

export type ProgramBundles = Record<(typeof CNI_PROGRAMS)[number], string | (() => string)>;

/** Binds the plugin, the IPAM plugin and the node agent at their paths on every node. */
export function bindCniPrograms(machine: SimMachine, bundles: ProgramBundles): void {
  for (const name of CNI_PROGRAMS) machine.registerProgram(`${MACHINE_PATHS.binDir}/${name}`, hostedProgram(bundles[name]));
}
