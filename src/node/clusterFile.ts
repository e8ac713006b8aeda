// The cluster file a node reads: every node's name, underlay address and pod subnet, plus the
// data-plane mode. The kit generates it from the topology; on a real cluster flanneld or
// calico-node would learn the same facts from the API server.
import ipaddr from 'ipaddr.js';
import { MODES, MODE_OVERHEAD, type Mode } from '../plugin/config.ts';

export interface ClusterNode {
  name: string;
  /** Underlay address: where encapsulated packets for this node's pods are sent. */
  ip: string;
  podSubnet: string;
}

export interface ClusterFile {
  clusterCidr: string;
  /** The underlay MTU. */
  mtu: number;
  mode: Mode;
  nodes: ClusterNode[];
}

export class ClusterFileError extends Error {}

export function parseClusterFile(text: string, file: string): ClusterFile {
  const bad = (msg: string): never => {
    throw new ClusterFileError(`invalid cluster file "${file}": ${msg}`);
  };
  let raw: any;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return bad(`not valid JSON (${(err as Error).message})`);
  }
  const cidr = (s: unknown, what: string) => {
    try {
      return ipaddr.IPv4.parseCIDR(String(s));
    } catch {
      return bad(`${what} ${JSON.stringify(s)} is not an IPv4 CIDR`);
    }
  };
  const [cNet, cLen] = cidr(raw?.clusterCidr, '"clusterCidr"');
  if (!Number.isInteger(raw.mtu) || raw.mtu < 576) bad(`"mtu" must be an integer of at least 576, got ${JSON.stringify(raw.mtu)}`);
  if (!(MODES as readonly string[]).includes(raw.mode)) bad(`"mode" must be one of ${MODES.join(', ')}, got ${JSON.stringify(raw.mode)}`);
  if (!Array.isArray(raw.nodes) || raw.nodes.length === 0) bad('"nodes" must be a non-empty list');
  const seen = new Set<string>();
  for (const n of raw.nodes) {
    if (typeof n?.name !== 'string' || !n.name) bad('every node needs a "name"');
    if (seen.has(n.name)) bad(`node "${n.name}" is listed twice`);
    seen.add(n.name);
    if (!ipaddr.IPv4.isValidFourPartDecimal(String(n.ip))) bad(`node "${n.name}": "ip" ${JSON.stringify(n.ip)} is not an IPv4 address`);
    const [net, len] = cidr(n.podSubnet, `node "${n.name}" "podSubnet"`);
    if (len < cLen || !net.match(cNet, cLen)) bad(`node "${n.name}": podSubnet ${n.podSubnet} is outside clusterCidr ${raw.clusterCidr}`);
  }
  return { clusterCidr: raw.clusterCidr, mtu: raw.mtu, mode: raw.mode, nodes: raw.nodes.map((n: ClusterNode) => ({ name: n.name, ip: n.ip, podSubnet: n.podSubnet })) };
}

export const podMtuFor = (mtu: number, mode: Mode) => mtu - MODE_OVERHEAD[mode];
