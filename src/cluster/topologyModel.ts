// The cluster's shape (vm/topology.json, the one source of truth) and its checks. Platform-free:
// the page engine builds its simulated cluster from it in a browser; topology.ts reads the file.
import ipaddr from 'ipaddr.js';

export interface Segment {
  name: string;
  cidr: string;
}

export interface NodeInterface {
  name: string;
  segment: string;
  address: string;
}

export interface NodeSpec {
  name: string;
  role: 'worker' | 'router';
  /** Worker nodes only: the pod subnet this node hands out. */
  podSubnet?: string;
  interfaces: NodeInterface[];
  /** Default gateway on the underlay (the router), for workers. */
  gateway?: string;
}

export interface Topology {
  clusterCidr: string;
  bridge: string;
  mtu: number;
  segments: Segment[];
  nodes: NodeSpec[];
}

export interface WorkerNode extends NodeSpec {
  role: 'worker';
  podSubnet: string;
}

export class TopologyError extends Error {
  constructor(file: string, msg: string) {
    super(`invalid topology "${file}": ${msg}`);
    this.name = 'TopologyError';
  }
}

const NODE_NAME = /^[a-z][a-z0-9]{0,8}$/; // short enough for "<node>-<ifname>" switch ports (15 bytes)

export function validateTopology(t: Topology, file = 'topology'): Topology {
  const fail = (msg: string): never => {
    throw new TopologyError(file, msg);
  };
  const cidr = (s: unknown, what: string) => {
    try {
      return ipaddr.IPv4.parseCIDR(String(s));
    } catch {
      return fail(`${what} ${JSON.stringify(s)} is not an IPv4 CIDR`);
    }
  };
  const [clusterNet, clusterLen] = cidr(t.clusterCidr, '"clusterCidr"');
  if (!Array.isArray(t.segments) || !Array.isArray(t.nodes)) fail('"segments" and "nodes" must be lists');
  const segments = new Map(t.segments.map((s) => [s.name, cidr(s.cidr, `segment "${s.name}"`)]));
  const names = new Set<string>();
  const podSubnets: [ipaddr.IPv4, number, string][] = [];
  for (const n of t.nodes) {
    if (!NODE_NAME.test(n.name)) fail(`node name ${JSON.stringify(n.name)} must be 1-9 lowercase letters/digits, starting with a letter`);
    if (names.has(n.name)) fail(`node "${n.name}" is listed twice`);
    names.add(n.name);
    for (const i of n.interfaces) {
      const seg = segments.get(i.segment) ?? fail(`node "${n.name}" interface "${i.name}" names unknown segment "${i.segment}"`);
      if (!ipaddr.IPv4.isValidFourPartDecimal(i.address) || !ipaddr.IPv4.parse(i.address).match(seg)) {
        fail(`node "${n.name}" address ${i.address} is not inside segment "${i.segment}" (${ipaddr.IPv4.networkAddressFromCIDR(`${seg[0]}/${seg[1]}`)}/${seg[1]})`);
      }
    }
    if (n.role === 'worker') {
      const [net, len] = cidr(n.podSubnet, `node "${n.name}" "podSubnet"`);
      if (len < clusterLen || !net.match(clusterNet, clusterLen)) fail(`node "${n.name}" podSubnet ${n.podSubnet} is outside clusterCidr ${t.clusterCidr}`);
      for (const [o, ol, on] of podSubnets) {
        if (net.match(o, Math.min(len, ol))) fail(`pod subnets of "${on}" and "${n.name}" overlap`);
      }
      podSubnets.push([net, len, n.name]);
    } else if (n.role !== 'router') fail(`node "${n.name}" has unknown role ${JSON.stringify(n.role)}`);
  }
  return t;
}

export const workers = (t: Topology) => t.nodes.filter((n): n is WorkerNode => n.role === 'worker');

export function nodeByName(t: Topology, name: string): NodeSpec {
  const n = t.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`no node "${name}" in the topology; nodes are: ${t.nodes.map((x) => x.name).join(', ')}`);
  return n;
}

export function workerByName(t: Topology, name: string): WorkerNode {
  const n = nodeByName(t, name);
  if (n.role !== 'worker') throw new Error(`"${name}" is the ${n.role}, not a worker node: pods run on ${workers(t).map((w) => w.name).join(', ')}`);
  return n as WorkerNode;
}

export const segmentPrefixLength = (t: Topology, segment: string) => Number(t.segments.find((s) => s.name === segment)!.cidr.split('/')[1]);

/** The pod gateway: the first address of the node's pod subnet (lives on the bridge). */
export function podGateway(n: WorkerNode): string {
  const [net] = ipaddr.IPv4.parseCIDR(n.podSubnet);
  const b = net.toByteArray();
  b[3]! += 1;
  return ipaddr.fromByteArray(b).toString();
}

/** The node's address on the underlay (its first interface). */
export const underlayAddress = (n: NodeSpec) => n.interfaces[0]!.address;
