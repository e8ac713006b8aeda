// Bundled programs (the plugin, the IPAM plugin, the node agent, a student's build) on a simulated
// node, run by the plugin host instead of a Node.js process: their files are this machine's (where
// the sim node's files are laid out), /proc/sys is the node's simulated kernel, and every command
// they spawn — ip, sysctl, nft, nsenter… — runs in this thread against the world, as the sim
// driver runs them. Anything else they spawn is a real process on the node, as before.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startBundle, type HostedProcess } from '../../host/runBundle.ts';
import { withProcSys } from '../../host/procSys.ts';
import { diskFs } from '../../host/node/diskFs.ts';
import { withMounts, type PathMount } from '../../host/mounts.ts';
import type { HostCommandRunner, RunResult } from '../../host/types.ts';
import { bundleOfShim } from '../../shared/bundleShim.ts';
import { isSimCommand } from '../core/commands.ts';
import { namespaceFilesOf } from '../core/command.ts';
import { procSysOf } from '../core/sysctl.ts';
import { runSimChain } from './chain.ts';
import { SIM_ENV } from './env.ts';
import { readWorld, updateWorldSync } from './store.ts';
import type { World } from '../core/model.ts';

/** One run of a bundled program on a simulated node. */
export interface SimProgramJob {
  /** The .cjs file on this machine. */
  bundle: string;
  /** Its arguments (process.argv.slice(2)). */
  argv: string[];
  env: Record<string, string>;
  stdin: string;
  /** The world's state file, the namespace the program runs in, and its node. */
  file: string;
  ns: string;
  node?: string;
  /** The node's view of the texts' paths (/etc/cni…), as its shell has them: [target, source]. */
  mounts?: readonly PathMount[];
}

export interface SimProgramHooks {
  pid: number;
  /** May this thread block on the world's lock (a worker, or a process of its own)? Then commands are cheaper. */
  blocking?: boolean;
  isAlive(pid: number): boolean;
  onStdout?(text: string): void;
  onStderr?(text: string): void;
}

/** If argv runs a bundle through its shim (`<binDir>/<name>` → `<binDir>/<name>.cjs`), that bundle. */
export function bundleOf(argv: readonly string[]): string | undefined {
  const prog = argv[0];
  if (!prog || !path.isAbsolute(prog)) return undefined;
  try {
    const st = fs.statSync(prog);
    if (!st.isFile() || st.size > 4096) return undefined;
    return bundleOfShim(fs.readFileSync(prog, 'utf8'));
  } catch {
    return undefined;
  }
}

const sources = new Map<string, { key: string; text: string }>();

/** The bundle's text, read again only when the file changed (a deploy replaces it). */
function source(file: string): string {
  const st = fs.statSync(file);
  const key = `${st.mtimeMs}:${st.size}:${st.ino}`;
  const hit = sources.get(file);
  if (hit?.key === key) return hit.text;
  const text = fs.readFileSync(file, 'utf8');
  sources.set(file, { key, text });
  return text;
}

/** A standard path of one of the kernel's programs (/usr/sbin/ip, /sbin/sysctl) is the simulated one. */
const SYSTEM_BIN = /^\/(?:usr\/)?(?:local\/)?s?bin\/([^/]+)$/;
const simName = (prog: string) => {
  const m = SYSTEM_BIN.exec(prog);
  return m && isSimCommand(m[1]!) ? m[1]! : prog;
};

export function startOnSimNode(job: SimProgramJob, hooks: SimProgramHooks): HostedProcess {
  const nsOf = (w: World) => {
    const n = w.namespaces[job.ns];
    if (!n) throw new Error(`the simulated namespace "${job.ns}" does not exist (was the cluster taken down?)`);
    return n;
  };
  const sysctls = procSysOf(
    () => nsOf(readWorld(job.file)),
    (change) => updateWorldSync(job.file, (w) => change(nsOf(w))),
  );
  let nested = 0;
  const runner: HostCommandRunner = {
    async run(argv0, { stdin, env }) {
      const argv = [simName(argv0[0] ?? ''), ...argv0.slice(1)];
      let stdout = '';
      let stderr = '';
      const end = await runSimChain({ file: job.file, ns: job.ns, node: job.node, argv, stdin: () => stdin, sync: hooks.blocking }, (r) => {
        stdout += r.stdout;
        stderr += r.stderr;
      });
      if ('code' in end) return { code: end.code, stdout, stderr };
      if (end.exec.argv.length === 0) return { code: 0, stdout, stderr }; // a shell without a terminal: nothing to run
      const simEnv = { ...env, [SIM_ENV.state]: job.file, [SIM_ENV.netns]: end.exec.ns, ...(job.node ? { [SIM_ENV.node]: job.node } : {}) };
      const bundle = bundleOf(end.exec.argv);
      const r = bundle
        ? // Another bundled program (a plugin delegating to its IPAM plugin): hosted here too.
          await startOnSimNode(
            { ...job, bundle, argv: end.exec.argv.slice(1), env: simEnv, stdin: stdin ?? '', ns: end.exec.ns },
            { pid: hooks.pid + (++nested % 15) + 1, isAlive: hooks.isAlive, blocking: hooks.blocking },
          ).result
        : await runProcess(end.exec.argv, stdin, simEnv);
      return { code: r.code, stdout: stdout + r.stdout, stderr: stderr + r.stderr };
    },
  };
  return startBundle(source(job.bundle), {
    argv: job.argv,
    env: job.env,
    stdin: job.stdin,
    fs: withProcSys(withMounts(diskFs(), job.mounts ?? []), sysctls, () => namespaceFilesOf(readWorld(job.file), job.node)),
    runner,
    filename: job.bundle,
    pid: hooks.pid,
    hostname: job.node,
    nodeVersion: process.version,
    isAlive: hooks.isAlive,
    onStdout: hooks.onStdout,
    onStderr: hooks.onStderr,
    cwd: '/',
  });
}

/** A program of the machine's (sh, cat…) as a process on the node; a missing one rejects with ENOENT, as spawn reports it. */
function runProcess(argv: readonly string[], stdin: string | undefined, env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 + 15 : 1), stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    if (child.stdin) {
      child.stdin.on('error', () => {});
      child.stdin.end(stdin);
    }
  });
}

/** Is a real process alive (process.kill(pid, 0))? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

