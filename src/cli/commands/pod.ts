// cnilab pod add|del|check|list: what a container runtime does for a pod's network.
import pc from 'picocolors';
import { validatePodName } from '../../cluster/podFiles.ts';
import { resyncIfPolicies } from '../../cluster/policySync.ts';
import { formatLabels, parseLabelArgs, type Labels } from '../../node/policy/labels.ts';
import { workerByName } from '../../cluster/topology.ts';
import { PluginError, RuntimeConfigError } from '../../runtime/cniRuntime.ts';
import { Pods } from '../../runtime/pods.ts';
import { openContext, requireRunningCluster, type ClusterContext, type GlobalOptions } from '../context.ts';
import { cmd, fail, info, ok, printJson, table } from '../output.ts';
import { cliT, cliErr } from '../lang.ts';

export interface PodOptions extends GlobalOptions {
  json?: boolean;
  label?: string[];
}

async function open(opts: PodOptions, node?: string, pod?: string): Promise<{ ctx: ClusterContext; pods: Pods }> {
  const ctx = await openContext(opts);
  try {
    if (node) workerByName(ctx.topology, node);
    if (pod) validatePodName(pod);
  } catch (err) {
    fail(cliErr(err));
  }
  await requireRunningCluster(ctx);
  return { ctx, pods: new Pods(ctx.driver) };
}

/** A plugin's CNI error, explained: which plugin, which code, what it said, and its log lines. */
function failPlugin(err: unknown, node: string, what: string): never {
  if (err instanceof PluginError) {
    const logs = err.stderr.trim() ? `\n${pc.dim(err.stderr.trim().split('\n').map((l) => `    ${l}`).join('\n'))}` : '';
    fail(`${cliT('cli.pod.pluginError', { what, node, plugin: err.plugin, command: err.command, code: err.code, msg: err.msg })}${logs}`);
  }
  if (err instanceof RuntimeConfigError) fail(`${what}: ${cliErr(err)}`);
  fail(`${what}: ${cliErr(err)}`);
}

/** NetworkPolicies select pods by label: when a pod comes or goes, every node's sets follow. */
async function resyncPolicies(pods: Pods) {
  try {
    await resyncIfPolicies(pods.driver);
  } catch (err) {
    fail(cliT('cli.pod.policyResync', { error: cliErr(err) }), cliT('cli.pod.policyResyncHint', { command: cmd('cnilab policy list') }));
  }
}

export async function add(node: string, pod: string, opts: PodOptions): Promise<void> {
  let labels: Labels = {};
  try {
    labels = parseLabelArgs(opts.label ?? []);
  } catch (err) {
    fail(cliErr(err));
  }
  const { pods } = await open(opts, node, pod);
  if ((await pods.list(node)).some((p) => p.name === pod)) {
    fail(cliT('cli.pod.exists', { pod, node }), cliT('cli.pod.existsHint', { command: cmd(`cnilab pod del ${node} ${pod}`) }));
  }
  let p;
  try {
    p = await pods.add(node, pod, labels);
  } catch (err) {
    failPlugin(err, node, cliT('cli.pod.addFailed', { pod }));
  }
  await resyncPolicies(pods);
  if (opts.json) return printJson(p);
  ok(
    cliT('cli.pod.up', { pod: `${node}/${pod}`, address: pc.bold(p.address ?? cliT('cli.pod.noAddress')) }) +
      `  netns ${pc.dim(p.netns)}${Object.keys(labels).length ? `  ${cliT('cli.pod.labels', { labels: formatLabels(labels) })}` : ''}`,
  );
  info(`  ${cliT('cli.pod.try', { command: cmd(`cnilab exec ${node}/${pod} -- ip addr`) })}`);
}

export async function del(node: string, pod: string, opts: PodOptions): Promise<void> {
  const { pods } = await open(opts, node, pod);
  let r;
  try {
    r = await pods.del(node, pod);
  } catch (err) {
    failPlugin(err, node, cliT('cli.pod.delFailed', { pod }));
  }
  await resyncPolicies(pods);
  if (opts.json) return printJson({ node, name: pod, existed: r.existed });
  ok(cliT(r.existed ? 'cli.pod.deleted' : 'cli.pod.notThere', { pod: `${node}/${pod}` }));
}

export async function check(node: string, pod: string, opts: PodOptions): Promise<void> {
  const { pods } = await open(opts, node, pod);
  try {
    await pods.check(node, pod);
  } catch (err) {
    if (opts.json) {
      printJson({ node, name: pod, ok: false, error: (err as Error).message });
      throw new (await import('../output.ts')).ExitError(1);
    }
    failPlugin(err, node, cliT('cli.pod.checkFailed', { pod }));
  }
  if (opts.json) return printJson({ node, name: pod, ok: true });
  ok(cliT('cli.pod.checkPassed', { pod: `${node}/${pod}` }));
}

export async function list(node: string | undefined, opts: PodOptions): Promise<void> {
  const { pods } = await open(opts, node);
  const all = await pods.list(node);
  if (opts.json) return printJson(all);
  if (all.length === 0) return info(cliT(node ? 'cli.pod.noneOn' : 'cli.pod.none', { node: node ?? '', command: cmd('cnilab pod add node1 web') }));
  const rows = [(['cli.col.node', 'cli.col.pod', 'cli.col.address', 'cli.col.labels', 'cli.col.netns'] as const).map((c) => pc.bold(cliT(c)))];
  for (const p of all) rows.push([p.node, p.name, p.address ?? pc.yellow(cliT('cli.pod.noResult')), formatLabels(p.labels ?? {}) || pc.dim('-'), pc.dim(p.netns)]);
  info(table(rows));
}
