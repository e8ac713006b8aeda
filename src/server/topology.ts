// The cluster as its nodes report it right now, for the site's topology picture.
import type { NodeDriver } from '../cluster/driver.ts';
import type { WorkerNode } from '../cluster/topology.ts';
import { Pods } from '../runtime/pods.ts';
import { addrs, ipJson, isUp, type IpLink } from '../validators/probe.ts';
import type { ApiNode, ApiTopology } from './api.ts';

export async function collectTopology(driver: NodeDriver, mode: string): Promise<ApiTopology> {
  const t = driver.topology;
  const pods = new Pods(driver);
  const nodes = await Promise.all(
    t.nodes.map(async (n): Promise<ApiNode> => {
      const links = await ipJson<IpLink[]>(driver, n.name, ['-d', 'addr', 'show']);
      const node: ApiNode = { name: n.name, role: n.role, reachable: links !== undefined, underlay: [], pods: [], routes: [], tunnels: [] };
      node.underlay = n.interfaces.map((i) => {
        const l = links?.find((x) => x.ifname === i.name);
        return { ifname: i.name, address: i.address, segment: i.segment, up: isUp(l) && addrs(l).some((a) => a.startsWith(`${i.address}/`)) };
      });
      if (!links || n.role !== 'worker') return node;
      const w = n as WorkerNode;
      node.podSubnet = w.podSubnet;
      const br = links.find((l) => l.ifname === t.bridge);
      if (br) node.bridge = { name: br.ifname, up: isUp(br), addresses: addrs(br), mtu: br.mtu ?? 0 };
      for (const l of links) {
        const kind = l.linkinfo?.info_kind;
        if ((kind === 'vxlan' || kind === 'ipip') && (l.flags?.includes('UP') || l.ifname !== 'tunl0')) node.tunnels.push({ name: l.ifname, kind, mtu: l.mtu ?? 0, up: isUp(l) });
      }
      const routes = (await ipJson<{ dst: string; gateway?: string; dev: string; flags?: string[]; protocol?: string }[]>(driver, n.name, ['route', 'show', 'root', t.clusterCidr])) ?? [];
      node.routes = routes
        .filter((r) => r.dst !== w.podSubnet && r.protocol !== 'kernel')
        .map((r) => ({ dst: r.dst, ...(r.gateway ? { via: r.gateway } : {}), dev: r.dev, onlink: r.flags?.includes('onlink') ?? false }));
      for (const p of await pods.list(n.name)) {
        const [eth0] = (await ipJson<IpLink[]>(driver, n.name, ['link', 'show', 'dev', 'eth0'], p.name)) ?? [];
        const peer = links.find((l) => l.ifindex === eth0?.link_index);
        node.pods.push({ name: p.name, ...(p.address ? { address: p.address } : {}), ...(peer ? { hostVeth: peer.ifname } : {}), ...(eth0?.mtu ? { mtu: eth0.mtu } : {}) });
      }
      return node;
    }),
  );
  return { mode, clusterCidr: t.clusterCidr, segments: t.segments, nodes };
}
