// The lab server's HTTP and WebSocket contract, shared by the server and the site (types only).
//
// Auth: every /api request carries `Authorization: Bearer <token>`; the terminal WebSocket offers
// the subprotocol `cnilab.<token>`. The token is a per-run secret the server prints in the URL's
// fragment (http://127.0.0.1:PORT/#token=…), which browsers never send to servers or put in logs.
// Requests from another Origin than the server's own are refused, and so is any Host header but
// the server's own (DNS rebinding). Terminals: `/api/term?node=<id>` with an id from ApiLabs.terminals.

import type { VerdictText } from '../validators/types.ts';
import type { Lab } from '../labs/catalog.ts';
import { t, type Msg } from '../i18n/index.ts';

/** A lab as the site sees it: its labs.yaml entry, with the hints counted rather than sent. */
export interface ApiLab extends Omit<Lab, 'hints'> {
  hintCount: number;
  passed: boolean;
}

export function toApiLab({ hints, ...lab }: Lab, passed: boolean): ApiLab {
  return { ...lab, hintCount: hints.length, passed };
}

/** The terminal on the student's own machine (the kit's folder, `cnilab` on PATH): `/api/term?node=workstation`. */
export const WORKSTATION = 'workstation';

/** A terminal the server can open: the workstation or a node. */
export interface ApiTerminal {
  /** What `/api/term?node=` takes. */
  id: string;
  /** What the page shows: "your machine", "node1"… */
  label: string;
  kind: 'node' | 'workstation';
}

/** GET /api/labs */
export interface ApiLabs {
  labs: ApiLab[];
  current?: string;
  nodes: string[];
  /** Every terminal: the workstation first, then each node. */
  terminals: ApiTerminal[];
  cluster: string;
  backend: string;
}

export interface ApiCheckResult {
  id: string;
  title: string;
  passed: boolean;
  expected: string;
  found: string;
  hint: string;
  /** The texts as catalogue messages (src/i18n), so a page can show them in its language. */
  msg?: VerdictText;
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
export const TERM_CLOSE = { unauthorized: 4401, forbiddenOrigin: 4403, unknownNode: 4404, tooMany: 4429 } as const;

/** A WebSocket close reason is at most 123 bytes of UTF-8: longer ones are cut (a longer one makes `ws` throw). */
export function cutReason(reason: string, max = 123): string {
  const size = (s: string) => new TextEncoder().encode(s).length;
  if (size(reason) <= max) return reason;
  let cut = '';
  for (const ch of reason) {
    // Whole code points only: never half a character. "…" is 3 bytes.
    if (size(cut) + size(ch) > max - 3) break;
    cut += ch;
  }
  return cut + '…';
}

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
  /** A line per step, in English. */
  done: string[];
  /** The same steps as catalogue messages (src/i18n), so a page can show them in its language. */
  msg?: Msg[];
}

/** What reset or solve did, in English and as messages. */
export function toApiDone(lab: string, steps: Msg[]): ApiDone {
  return { lab, done: steps.map((s) => t('en', s)), msg: steps };
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

/** Terminal WebSocket /api/term?node=<id> (a node, or `workstation`): JSON text frames both ways. */
export type TermClientMessage = { type: 'input'; data: string } | { type: 'resize'; cols: number; rows: number };
export type TermServerMessage = { type: 'output'; data: string } | { type: 'exit'; code: number } | { type: 'error'; message: string; text?: Msg };

export const LIMITS = {
  /** Largest WebSocket message accepted from a client. */
  maxMessageBytes: 64 * 1024,
  maxCols: 500,
  maxRows: 200,
  /** Terminals open at once on one server (each is a shell and a PTY). */
  maxTerminals: 16,
};

/** GET /api/trace and `cnilab trace`: the shape belongs to the trace itself (src/cluster/trace.ts). */
export type { ApiTrace, ApiTraceHop } from '../cluster/trace.ts';
