// A whole test cluster (node1..3, router, segments) under a unique name, torn down by `down`.
import * as path from 'node:path';
import { applyDataplane } from '../../src/cluster/dataplane.ts';
import type { ClusterBackend } from '../../src/cluster/backend.ts';
import { NetnsBackend } from '../../src/cluster/netns/netnsBackend.ts';
import type { NetnsLayout } from '../../src/cluster/netns/layout.ts';
import type { NetnsDriver } from '../../src/cluster/netns/netnsDriver.ts';
import { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { loadTopology } from '../../src/cluster/topology.ts';
import type { LabEnv } from '../../src/labs/actions.ts';
import { execCommand, type ExecResult } from '../../src/shared/exec.ts';
import { Pods } from '../../src/runtime/pods.ts';
import { uniqueName } from './names.ts';

type Mode = 'host-gw' | 'ipip' | 'ipip-crosssubnet' | 'vxlan';

export interface Cluster<B extends ClusterBackend> {
  name: string;
  backend: B;
  driver: B['driver'];
  /** What the lab actions and checks take. */
  env: LabEnv;
  pods: Pods;
  down(): Promise<void>;
}

export interface TestCluster extends Cluster<NetnsBackend> {
  layout: NetnsLayout;
  driver: NetnsDriver;
}

async function start<B extends ClusterBackend>(backend: B, mode: Mode): Promise<Cluster<B>> {
  try {
    await backend.up({ mode });
    await applyDataplane(backend.driver, { mode });
  } catch (err) {
    await backend.down();
    throw err;
  }
  const env: LabEnv = { topology: backend.topology, backend, driver: backend.driver };
  return { name: backend.cluster, backend, driver: backend.driver, env, pods: new Pods(backend.driver), down: async () => void (await backend.down()) };
}

/** A netns cluster (real kernel) under a unique name. */
export async function startTestCluster(mode: Mode = 'host-gw'): Promise<TestCluster> {
  const backend = new NetnsBackend(loadTopology(), uniqueName());
  const c = await start(backend, mode);
  return { ...c, layout: backend.layout, driver: backend.driver };
}

/** A cluster on the simulated kernel under a unique name (its files under a temp root of the test's). */
export async function startSimCluster(mode: Mode = 'host-gw'): Promise<Cluster<SimBackend>> {
  return start(new SimBackend(loadTopology(), uniqueName()), mode);
}

const CLI = path.resolve('bin/cnilab');

/** Runs the real CLI, as a person would (no TTY: plain progress lines). */
export function cnilab(args: string[], opts: { input?: string } = {}): Promise<ExecResult> {
  return execCommand([CLI, ...args], { ...opts, env: { NO_COLOR: '1', FORCE_COLOR: '0' } });
}
