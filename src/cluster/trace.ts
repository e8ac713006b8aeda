// `cnilab trace` and GET /api/trace: one ping followed hop by hop. The simulated kernel can say
// what it decided at every hop, so a trace runs on the sim cluster's own state. Endpoints are
// named as the student names them: "node1/web" (a pod), "node2" (a node), or an address.
import type { LabEnv } from '../labs/actions.ts';
import { Pods } from '../runtime/pods.ts';
import type { ApiTrace } from '../server/api.ts';
import { tracePacket } from '../sim/core/trace.ts';
import { readWorld } from '../sim/host/store.ts';
import { SimBackend } from './sim/simBackend.ts';
import { nodeByName, underlayAddress } from './topology.ts';

export class TraceError extends Error {}

export async function traceBetween(env: LabEnv, from: string, to: string, opts: { size?: number } = {}): Promise<ApiTrace> {
  const backend = env.backend;
  if (!(backend instanceof SimBackend)) {
    throw new TraceError(
      `trace follows a packet through the simulated kernel; this cluster runs on ${backend.name}. ` +
        'Start a simulated cluster beside it: cnilab --cluster sim cluster up --backend sim',
    );
  }
  const layout = backend.layout;
  const pods = await new Pods(env.driver).list();
  const podOf = (ref: string) => {
    const [node, pod] = ref.split('/') as [string, string];
    const p = pods.find((x) => x.node === node && x.name === pod);
    if (!p) throw new TraceError(`no pod "${pod}" on ${node} (see cnilab pod list)`);
    return p;
  };
  const nodeOf = (name: string) => {
    try {
      return nodeByName(env.topology, name);
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
  const where = (ns: string) => label.get(ns) ?? (ns.startsWith(layout.stateDir) ? ns.slice(layout.stateDir.length + 1) : ns);
  // Details name namespaces by id; a pod's id is its netns path, which says less than "node1/web".
  const relabel = (text: string) => pods.reduce((s, p) => s.split(p.netns).join(`${p.node}/${p.name}`), text);
  const t = tracePacket(readWorld(layout.kernelFile), fromNs, dst, opts.size === undefined ? {} : { size: opts.size, df: true });
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
