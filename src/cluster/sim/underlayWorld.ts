// The simulated cluster's underlay as a world: a namespace per node and per segment, wired by the
// same iproute2 lines the netns backend runs (underlayPlan). Platform-free: the sim backend saves
// this world to its file, the page engine's machine keeps it in memory.
import { runSimCommand } from '../../sim/core/commands.ts';
import { addNetns, createWorld, type World } from '../../sim/core/model.ts';
import type { Topology } from '../topologyModel.ts';
import { underlayPlan } from '../underlay.ts';

export const segmentNs = (s: string) => `seg-${s}`;

/** Namespaces of the cluster: each segment's switch, then each node (a node's namespace id is its name). */
export const clusterNamespaces = (t: Topology) => [...t.segments.map((s) => segmentNs(s.name)), ...t.nodes.map((n) => n.name)];

/** A new world holding the topology's underlay: switches, node uplinks, addresses, default routes, forwarding on routers. */
export function buildUnderlayWorld(t: Topology): World {
  const world = createWorld();
  for (const ns of clusterNamespaces(t)) addNetns(world, ns, { name: ns });
  const plan = underlayPlan(t, { node: (n) => n, segment: segmentNs });
  for (const step of plan.steps) {
    const stdin = step.lines.map((l) => l.join(' ')).join('\n') + '\n';
    const r = runSimCommand({ world, ns: step.ns, stdin }, ['ip', '-batch', '-']);
    if (r.code !== 0) throw new Error(`${step.ns}: ip -batch failed: ${r.stderr.trim()}`);
  }
  for (const ns of plan.forwarders) {
    const r = runSimCommand({ world, ns }, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    if (r.code !== 0) throw new Error(`${ns}: ${r.stderr.trim()}`);
  }
  return world;
}
