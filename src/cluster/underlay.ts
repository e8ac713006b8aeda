// The underlay as iproute2 commands: each segment a namespace holding a bridge (the switch), each
// node's interfaces veth pairs plugged into it, addresses and default routes from the topology.
// The netns backend runs these lines on the real kernel, the sim backend on the simulated one.
import { segmentPrefixLength, type Topology } from './topologyModel.ts';

export const SWITCH = 'sw';

export interface UnderlayStep {
  /** Namespace the lines run in (`ip -n NS -batch -`). */
  ns: string;
  lines: string[][];
}

export interface UnderlayNames {
  node(name: string): string;
  segment(name: string): string;
}

export function underlayPlan(t: Topology, names: UnderlayNames): { steps: UnderlayStep[]; forwarders: string[] } {
  const steps: UnderlayStep[] = t.segments.map((s) => ({
    ns: names.segment(s.name),
    lines: [
      ['link', 'set', 'lo', 'up'],
      ['link', 'add', SWITCH, 'type', 'bridge'],
      ['link', 'set', SWITCH, 'up'],
    ],
  }));
  for (const n of t.nodes) {
    const lines: string[][] = [['link', 'set', 'lo', 'up']];
    for (const i of n.interfaces) {
      const port = `${n.name}-${i.name}`;
      lines.push(
        ['link', 'add', i.name, 'mtu', String(t.mtu), 'type', 'veth', 'peer', 'name', port, 'mtu', String(t.mtu), 'netns', names.segment(i.segment)],
        ['addr', 'add', `${i.address}/${segmentPrefixLength(t, i.segment)}`, 'dev', i.name],
        ['link', 'set', i.name, 'up'],
      );
    }
    if (n.gateway) lines.push(['route', 'add', 'default', 'via', n.gateway]);
    steps.push({ ns: names.node(n.name), lines });
    for (const i of n.interfaces) steps.push({ ns: names.segment(i.segment), lines: [['link', 'set', `${n.name}-${i.name}`, 'master', SWITCH, 'up']] });
  }
  return { steps, forwarders: t.nodes.filter((n) => n.role === 'router').map((n) => names.node(n.name)) };
}
