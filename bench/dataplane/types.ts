// The shapes the data-plane benchmark writes to dataplane.json and draws in dataplane.svg.
import type { PingFigures } from './parse.ts';

/** A cross-node data plane of the cluster, or the bare underlay between the nodes themselves. */
export type Series = 'underlay' | 'host-gw' | 'vxlan' | 'ipip' | 'ipip-crosssubnet';
export const SERIES: readonly Series[] = ['underlay', 'host-gw', 'vxlan', 'ipip', 'ipip-crosssubnet'];

export interface Pair {
  id: 'node1-node2' | 'node1-node3';
  from: 'node1';
  to: 'node2' | 'node3';
  label: string;
  /** How the two nodes are connected on the underlay. */
  path: string;
  /** The destination node's underlay address (the underlay row's target). */
  underlayTo: string;
}

export type Status =
  | 'measured'
  /** The mode cannot reach that node, by design (host-gw across the router). */
  | 'unreachable-by-design'
  /** The mode was not run here (the kernel lacks what it needs). */
  | 'not-measured'
  /** Something went wrong: `error` says what. */
  | 'failed';

export interface Row {
  series: Series;
  pair: Pair['id'];
  pairLabel: string;
  path: string;
  status: Status;
  /** Human words for a row that has no figures (why unreachable, why not measured, what failed). */
  note: string | null;
  /** The pod's eth0 MTU as read from the pod (underlay: the node's uplink MTU). */
  mtu: number | null;
  fromAddress: string | null;
  toAddress: string | null;
  /** iperf3 end.sum_received.bits_per_second / 1e9. */
  throughputGbps: number | null;
  /** iperf3 end.sum_sent.bits_per_second / 1e9. */
  sentGbps: number | null;
  /** throughputGbps / the same pair's underlay throughputGbps (the figure to read). */
  ratioToUnderlay: number | null;
  retransmits: number | null;
  mss: number | null;
  cpuPercent: { sender: number; receiver: number } | null;
  iperfSeconds: number | null;
  rtt: PingFigures | null;
}

export interface Report {
  benchmark: 'dataplane';
  headline: string;
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: {
    kernel: string;
    cpus: number;
    cpuModel: string;
    iperf3: string;
    node: string;
    /** 1-minute load average before and after: other work on the machine skews every figure. */
    load1: { start: number; end: number };
  };
  cluster: string;
  method: {
    iperf3: string;
    ping: string;
    seconds: number;
    pairs: Pair[];
    modesMeasured: Series[];
  };
  ipip: { supported: boolean; probe: string; detail: string };
  rows: Row[];
}
