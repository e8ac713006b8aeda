// cnilab exec <node>[/<pod>] -- <cmd…> and cnilab shell <node>: a command or a shell on a node.
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { nodeByName, workerByName } from '../../cluster/topology.ts';
import { openContext, requireRunningCluster, type GlobalOptions } from '../context.ts';
import { ExitError, fail } from '../output.ts';
import { cliT, cliErr } from '../lang.ts';

/**
 * Runs argv on the terminal. A TERM or HUP for this process is passed on to the command (`kill %1`
 * of a `cnilab exec … &` ends what runs on the node, not only the client); the command's end is
 * this one's. (A terminal's ^C reaches both already: they share the foreground process group.)
 */
function runInteractive(argv: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    for (const sig of ['SIGTERM', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
    child.on('error', (e) => {
      process.stderr.write(`${cliT('cli.exec.couldNotRun', { program: argv[0]!, error: e.message })}\n`);
      resolve(127);
    });
    // Ended by a signal: 128 + its number, as a shell reports it.
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1)));
  });
}

/**
 * exec passes everything after its target to the node; the line's own options may still sit between
 * the target and `--` (`cnilab exec node1 --cluster nc -- ip route`).
 */
export function splitLineOptions(argv: string[]): { options: GlobalOptions; command: string[] } {
  const end = argv.indexOf('--');
  if (end <= 0) return { options: {}, command: argv };
  const options: GlobalOptions = {};
  for (let i = 0; i < end; i++) {
    const m = /^--(cluster|topology)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) return { options: {}, command: argv };
    const value = m[2] ?? argv[++i];
    if (value === undefined || i >= end) return { options: {}, command: argv };
    options[m[1] as 'cluster' | 'topology'] = value;
  }
  return { options, command: argv.slice(end) };
}

export async function exec(target: string, rawArgv: string[], opts: GlobalOptions): Promise<void> {
  const argv = rawArgv[0] === '--' ? rawArgv.slice(1) : rawArgv;
  if (argv.length === 0) fail(cliT('cli.exec.nothing'), cliT('cli.exec.nothingHint', { command: 'cnilab exec node1 -- ip route' }));
  const ctx = await openContext(opts);
  const [node, pod] = target.split('/') as [string, string | undefined];
  try {
    if (pod !== undefined) workerByName(ctx.topology, node);
    else nodeByName(ctx.topology, node);
  } catch (err) {
    fail(cliErr(err));
  }
  await requireRunningCluster(ctx);
  let full: string[];
  if (pod !== undefined) {
    if (!(await ctx.driver.listPodNetns(node)).some((p) => p.pod === pod)) fail(cliT('cli.exec.noPod', { pod, node }), cliT('cli.exec.seePods', { command: `cnilab pod list ${node}` }));
    full = ctx.driver.podExecArgv(node, pod, argv);
  } else {
    full = ctx.driver.nodeExecArgv(node, argv);
  }
  const code = await runInteractive(full);
  if (code !== 0) throw new ExitError(code);
}

export async function shell(node: string, opts: GlobalOptions & { envJson?: boolean }): Promise<void> {
  const ctx = await openContext(opts);
  try {
    nodeByName(ctx.topology, node);
  } catch (err) {
    fail(cliErr(err));
  }
  await requireRunningCluster(ctx);
  if (opts.envJson) {
    if (!ctx.driver.shellEnv) fail(cliT('cli.shell.noEnv', { backend: ctx.driver.backend }), cliT('cli.shell.openIt', { command: `cnilab shell ${node}` }));
    process.stdout.write(JSON.stringify(ctx.driver.shellEnv(node)) + '\n');
    return;
  }
  process.stderr.write(`${cliT('cli.shell.banner', { node })}\n`);
  const code = await runInteractive(ctx.driver.shellArgv(node));
  if (code !== 0) throw new ExitError(code);
}
