// One ping followed hop by hop through a World (the simulated cluster, or a snapshot of real nodes
// read into the model), with endpoints named as the student names them: "node1/web" (a pod),
// "node2", or an address. Platform-free: the page engine traces its in-memory cluster with it.
import type { ApiTrace } from '../server/api.ts';
import { tracePacket } from '../sim/core/trace.ts';
import type { World } from '../sim/core/model.ts';
import { nodeByName, underlayAddress, type Topology } from './topologyModel.ts';

export class TraceError extends Error {}

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
    if (!p) throw new TraceError(`no pod "${pod}" on ${node} (see cnilab pod list)`);
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
    if (!p.address) throw new TraceError(`pod ${to} has no address (its ADD failed?)`);
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
    hops: t.hops.map((h) => ({
      direction: h.direction,
      where: where(h.ns),
      step: h.step,
      ...(h.dev ? { dev: h.dev } : {}),
      detail: relabel(h.detail),
      ...(h.outer ? { outer: relabel(h.outer) } : {}),
    })),
  };
}
