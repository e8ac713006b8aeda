// The cluster's shape (vm/topology.json, the one source of truth) and its checks. Platform-free:
// the page engine builds its simulated cluster from it in a browser; topology.ts reads the file.
import ipaddr from 'ipaddr.js';
import { msg, TextError, type Text } from '../i18n/text.ts';

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

export class TopologyError extends TextError {
  constructor(file: string, detail: Text) {
    super(msg('err.topology.invalid', { file, error: detail }));
    this.name = 'TopologyError';
  }
}

const NODE_NAME = /^[a-z][a-z0-9]{0,8}$/; // short enough for "<node>-<ifname>" switch ports (15 bytes)

export function validateTopology(t: Topology, file = 'topology'): Topology {
  const fail = (detail: Text): never => {
    throw new TopologyError(file, detail);
  };
  const cidr = (s: unknown, what: Text) => {
    try {
      return ipaddr.IPv4.parseCIDR(String(s));
    } catch {
      return fail(msg('err.topology.notCidr', { what, value: JSON.stringify(s) }));
    }
  };
  const [clusterNet, clusterLen] = cidr(t.clusterCidr, '"clusterCidr"');
  if (!Array.isArray(t.segments) || !Array.isArray(t.nodes)) fail(msg('err.topology.lists'));
  const segments = new Map(t.segments.map((s) => [s.name, cidr(s.cidr, msg('err.topology.segment', { segment: s.name }))]));
  const names = new Set<string>();
  const podSubnets: [ipaddr.IPv4, number, string][] = [];
  for (const n of t.nodes) {
    if (!NODE_NAME.test(n.name)) fail(msg('err.topology.nodeName', { name: JSON.stringify(n.name) }));
    if (names.has(n.name)) fail(msg('err.topology.twice', { node: n.name }));
    names.add(n.name);
    for (const i of n.interfaces) {
      const seg = segments.get(i.segment) ?? fail(msg('err.topology.unknownSegment', { node: n.name, iface: i.name, segment: i.segment }));
      if (!ipaddr.IPv4.isValidFourPartDecimal(i.address) || !ipaddr.IPv4.parse(i.address).match(seg)) {
        fail(msg('err.topology.outsideSegment', { node: n.name, address: i.address, segment: i.segment, cidr: `${ipaddr.IPv4.networkAddressFromCIDR(`${seg[0]}/${seg[1]}`)}/${seg[1]}` }));
      }
    }
    if (n.role === 'worker') {
      const [net, len] = cidr(n.podSubnet, msg('err.topology.nodeSubnet', { node: n.name }));
      if (len < clusterLen || !net.match(clusterNet, clusterLen)) fail(msg('err.topology.outsideCluster', { node: n.name, subnet: String(n.podSubnet), cidr: String(t.clusterCidr) }));
      for (const [o, ol, on] of podSubnets) {
        if (net.match(o, Math.min(len, ol))) fail(msg('err.topology.overlap', { a: on, b: n.name }));
      }
      podSubnets.push([net, len, n.name]);
    } else if (n.role !== 'router') fail(msg('err.topology.role', { node: n.name, role: JSON.stringify(n.role) }));
  }
  return t;
}

export const workers = (t: Topology) => t.nodes.filter((n): n is WorkerNode => n.role === 'worker');

export function nodeByName(t: Topology, name: string): NodeSpec {
  const n = t.nodes.find((x) => x.name === name);
  if (!n) throw new TextError(msg('err.topology.noNode', { node: name, nodes: t.nodes.map((x) => x.name).join(', ') }));
  return n;
}

export function workerByName(t: Topology, name: string): WorkerNode {
  const n = nodeByName(t, name);
  if (n.role !== 'worker') throw new TextError(msg('err.topology.notWorker', { node: name, role: n.role, workers: workers(t).map((w) => w.name).join(', ') }));
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
