// Where each hop of a packet trace happened on the topology picture, and the hops grouped into
// the stops the picture marks (consecutive hops at the same place are one stop).
import type { ApiTopology, ApiTrace, ApiTraceHop } from '../engine/types.ts';

export type Direction = ApiTraceHop['direction'];

/** A place on the picture. Inside a worker, `part` says which of its boxes the decision concerns. */
export type Place =
  | { kind: 'pod'; node: string; pod: string }
  | { kind: 'node'; node: string; part: NodePart }
  | { kind: 'router'; node: string }
  | { kind: 'segment'; segment: string };

/** core: the routing decisions (header); uplink: its underlay interface; tunnel: its tunnel device; bridge: the bridge and veths. */
export type NodePart = 'core' | 'uplink' | 'tunnel' | 'bridge';

export function placeKey(p: Place): string {
  switch (p.kind) {
    case 'pod':
      return `pod:${p.node}/${p.pod}`;
    case 'node':
      return `node:${p.node}:${p.part}`;
    case 'router':
      return `router:${p.node}`;
    case 'segment':
      return `segment:${p.segment}`;
  }
}

/** The segment a switch name means: "seg-a", "a", "segment a" (any case). */
function segmentNamed(topo: ApiTopology, where: string): string | undefined {
  const w = where.toLowerCase();
  return topo.segments.find((s) => {
    const n = s.name.toLowerCase();
    return w === n || w === `seg-${n}` || w === `seg${n}` || w === `segment ${n}` || w === `segment-${n}`;
  })?.name;
}

/** Which box of a worker a hop's decision belongs to, from its step and device. */
function nodePart(node: ApiTopology['nodes'][number], hop: ApiTraceHop): NodePart {
  const dev = hop.dev;
  const isTunnel = !!dev && node.tunnels.some((t) => t.name === dev);
  const isUplink = !!dev && node.underlay.some((u) => u.ifname === dev);
  const isBridgeSide = !!dev && (dev === node.bridge?.name || node.pods.some((p) => p.hostVeth === dev));
  const hasTunnel = node.tunnels.length > 0;
  switch (hop.step) {
    case 'encap':
    case 'decap':
      return hasTunnel ? 'tunnel' : 'core';
    case 'veth':
      if (isUplink) return 'uplink'; // the underlay link is a veth too (into the segment's switch)
      if (isTunnel && hasTunnel) return 'tunnel';
      return node.bridge ? 'bridge' : 'core';
    case 'bridge':
      if (isTunnel) return 'tunnel';
      return node.bridge ? 'bridge' : 'core';
    case 'send':
      if (isUplink) return 'uplink';
      if (isTunnel && hasTunnel) return 'tunnel';
      if (isBridgeSide && node.bridge) return 'bridge';
      return 'core';
    default:
      return 'core';
  }
}

/** The place of one hop on the picture, or undefined when the picture has no such thing. */
export function placeOf(topo: ApiTopology, hop: ApiTraceHop): Place | undefined {
  const where = hop.where.trim();
  const slash = where.indexOf('/');
  if (slash > 0) {
    const nodeName = where.slice(0, slash);
    const podName = where.slice(slash + 1);
    const node = topo.nodes.find((n) => n.name === nodeName);
    if (node?.pods.some((p) => p.name === podName)) return { kind: 'pod', node: nodeName, pod: podName };
    return node ? { kind: 'node', node: nodeName, part: 'core' } : undefined;
  }
  const node = topo.nodes.find((n) => n.name === where);
  if (node) return node.role === 'router' ? { kind: 'router', node: node.name } : { kind: 'node', node: node.name, part: nodePart(node, hop) };
  const seg = segmentNamed(topo, where);
  return seg !== undefined ? { kind: 'segment', segment: seg } : undefined;
}

/** Consecutive hops of one direction at one place: one marker on the picture. */
export interface Stop {
  place: Place;
  key: string;
  direction: Direction;
  /** Indices into trace.hops. */
  hops: number[];
  /** The packet was dropped here. */
  dropped: boolean;
  /** The packet arrives here encapsulated (the stretch from the previous stop is drawn as a tunnel). */
  encapsulatedIn: boolean;
}

/** After an encap hop, or one with an outer header, the packet is encapsulated, until the decap. */
const leavesEncapsulated = (h: ApiTraceHop) => h.step === 'encap' || (!!h.outer && h.step !== 'decap');

export function traceStops(trace: ApiTrace, topo: ApiTopology, direction: Direction): Stop[] {
  const stops: Stop[] = [];
  let prevHop: ApiTraceHop | undefined;
  trace.hops.forEach((hop, i) => {
    if (hop.direction !== direction) return;
    const place = placeOf(topo, hop);
    if (!place) return;
    const key = placeKey(place);
    const last = stops[stops.length - 1];
    if (last && last.key === key) {
      last.hops.push(i);
      last.dropped ||= hop.step === 'drop';
    } else {
      stops.push({ place, key, direction, hops: [i], dropped: hop.step === 'drop', encapsulatedIn: !!prevHop && leavesEncapsulated(prevHop) });
    }
    prevHop = hop;
  });
  return stops;
}

/** "3" or "3–6": the hop numbers (1-based) a stop covers, as the list shows them. */
export function stopLabel(stop: Stop): string {
  const first = (stop.hops[0] ?? 0) + 1;
  const last = (stop.hops[stop.hops.length - 1] ?? 0) + 1;
  return first === last ? String(first) : `${first}–${last}`;
}

/** Every endpoint a trace can start from or go to: pods ("node1/web") and nodes. */
export function traceEndpoints(topo: ApiTopology): { pods: string[]; nodes: string[] } {
  const pods: string[] = [];
  for (const n of topo.nodes) for (const p of n.pods) pods.push(`${n.name}/${p.name}`);
  return { pods, nodes: topo.nodes.map((n) => n.name) };
}

export const isIPv4 = (s: string) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(s);
