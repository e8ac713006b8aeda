// Opens the cluster a command works on: the topology, the backend's layout and node driver.
import type { NodeDriver } from '../cluster/driver.ts';
import { BackendUnavailableError, readState, requireNetnsSupport } from '../cluster/netns/builder.ts';
import { DEFAULT_CLUSTER, NetnsLayout } from '../cluster/netns/layout.ts';
import { NetnsDriver } from '../cluster/netns/netnsDriver.ts';
import { loadTopology, TopologyError, type Topology } from '../cluster/topology.ts';
import { cmd, fail } from './output.ts';

export interface GlobalOptions {
  cluster?: string;
  topology?: string;
  backend?: string;
}

export interface ClusterContext {
  topology: Topology;
  layout: NetnsLayout;
  driver: NodeDriver;
}

export function openContext(opts: GlobalOptions): ClusterContext {
  if (opts.backend && opts.backend !== 'netns') {
    fail(`backend "${opts.backend}" is not available yet`, `use ${cmd('--backend netns')} (Linux, root)`);
  }
  let topology: Topology;
  let layout: NetnsLayout;
  try {
    topology = loadTopology(opts.topology);
    layout = new NetnsLayout(opts.cluster ?? process.env.SIMPLECNI_CLUSTER ?? DEFAULT_CLUSTER);
  } catch (err) {
    if (err instanceof TopologyError) fail(err.message, 'fix the file, or point --topology at another one');
    fail((err as Error).message);
  }
  return { topology, layout, driver: new NetnsDriver(topology, layout) };
}

/** For commands that need a running cluster: a clear message instead of a cryptic ip error. */
export async function requireRunningCluster(ctx: ClusterContext): Promise<void> {
  try {
    await requireNetnsSupport();
  } catch (err) {
    if (err instanceof BackendUnavailableError) fail(err.message);
    throw err;
  }
  const state = readState(ctx.layout);
  if (!state?.complete) {
    const flag = ctx.layout.cluster === DEFAULT_CLUSTER ? '' : ` --cluster ${ctx.layout.cluster}`;
    fail(`the cluster "${ctx.layout.cluster}" is not up`, `start it with ${cmd(`cnilab cluster up${flag}`)}`);
  }
}
