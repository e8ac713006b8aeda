// Opens the cluster a command works on: the topology, its backend and node driver.
import { BackendUnavailableError, type ClusterBackend } from '../cluster/backend.ts';
import { chooseBackend, ClusterNameError } from '../cluster/backends.ts';
import type { NodeDriver } from '../cluster/driver.ts';
import { DEFAULT_CLUSTER } from '../cluster/netns/layout.ts';
import { loadTopology, TopologyError, type Topology } from '../cluster/topology.ts';
import { cmd, fail, warn } from './output.ts';
import { cliErr, cliLang, cliT } from './lang.ts';
import { t } from '../i18n/index.ts';

export interface GlobalOptions {
  cluster?: string;
  topology?: string;
  backend?: string;
  inventory?: string;
}

export interface ClusterContext {
  topology: Topology;
  backend: ClusterBackend;
  driver: NodeDriver;
}

export async function openContext(opts: GlobalOptions, { quiet = false } = {}): Promise<ClusterContext> {
  let topology: Topology;
  let backend: ClusterBackend;
  try {
    topology = loadTopology(opts.topology);
    const choice = await chooseBackend(topology, opts.cluster ?? process.env.SIMPLECNI_CLUSTER ?? DEFAULT_CLUSTER, opts.backend ?? (process.env.SIMPLECNI_BACKEND || undefined), opts.inventory ? { inventory: opts.inventory } : {});
    backend = choice.backend;
    if (choice.fallback && !quiet) {
      warn(`${choice.fallback.replace(/\.$/, '')}.\n  ${cliT('cli.backend.simFallback')}`);
    }
  } catch (err) {
    if (err instanceof TopologyError) fail(cliErr(err), cliT('cli.topology.hint'));
    if (err instanceof ClusterNameError) fail(cliErr(err), t(cliLang(), err.hint));
    fail(cliErr(err));
  }
  return { topology, backend, driver: backend.driver };
}

/** For commands that need a running cluster: a clear message instead of a cryptic ip error. */
export async function requireRunningCluster(ctx: ClusterContext): Promise<void> {
  try {
    await ctx.backend.requireSupport();
  } catch (err) {
    if (err instanceof BackendUnavailableError) fail(cliErr(err));
    throw err;
  }
  const state = ctx.backend.readState();
  if (!state?.complete) {
    const flag = ctx.backend.cluster === DEFAULT_CLUSTER ? '' : ` --cluster ${ctx.backend.cluster}`;
    fail(cliT('cli.cluster.notUp', { cluster: ctx.backend.cluster }), cliT('cli.cluster.startHint', { command: cmd(`cnilab cluster up${flag}`) }));
  }
}
