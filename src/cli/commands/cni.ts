// cnilab cni <COMMAND>: one raw plugin invocation with explicit CNI_* env, exactly as a runtime makes it.
import * as fs from 'node:fs';
import { workerByName } from '../../cluster/topology.ts';
import { COMMANDS } from '../../plugin/env.ts';
import { CniRuntime, injectConf } from '../../runtime/cniRuntime.ts';
import { POD_IFNAME } from '../../runtime/pods.ts';
import { openContext, requireRunningCluster, type GlobalOptions } from '../context.ts';
import { ExitError, fail, info } from '../output.ts';
import { cliT, cliErr } from '../lang.ts';

export interface CniOptions extends GlobalOptions {
  node: string;
  pod?: string;
  type?: string;
  netns?: string;
  containerId?: string;
  ifname?: string;
  cniArgs?: string;
  config?: string;
  env?: string[];
  show?: boolean;
}

export async function run(command: string, opts: CniOptions): Promise<void> {
  const upper = command.toUpperCase();
  if (!(COMMANDS as readonly string[]).includes(upper)) fail(cliT('cli.cni.unknown', { command }), cliT('cli.cni.useOne', { commands: COMMANDS.join(', ') }));
  const ctx = await openContext(opts);
  try {
    workerByName(ctx.topology, opts.node);
  } catch (err) {
    fail(cliErr(err));
  }
  await requireRunningCluster(ctx);
  const runtime = new CniRuntime(ctx.driver);

  let conf: Record<string, unknown> = {};
  let rawStdin: string | undefined;
  if (opts.config) {
    rawStdin = opts.config === '-' ? fs.readFileSync(0, 'utf8') : readOrFail(opts.config);
    try {
      conf = JSON.parse(rawStdin); // only to find the plugin "type"; the text is sent as written
    } catch {
      // Sent anyway: seeing the plugin's decode error is part of learning the contract.
    }
  } else {
    const list = await runtime.loadNetwork(opts.node);
    conf = injectConf(list, list.plugins[0]!, undefined);
  }

  if (opts.type) conf = { ...conf, type: opts.type };
  const env: Record<string, string> = { CNI_COMMAND: upper };
  if (opts.pod) {
    const p = (await ctx.driver.listPodNetns(opts.node)).find((x) => x.pod === opts.pod);
    if (!p) fail(cliT('cli.exec.noPod', { pod: opts.pod, node: opts.node }));
    env.CNI_NETNS = p.netns;
    env.CNI_CONTAINERID = opts.pod;
  }
  if (opts.netns !== undefined) env.CNI_NETNS = opts.netns;
  if (opts.containerId !== undefined) env.CNI_CONTAINERID = opts.containerId;
  env.CNI_IFNAME = opts.ifname ?? POD_IFNAME;
  if (opts.cniArgs !== undefined) env.CNI_ARGS = opts.cniArgs;
  for (const kv of opts.env ?? []) {
    const i = kv.indexOf('=');
    if (i < 1) fail(cliT('cli.cni.badEnv', { value: kv }));
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  if (opts.show) {
    const stdin = rawStdin ?? JSON.stringify(conf);
    process.stderr.write(`${cliT('cli.cni.onNode', { node: opts.node })}\n${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')} ${String(conf.type ?? 'simplecni')} <<'EOF'\n${stdin.trimEnd()}\nEOF\n`);
  }
  const r = await runtime.exec(opts.node, conf, env, rawStdin);
  if (r.stdout) info(r.stdout.trimEnd());
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.code !== 0) throw new ExitError(r.code);
}

function readOrFail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    fail(cliT('cli.cni.cannotRead', { file, error: cliErr(err) }));
  }
}
