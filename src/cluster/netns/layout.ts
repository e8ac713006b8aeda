// Names and paths of one netns cluster. Everything the cluster makes is named from here,
// so `down` can remove exactly what `up` made and nothing else.
import * as path from 'node:path';
import type { NodePaths } from '../nodeConfig.ts';
import { msg, TextError } from '../../i18n/text.ts';

export const STATE_ROOT = '/run/simplecni-lab';
export const DEFAULT_CLUSTER = 'lab';
const CLUSTER_NAME = /^[a-z][a-z0-9]{0,11}$/;

export function validateClusterName(name: string): string {
  if (!CLUSTER_NAME.test(name)) {
    throw new TextError(msg('err.cluster.badName', { name: JSON.stringify(name) }));
  }
  return name;
}

export class NetnsLayout {
  constructor(public readonly cluster: string) {
    validateClusterName(cluster);
  }

  /** The default cluster's namespaces are plainly "node1", "router"…; others are prefixed "<cluster>-". */
  get prefix(): string {
    return this.cluster === DEFAULT_CLUSTER ? '' : `${this.cluster}-`;
  }
  nodeNs(node: string) {
    return `${this.prefix}${node}`;
  }
  /** A segment is a namespace holding one bridge: the L2 switch its nodes plug into. */
  segmentNs(segment: string) {
    return `${this.prefix}seg-${segment}`;
  }
  get stateDir() {
    return path.join(STATE_ROOT, this.cluster);
  }
  get stateFile() {
    return path.join(this.stateDir, 'cluster.json');
  }
  /** A private mount holding the files that pin each node's mount namespace. */
  get mntDir() {
    return path.join(this.stateDir, 'mnt');
  }
  /** The node's own mount namespace (its /etc/cni, its /sys, the namespaces made inside it), pinned to a file. */
  nodeMntNs(node: string) {
    return path.join(this.mntDir, node);
  }
  nodeDir(node: string) {
    return path.join(this.stateDir, 'nodes', node);
  }
  /** Host path that `ip netns exec` binds over /etc/cni inside the node. */
  etcCniDir(node: string) {
    return path.join('/etc/netns', this.nodeNs(node), 'cni');
  }
  podNetnsDir(node: string) {
    return path.join(this.nodeDir(node), 'netns');
  }
  podNetnsPath(node: string, pod: string) {
    return path.join(this.podNetnsDir(node), pod);
  }
  /** Per-node CNI paths as seen inside the node. /etc/cni is the node's own; /run paths are per node by name. */
  nodePaths(node: string): NodePaths {
    return {
      binDir: '/etc/cni/bin',
      confDir: '/etc/cni/net.d',
      ipamFile: '/etc/cni/ipam.config',
      dataDir: path.join(this.nodeDir(node), 'ipam'),
      cacheDir: path.join(this.nodeDir(node), 'results'),
      clusterFile: '/etc/cni/simplecni-cluster.json',
    };
  }
}

export type { ClusterState } from '../backend.ts';
