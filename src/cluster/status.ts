// What a cluster looks like right now, read from the nodes themselves through the driver.
import type { NodeDriver } from './driver.ts';
import { underlayAddress, workers } from './topology.ts';

export interface NodeStatus {
  name: string;
  role: 'worker' | 'router';
  reachable: boolean;
  underlay: { ifname: string; address: string; up: boolean }[];
  podSubnet?: string;
  pods: number;
}

export interface UnderlayProbe {
  from: string;
  to: string;
  address: string;
  ok: boolean;
}

export interface ClusterStatus {
  nodes: NodeStatus[];
  underlay: UnderlayProbe[];
}

interface IpAddr {
  ifname: string;
  flags?: string[];
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export async function collectStatus(driver: NodeDriver): Promise<ClusterStatus> {
  const t = driver.topology;
  const nodes = await Promise.all(
    t.nodes.map(async (n): Promise<NodeStatus> => {
      const r = await driver.exec(n.name, ['ip', '-j', 'addr', 'show']);
      const links = r.code === 0 ? (JSON.parse(r.stdout) as IpAddr[]) : [];
      const status: NodeStatus = {
        name: n.name,
        role: n.role,
        reachable: r.code === 0,
        underlay: n.interfaces.map((i) => {
          const l = links.find((x) => x.ifname === i.name);
          return {
            ifname: i.name,
            address: i.address,
            up: (l?.flags?.includes('UP') ?? false) && (l?.addr_info ?? []).some((a) => a.local === i.address),
          };
        }),
        pods: n.role === 'worker' && r.code === 0 ? (await driver.listPodNetns(n.name)).length : 0,
      };
      if (n.podSubnet) status.podSubnet = n.podSubnet;
      return status;
    }),
  );
  const probes: Promise<UnderlayProbe>[] = [];
  for (const from of workers(t)) {
    for (const to of t.nodes) {
      if (to.name === from.name) continue;
      const address = underlayAddress(to);
      probes.push(
        driver.exec(from.name, ['ping', '-c1', '-W1', '-q', address]).then((r) => ({ from: from.name, to: to.name, address, ok: r.code === 0 })),
      );
    }
  }
  return { nodes, underlay: await Promise.all(probes) };
}
