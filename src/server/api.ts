// The lab server's HTTP and WebSocket contract, shared by the server and the site (types only).
//
// Auth: every /api request carries `Authorization: Bearer <token>`; the terminal WebSocket offers
// the subprotocol `cnilab.<token>`. The token is a per-run secret the server prints in the URL's
// fragment (http://127.0.0.1:PORT/#token=…), which browsers never send to servers or put in logs.
// Requests from another Origin than the server's own are refused.

import type { Lab } from '../labs/catalog.ts';

/** A lab as the site sees it: its labs.yaml entry, with the hints counted rather than sent. */
export interface ApiLab extends Omit<Lab, 'hints'> {
  hintCount: number;
  passed: boolean;
}

export function toApiLab({ hints, ...lab }: Lab, passed: boolean): ApiLab {
  return { ...lab, hintCount: hints.length, passed };
}

/** GET /api/labs */
export interface ApiLabs {
  labs: ApiLab[];
  current?: string;
  nodes: string[];
  cluster: string;
  backend: string;
  /**
   * The terminals the server opens (id for /api/term?node=<id>), when it offers more than one per
   * node: e.g. { id: 'workstation', label: 'your machine', kind: 'workstation' }. Absent: one per node.
   */
  terminals?: { id: string; label: string; kind: 'node' | 'workstation' }[];
}

export interface ApiCheckResult {
  id: string;
  title: string;
  passed: boolean;
  expected: string;
  found: string;
  hint: string;
}

/** POST /api/labs/:id/check → NDJSON: one ApiCheckLine per finished check, then one ApiCheckDone. */
export type ApiCheckLine = { type: 'check'; result: ApiCheckResult };
export type ApiCheckDone = { type: 'done'; lab: string; passed: boolean; checks: ApiCheckResult[] };
/** The last line instead of `done` when the run itself broke (not a failed check). */
export type ApiCheckError = { type: 'error'; message: string };

/** Every error response of the HTTP API. */
export interface ApiError {
  error: string;
}

/**
 * A terminal the server will not open is accepted and closed at once with one of these codes and a
 * reason, so the page can show why instead of retrying (a refused upgrade looks like a drop).
 */
export const TERM_CLOSE = { unauthorized: 4401, forbiddenOrigin: 4403, unknownNode: 4404 } as const;

/** POST /api/labs/:id/hint → the hints shown so far (one more each call, up to all). */
export interface ApiHints {
  lab: string;
  hints: string[];
  remaining: number;
}

/** GET /api/labs/:id/hints → the hints already revealed, without revealing another. */
export type ApiShownHints = ApiHints;

/** GET /api/labs/:id/solution → the reference code, once the lab passed (else available: false). */
export interface ApiSolution {
  lab: string;
  available: boolean;
  regions: { file: string; line: number; description: string; code: string }[];
}

/** POST /api/labs/:id/reset and /solve → what was done on the nodes. */
export interface ApiDone {
  lab: string;
  done: string[];
}

/** GET /api/topology: the cluster as the nodes report it right now (not as the lab text says). */
export interface ApiTopology {
  mode: string;
  clusterCidr: string;
  segments: { name: string; cidr: string }[];
  nodes: ApiNode[];
}

export interface ApiNode {
  name: string;
  role: 'worker' | 'router';
  reachable: boolean;
  underlay: { ifname: string; address: string; segment: string; up: boolean }[];
  podSubnet?: string;
  bridge?: { name: string; up: boolean; addresses: string[]; mtu: number };
  pods: { name: string; address?: string; hostVeth?: string; mtu?: number }[];
  /** Routes into the cluster CIDR other than the node's own subnet: how it reaches other nodes' pods. */
  routes: { dst: string; via?: string; dev: string; onlink: boolean }[];
  tunnels: { name: string; kind: string; mtu: number; up: boolean }[];
}

/** Terminal WebSocket /api/term?node=<node>: JSON text frames both ways. */
export type TermClientMessage = { type: 'input'; data: string } | { type: 'resize'; cols: number; rows: number };
export type TermServerMessage = { type: 'output'; data: string } | { type: 'exit'; code: number } | { type: 'error'; message: string };

export const LIMITS = {
  /** Largest WebSocket message accepted from a client. */
  maxMessageBytes: 64 * 1024,
  maxCols: 500,
  maxRows: 200,
};

/** One step of a traced packet, where it happened and what decided it. */
export interface ApiTraceHop {
  /** Which packet: the echo request or the reply walking back. */
  direction: 'request' | 'reply';
  /** Where: a node ("node1"), a pod ("node1/web"), a switch ("seg-a"). */
  where: string;
  /** What kind of decision. */
  step: 'route' | 'neigh' | 'bridge' | 'veth' | 'forward' | 'encap' | 'decap' | 'nat' | 'deliver' | 'drop' | 'icmp' | 'send';
  /** The interface involved, if one is. */
  dev?: string;
  /** One line a student can read: "route 10.244.2.0/24 via 192.168.56.12 dev eth1 (longest match /24)". */
  detail: string;
  /** Set where the packet is an encapsulated one: the outer header. */
  outer?: string;
}

/**
 * GET /api/trace?from=node1/web&to=node2/web (or to= a node or an address) and `cnilab trace`:
 * a ping followed hop by hop through the simulated kernel's view of the cluster.
 */
export interface ApiTrace {
  from: string;
  to: string;
  /** The destination address the ping was sent to. */
  dst: string;
  /** Did the reply come back? */
  ok: boolean;
  /** One sentence: "reply received" or where and why it was dropped. */
  summary: string;
  hops: ApiTraceHop[];
}
