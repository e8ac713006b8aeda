// cnilab cluster up|down|status
import pc from 'picocolors';
import { applyDataplane, DataplaneError, describeDataplane, type NodeApply } from '../../cluster/dataplane.ts';
import { BackendUnavailableError } from '../../cluster/backend.ts';
import { collectStatus } from '../../cluster/status.ts';
import { workers } from '../../cluster/topology.ts';
import { DEFAULTS, MODES, type Mode } from '../../plugin/config.ts';
import { openContext, requireRunningCluster, type ClusterContext, type GlobalOptions } from '../context.ts';
import { cmd, fail, info, ok, printJson, Progress, table, warn } from '../output.ts';
import { cliLang, cliT, cliErr } from '../lang.ts';
import { t } from '../../i18n/index.ts';

export interface UpOptions extends GlobalOptions {
  mode?: string;
  json?: boolean;
}

export async function up(opts: UpOptions): Promise<void> {
  const ctx = await openContext(opts);
  const mode = (opts.mode ?? ctx.backend.readState()?.mode ?? DEFAULTS.mode) as Mode;
  if (!(MODES as readonly string[]).includes(mode)) fail(cliT('cli.mode.unknown', { mode }), cliT('cli.mode.choose', { modes: MODES.join(', ') }));
  const progress = new Progress(opts.json);
  let res;
  try {
    res = await ctx.backend.up({ mode, progress: progress.step });
  } catch (err) {
    progress.done();
    if (err instanceof BackendUnavailableError) fail(cliErr(err));
    fail(cliT('cli.up.failed', { error: cliErr(err) }), cliT('cli.up.failedHint', { command: cmd('cnilab cluster down') }));
  } finally {
    progress.done();
  }
  const dataplane = await applyOrFail(ctx, mode);
  const status = await collectStatus(ctx.driver);
  if (opts.json) return printJson({ cluster: ctx.backend.cluster, created: res.created, mode, ...status, dataplane });
  const cluster = ctx.backend.cluster;
  ok(res.created ? cliT('cli.up.done', { cluster, backend: ctx.backend.name, mode }) : cliT('cli.up.already', { cluster, mode }));
  printStatus(status);
  printDataplane(dataplane, false);
  info(`\n${cliT('cli.up.next', { commands: `${cmd('cnilab pod add node1 web')} · ${cmd('cnilab shell node1')} · ${cmd('cnilab cluster status')}` })}`);
}

async function applyOrFail(ctx: ClusterContext, mode: Mode, dryRun = false): Promise<NodeApply[]> {
  try {
    return await applyDataplane(ctx.driver, { mode, dryRun });
  } catch (err) {
    if (err instanceof DataplaneError) fail(cliT('cli.mode.programFailed', { mode, error: cliErr(err) }));
    throw err;
  }
}

/** cnilab cluster mode <mode>: switch every node's data plane (routes, tunnels, pod MTU for new pods). */
export async function mode(newMode: string, opts: GlobalOptions & { json?: boolean; dryRun?: boolean }): Promise<void> {
  const ctx = await openContext(opts);
  if (!(MODES as readonly string[]).includes(newMode)) fail(cliT('cli.mode.unknown', { mode: newMode }), cliT('cli.mode.choose', { modes: MODES.join(', ') }));
  await requireRunningCluster(ctx);
  const m = newMode as Mode;
  if (opts.dryRun) {
    const plan = await applyOrFail(ctx, m, true);
    if (opts.json) return printJson({ cluster: ctx.backend.cluster, mode: m, dryRun: true, dataplane: plan });
    return printDataplane(plan, true);
  }
  const state = ctx.backend.readState()!;
  let dataplane: NodeApply[];
  try {
    dataplane = await applyDataplane(ctx.driver, { mode: m });
  } catch (err) {
    if (!(err instanceof DataplaneError)) throw err;
    // Put back what the nodes that did switch had, so the cluster stays in one mode.
    await applyDataplane(ctx.driver, { mode: state.mode }).catch(() => {});
    fail(cliT('cli.mode.switchFailed', { mode: m, error: cliErr(err) }), cliT('cli.mode.stays', { mode: state.mode }));
  }
  // Only now that every node switched: new pods get the new mode's MTU, and the cluster file records it.
  for (const n of workers(ctx.topology)) await ctx.backend.installNodeFiles(n, m);
  ctx.backend.writeState({ ...state, mode: m });
  if (opts.json) return printJson({ cluster: ctx.backend.cluster, mode: m, previous: state.mode, dataplane });
  ok(cliT('cli.mode.switched', { from: state.mode, to: m, mtu: dataplane[0]?.podMtu ?? '?' }));
  printDataplane(dataplane, false);
  info(cliT('cli.mode.oldPods'));
}

