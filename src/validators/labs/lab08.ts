// 08 · VXLAN: flannel.1 and flannel's three entries per peer
import { underlayAddress, workers } from '../../cluster/topology.ts';
import { addrs, firstPod, ipJson, ping } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';

/** The documented VTEP MAC convention: 0e:53 + the four bytes of the underlay IPv4 address. */
const vtep = (ip: string) => ['0e', '53', ...ip.split('.').map((b) => Number(b).toString(16).padStart(2, '0'))].join(':');
const base = (cidr: string) => cidr.split('/')[0]!;

export const checks: Record<string, CheckFn> = {
  'vxlan-device': async ({ driver }) => {
    const mtu = driver.topology.mtu - 50;
    const perNode = await Promise.all(
      workers(driver.topology).map(async (w) => {
        const [d] = (await ipJson(driver, w.name, ['-d', 'addr', 'show', 'dev', 'flannel.1'])) ?? [];
        const i = d?.linkinfo?.info_data ?? {};
        const ok = d?.linkinfo?.info_kind === 'vxlan' && i.id === 1 && i.port === 8472 && i.learning === false && d.mtu === mtu && d.flags?.includes('UP') && addrs(d).includes(`${base(w.podSubnet)}/32`);
        return ok ? [] : [`${w.name}: ${d ? `${d.linkinfo?.info_kind} id ${i.id} port ${i.port} learning ${i.learning} mtu ${d.mtu} ${addrs(d).join(',') || 'no address'}` : 'no flannel.1'}`];
      }),
    );
    const bad = perNode.flat();
    const expected = `flannel.1 on every node: vxlan id 1, port 8472, nolearning, MTU ${mtu}, up, <subnet>.0/32`;
    return bad.length === 0 ? pass(expected) : fail(expected, bad.join('; '), 'Compare `ip -d link show flannel.1` field by field with flannel’s: VNI, destination port, learning, MTU.');
  },

  'vxlan-peers': async ({ driver }) => {
    const perNode = await Promise.all(
      workers(driver.topology).map(async (w) => {
        const bad: string[] = [];
        const peers = workers(driver.topology).filter((x) => x.name !== w.name);
        const [neighList, fdbOut, routes] = await Promise.all([
          ipJson<{ dst: string; lladdr?: string; state?: string[] }[]>(driver, w.name, ['neigh', 'show', 'dev', 'flannel.1']),
          driver.exec(w.name, ['bridge', '-j', 'fdb', 'show', 'dev', 'flannel.1']),
          Promise.all(peers.map(async (p) => ((await ipJson<{ gateway?: string; dev?: string; flags?: string[] }[]>(driver, w.name, ['route', 'show', p.podSubnet])) ?? [])[0])),
        ]);
        const neigh = neighList ?? [];
        const fdb = fdbOut.code === 0 && fdbOut.stdout.trim() ? (JSON.parse(fdbOut.stdout) as { mac: string; dst?: string }[]) : [];
        peers.forEach((p, i) => {
          const mac = vtep(underlayAddress(p));
          const n = neigh.find((x) => x.dst === base(p.podSubnet));
          if (n?.lladdr !== mac || !n.state?.includes('PERMANENT')) bad.push(`${w.name}: neighbour ${base(p.podSubnet)} ${n ? `→ ${n.lladdr} ${n.state?.join(',')}` : 'missing'}`);
          if (!fdb.some((f) => f.mac === mac && f.dst === underlayAddress(p))) bad.push(`${w.name}: no fdb entry ${mac} dst ${underlayAddress(p)}`);
          const r = routes[i];
          if (r?.gateway !== base(p.podSubnet) || r?.dev !== 'flannel.1' || !r.flags?.includes('onlink')) bad.push(`${w.name}: route ${p.podSubnet} ${r ? `via ${r.gateway} dev ${r.dev}` : 'missing'}`);
        });
        return bad;
      }),
    );
    const bad = perNode.flat();
    return bad.length === 0
      ? pass('for every peer: permanent neighbour <peer .0> → its VTEP MAC, fdb <MAC> dst <peer IP>, route via <peer .0> dev flannel.1 onlink')
      : fail('for every peer: permanent neighbour, fdb entry and onlink route', bad.slice(0, 6).join('; '), 'Walk one packet: the route picks a next hop, the neighbour entry gives its MAC, the fdb entry says which node owns that MAC.');
  },

  'vxlan-ping': async (ctx) => {
    const nodes = workers(ctx.driver.topology).map((w) => w.name);
    const pods = await Promise.all(nodes.map((n) => firstPod(ctx, n)));
    if (pods.some((p) => !p)) return fail('a pod on every node, all reaching each other', `pods: ${nodes.map((n, i) => `${n} ${pods[i]?.name ?? 'none'}`).join(', ')}`, 'This check needs a pod on each node.');
    const pairs = nodes.flatMap((_, i) => nodes.flatMap((__, j) => (i === j ? [] : [[i, j] as const])));
    const answers = await Promise.all(pairs.map(([i, j]) => ping(ctx.driver, nodes[i]!, pods[j]!.address!.split('/')[0]!, { pod: pods[i]!.name })));
    const failed = pairs.filter((_, k) => !answers[k]!.ok).map(([i, j]) => `${nodes[i]}→${nodes[j]}`);
    return failed.length === 0
      ? pass('all 6 pod-to-pod paths answer')
      : fail('all 6 pod-to-pod paths answer', `no answer: ${failed.join(', ')}`, 'If one direction works and the other does not, compare the two nodes’ entries for each other.');
  },

  'vxlan-mtu': async (ctx) => {
    const want = ctx.driver.topology.mtu - 50;
    const pods = await ctx.pods.list();
    const links = await Promise.all(pods.map(async (p) => ((await ipJson(ctx.driver, p.node, ['link', 'show', 'dev', 'eth0'], p.name)) ?? [])[0]));
    const bad = pods.flatMap((p, i) => (links[i]?.mtu !== want ? [`${p.node}/${p.name}: ${links[i]?.mtu ?? 'no eth0'}`] : []));
    return bad.length === 0
      ? pass(`every pod's eth0 has MTU ${want}`)
      : fail(`every pod's eth0 has MTU ${want}`, bad.join(', '), 'VXLAN adds 50 bytes to each packet; pods made before the switch keep the MTU they were made with.');
  },
};
