// One ping followed hop by hop through a World (the simulated cluster, or a snapshot of real nodes
// read into the model), with endpoints named as the student names them: "node1/web" (a pod),
// "node2", or an address. Platform-free: the page engine traces its in-memory cluster with it.
import { tracePacket } from '../sim/core/trace.ts';
import type { World } from '../sim/core/model.ts';
import { nodeByName, underlayAddress, type Topology } from './topologyModel.ts';
import { english, mapLiterals, msg, type Text } from '../i18n/text.ts';

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
  /** The detail as a catalogue message (src/i18n), so a page or the CLI can show it in its language. */
  msg?: Text;
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
  /** The summary as a catalogue message. */
  msg?: Text;
  hops: ApiTraceHop[];
}

/** A trace that cannot start (no such pod, a pod without an address); `text` says it in any language. */
export class TraceError extends Error {
  constructor(readonly text: Text) {
    super(english(text));
  }
}

/** A pod as trace needs it (src/runtime's PodInfo). */
export interface TracePod {
  node: string;
  name: string;
  address?: string;
  netns: string;
}

export function traceInWorld(world: World, topology: Topology, pods: readonly TracePod[], from: string, to: string, opts: { size?: number } = {}): ApiTrace {
  const podOf = (ref: string) => {
    const [node, pod] = ref.split('/') as [string, string];
    const p = pods.find((x) => x.node === node && x.name === pod);
    if (!p) throw new TraceError(msg('trace.err.noPod', { pod, node }));
    return p;
  };
  const nodeOf = (name: string) => {
    try {
      return nodeByName(topology, name);
    } catch (err) {
      throw new TraceError((err as Error).message);
    }
  };
  const fromNs = from.includes('/') ? podOf(from).netns : nodeOf(from).name;
  let dst: string;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(to)) dst = to;
  else if (to.includes('/')) {
    const p = podOf(to);
    if (!p.address) throw new TraceError(msg('trace.err.noAddress', { pod: to }));
    dst = p.address.split('/')[0]!;
  } else dst = underlayAddress(nodeOf(to));

  // Namespace ids as the student knows them: pods by node/pod, the rest by name.
  const label = new Map(pods.map((p) => [p.netns, `${p.node}/${p.name}`]));
  const where = (ns: string) => label.get(ns) ?? ns;
  // Details name namespaces by id; a pod's id is its netns path, which says less than "node1/web".
  const relabel = (text: string) => pods.reduce((s, p) => s.split(p.netns).join(`${p.node}/${p.name}`), text);
  const t = tracePacket(world, fromNs, dst, opts.size === undefined ? {} : { size: opts.size, df: true });
  return {
    from,
    to,
    dst,
    ok: t.ok,
    summary: relabel(t.summary),
    msg: mapLiterals(t.msg, relabel),
    hops: t.hops.map((h) => ({
      direction: h.direction,
      where: where(h.ns),
      step: h.step,
      ...(h.dev ? { dev: h.dev } : {}),
      detail: relabel(h.detail),
      ...(h.msg ? { msg: mapLiterals(h.msg, relabel) } : {}),
      ...(h.outer ? { outer: relabel(h.outer) } : {}),
    })),
  };
}
