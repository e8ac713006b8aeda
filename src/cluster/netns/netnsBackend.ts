// The netns backend: nodes are network namespaces on this machine (Linux, root).
import type { Mode } from '../../plugin/config.ts';
import type { ClusterBackend, ClusterState, Progress } from '../backend.ts';
import type { Bundles } from '../nodeFiles.ts';
import type { Topology, WorkerNode } from '../topology.ts';
import { clusterDown, clusterUp, installBundles, installNodeFiles, readState, requireNetnsSupport, writeState } from './builder.ts';
import { NetnsContainers } from './containerd.ts';
import { NetnsLayout } from './layout.ts';
import { NetnsDriver } from './netnsDriver.ts';

export class NetnsBackend implements ClusterBackend {
  readonly name = 'netns' as const;
  readonly layout: NetnsLayout;
  readonly driver: NetnsDriver;
  readonly containers: NetnsContainers;

  constructor(
    readonly topology: Topology,
    cluster: string,
  ) {
    this.layout = new NetnsLayout(cluster);
    this.driver = new NetnsDriver(topology, this.layout);
    this.containers = new NetnsContainers(topology, this.layout);
  }

  get cluster() {
    return this.layout.cluster;
  }
  requireSupport() {
    return requireNetnsSupport();
  }
  readState() {
    return readState(this.layout);
  }
  writeState(state: ClusterState) {
    writeState(this.layout, state);
  }
  up(opts: { mode: Mode; progress?: Progress }) {
    return clusterUp(this.topology, this.layout, opts);
  }
  async down(opts: { progress?: Progress } = {}) {
    // The nodes' containerds first (lab 09's): their state lives in the cluster's state dir.
    if (this.readState()) {
      opts.progress?.('stopping the nodes\' containerd');
      await this.containers.stopAll();
    }
    return clusterDown(this.layout, opts);
  }
  async installNodeFiles(n: WorkerNode, mode: Mode) {
    installNodeFiles(this.topology, this.layout, n, mode);
  }
  async installBundles(bundles: Bundles) {
    installBundles(this.topology, this.layout, bundles);
  }
}
