// A whole test cluster (node1..3, router, segments) under a unique name, torn down by `down`.
import * as path from 'node:path';
import { applyDataplane } from '../../src/cluster/dataplane.ts';
import { clusterDown, clusterUp } from '../../src/cluster/netns/builder.ts';
import { NetnsLayout } from '../../src/cluster/netns/layout.ts';
import { NetnsDriver } from '../../src/cluster/netns/netnsDriver.ts';
import { loadTopology } from '../../src/cluster/topology.ts';
import { execCommand, type ExecResult } from '../../src/shared/exec.ts';
import { Pods } from '../../src/runtime/pods.ts';
import { uniqueName } from './names.ts';

export interface TestCluster {
  name: string;
  layout: NetnsLayout;
  driver: NetnsDriver;
  pods: Pods;
  down(): Promise<void>;
}

export async function startTestCluster(mode: 'host-gw' | 'ipip' | 'ipip-crosssubnet' | 'vxlan' = 'host-gw'): Promise<TestCluster> {
  const name = uniqueName();
  const layout = new NetnsLayout(name);
  const topology = loadTopology();
  try {
    await clusterUp(topology, layout, { mode });
    await applyDataplane(new NetnsDriver(topology, layout), { mode });
  } catch (err) {
    await clusterDown(layout);
    throw err;
  }
  const driver = new NetnsDriver(topology, layout);
  return { name, layout, driver, pods: new Pods(driver), down: async () => void (await clusterDown(layout)) };
}

const CLI = path.resolve('bin/cnilab');

/** Runs the real CLI, as a person would (no TTY: plain progress lines). */
export function cnilab(args: string[], opts: { input?: string } = {}): Promise<ExecResult> {
  return execCommand([CLI, ...args], { ...opts, env: { NO_COLOR: '1', FORCE_COLOR: '0' } });
}
