// What every worker node gets in its CNI dirs, derived from the topology and the plugin's config schema.
import { DEFAULTS, type Mode } from '../plugin/config.ts';
import type { ClusterFile } from '../node/clusterFile.ts';
import { podGateway, underlayAddress, workers, type Topology, type WorkerNode } from './topologyModel.ts';

export const NETWORK_NAME = 'simplecni';
export const CONF_FILE_NAME = '10-simplecni.conflist';
/** Read by `simplecni-node` on each node (its default path). */
export const CLUSTER_FILE_NAME = 'simplecni-cluster.json';
/**
 * The conflist offers both: runtimes that know `cniVersions` (libcni ≥ 1.2) pick the highest
 * they speak (1.1.0: GC, STATUS); older ones, such as Debian 12's containerd 1.6 (libcni 1.1),
 * read `cniVersion` and would reject a 1.1.0 result.
 */
export const CNI_VERSION = '1.0.0';
export const CNI_VERSIONS = ['1.0.0', '1.1.0'];

/** Where a node keeps its CNI files, as seen from inside the node. */
export interface NodePaths {
  /** Plugin binaries (CNI_PATH). */
  binDir: string;
  /** Network configs: the first file by name is the node's network. */
  confDir: string;
  ipamFile: string;
  /** The plugin's lease records. */
  dataDir: string;
  /** The runtime's cache of ADD results (libcni's /var/lib/cni/results). */
  cacheDir: string;
  /** The cluster file `simplecni-node` reads. */
  clusterFile: string;
}

/**
 * Where a machine of its own (a VM, a host over ssh) keeps its CNI files: the standard places,
 * which containerd and every CNI runtime look in too.
 */
export const VM_PATHS: NodePaths = {
  binDir: '/opt/cni/bin',
  confDir: '/etc/cni/net.d',
  ipamFile: '/etc/cni/ipam.config',
  dataDir: '/var/lib/cni/simplecni',
  cacheDir: '/var/lib/cni/results',
  clusterFile: `/etc/cni/${CLUSTER_FILE_NAME}`,
};

/** The node's IPAM file: the seed's format when the subnet falls on an octet boundary, else the CIDR form. */
export function renderIpamFile(node: WorkerNode): string {
  const [network, len] = node.podSubnet.split('/') as [string, string];
  const gateway = podGateway(node);
  const octets = Number(len) / 8;
  if (Number.isInteger(octets) && octets >= 1 && octets <= 3) {
    const prefix = network.split('.').slice(0, octets).join('.') + '.';
    return JSON.stringify({ Subnet: network, SubnetPrefix: prefix, Gateway: gateway, IPIndex: '1' }) + '\n';
  }
  return JSON.stringify({ Subnet: node.podSubnet, Gateway: gateway }) + '\n';
}

export function renderConflist(t: Topology, paths: NodePaths, mode: Mode, ipMasq = DEFAULTS.ipMasq): string {
  const conf = {
    cniVersion: CNI_VERSION,
    cniVersions: CNI_VERSIONS,
    name: NETWORK_NAME,
    plugins: [
      {
        type: 'simplecni',
        bridge: t.bridge,
        subnet: t.clusterCidr,
        ipamFile: paths.ipamFile,
        dataDir: paths.dataDir,
        mtu: t.mtu,
        ipMasq,
        mode,
      },
    ],
  };
  return JSON.stringify(conf, null, 2) + '\n';
}

/** The cluster file every node's `simplecni-node` reads: each worker's underlay address and pod subnet. */
export function renderClusterFile(t: Topology, mode: Mode): string {
  const file: ClusterFile = {
    clusterCidr: t.clusterCidr,
    mtu: t.mtu,
    mode,
    nodes: workers(t).map((n) => ({ name: n.name, ip: underlayAddress(n), podSubnet: n.podSubnet })),
  };
  return JSON.stringify(file, null, 2) + '\n';
}