function printDataplane(nodes: NodeApply[], dryRun: boolean) {
  for (const l of describeDataplane(nodes, dryRun, pc, (x) => t(cliLang(), x))) (l.level === 'warn' ? warn : info)(l.text);
}

export async function down(opts: GlobalOptions & { json?: boolean }): Promise<void> {
  const ctx = await openContext(opts);
  const progress = new Progress(opts.json);
  let res;
  try {
    res = await ctx.backend.down({ progress: progress.step });
  } catch (err) {
    progress.done();
    if (err instanceof BackendUnavailableError) fail(cliErr(err));
    // e.g. `vagrant destroy` failing: what it said, and that running down again is safe.
    fail(cliT('cli.down.failed', { error: cliErr(err) }), cliT('cli.down.failedHint', { command: cmd('cnilab cluster down') }));
  } finally {
    progress.done();
  }
  if (opts.json) return printJson({ cluster: ctx.backend.cluster, ...res });
  const cluster = ctx.backend.cluster;
  if (res.removed.length === 0) return ok(cliT('cli.down.notUp', { cluster }));
  const what = ({ netns: 'cli.down.namespaces', sim: 'cli.down.namespaces', vagrant: 'cli.down.vms', ssh: 'cli.down.pods' } as const)[ctx.backend.name];
  ok(cliT('cli.down.done', { cluster, what: cliT(what, { n: res.removed.length }) }));
  for (const b of res.busy) {
    warn(cliT('cli.down.busy', { ns: b.ns, pids: b.pids.join(', ') }));
  }
}

export async function status(opts: GlobalOptions & { json?: boolean }): Promise<void> {
  const ctx = await openContext(opts);
  await requireRunningCluster(ctx);
  const state = ctx.backend.readState()!;
  const st = await collectStatus(ctx.driver);
  const healthy = st.nodes.every((n) => n.reachable && n.underlay.every((u) => u.up)) && underlayHealthy(ctx, st);
  if (opts.json) return printJson({ cluster: ctx.backend.cluster, backend: state.backend, mode: state.mode, healthy, ...st });
  info(cliT('cli.status.head', { cluster: ctx.backend.cluster, backend: state.backend, mode: state.mode, since: state.createdAt }));
  printStatus(st);
  if (!healthy) fail(cliT('cli.status.unhealthy'), cliT('cli.status.unhealthyHint', { down: cmd('cnilab cluster down'), up: cmd('cnilab cluster up') }));
}

/** Every worker must reach every other node on the underlay (through the router for the far segment). */
function underlayHealthy(ctx: ClusterContext, st: Awaited<ReturnType<typeof collectStatus>>) {
  return st.underlay.length === workers(ctx.topology).length * (ctx.topology.nodes.length - 1) && st.underlay.every((p) => p.ok);
}

function printStatus(st: Awaited<ReturnType<typeof collectStatus>>) {
  const mark = (b: boolean) => (b ? pc.green('✓') : pc.red('✗'));
  const rows = [(['cli.col.node', 'cli.col.role', 'cli.col.underlay', 'cli.col.podSubnet', 'cli.col.pods'] as const).map((c) => pc.bold(cliT(c)))];
  for (const n of st.nodes) {
    rows.push([
      `${mark(n.reachable)} ${n.name}`,
      n.role,
      n.underlay.map((u) => `${u.ifname} ${u.address} ${mark(u.up)}`).join(', '),
      n.podSubnet ?? '—',
      n.role === 'worker' ? String(n.pods) : '—',
    ]);
  }
  info(table(rows));
  const failed = st.underlay.filter((p) => !p.ok);
  info(
    failed.length === 0
      ? `${pc.green('✓')} ${cliT('cli.status.underlayOk', { n: st.underlay.length })}`
      : `${pc.red('✗')} ${cliT('cli.status.underlayBad', { paths: failed.map((p) => `${p.from} → ${p.to} (${p.address})`).join(', ') })}`,
  );
}
