// 08 · VXLAN: flannel.1 and flannel's three entries per peer
import { underlayAddress, workers } from '../../cluster/topology.ts';
import { addrs, firstPod, ipJson, mtuItem, ping, podsFound } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';
import { list, msg, type Text } from '../../i18n/index.ts';

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
        const found = d
          ? msg('v.vxlan-device.found', { kind: `${d.linkinfo?.info_kind}`, id: `${i.id}`, port: `${i.port}`, learning: `${i.learning}`, mtu: `${d.mtu}`, addrs: addrs(d).join(',') || msg('word.noAddress') })
          : msg('v.vxlan-device.none');
        return ok ? [] : [msg('v.node.item', { node: w.name, text: found })];
      }),
    );
    const bad = perNode.flat();
    const expected = msg('v.vxlan-device.expected', { mtu });
    return bad.length === 0 ? pass(expected) : fail(expected, list(bad, 'semi'), msg('v.vxlan-device.hint'));
  },

  'vxlan-peers': async ({ driver }) => {
    const perNode = await Promise.all(
      workers(driver.topology).map(async (w) => {
        const bad: Text[] = [];
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
          if (n?.lladdr !== mac || !n.state?.includes('PERMANENT')) bad.push(msg('v.vxlan-peers.neigh', { node: w.name, ip: base(p.podSubnet), entry: n ? `→ ${n.lladdr} ${n.state?.join(',')}` : msg('word.missing') }));
          if (!fdb.some((f) => f.mac === mac && f.dst === underlayAddress(p))) bad.push(msg('v.vxlan-peers.noFdb', { node: w.name, mac, ip: underlayAddress(p) }));
          const r = routes[i];
          if (r?.gateway !== base(p.podSubnet) || r?.dev !== 'flannel.1' || !r.flags?.includes('onlink')) bad.push(msg('v.vxlan-peers.route', { node: w.name, subnet: p.podSubnet, route: r ? `via ${r.gateway} dev ${r.dev}` : msg('word.missing') }));
        });
        return bad;
      }),
    );
    const bad = perNode.flat();
    return bad.length === 0
      ? pass(msg('v.vxlan-peers.expected'))
      : fail(msg('v.vxlan-peers.expectedShort'), list(bad.slice(0, 6), 'semi'), msg('v.vxlan-peers.hint'));
  },

  'vxlan-ping': async (ctx) => {
    const nodes = workers(ctx.driver.topology).map((w) => w.name);
    const pods = await Promise.all(nodes.map((n) => firstPod(ctx, n)));
    if (pods.some((p) => !p)) return fail(msg('v.vxlan-ping.expectedPods'), podsFound(nodes.map((n, i) => [n, pods[i]?.name])), msg('v.vxlan-ping.needPods'));
    const pairs = nodes.flatMap((_, i) => nodes.flatMap((__, j) => (i === j ? [] : [[i, j] as const])));
    const answers = await Promise.all(pairs.map(([i, j]) => ping(ctx.driver, nodes[i]!, pods[j]!.address!.split('/')[0]!, { pod: pods[i]!.name })));
    const failed = pairs.filter((_, k) => !answers[k]!.ok).map(([i, j]) => `${nodes[i]}→${nodes[j]}`);
    return failed.length === 0
      ? pass(msg('v.vxlan-ping.expected'))
      : fail(msg('v.vxlan-ping.expected'), msg('v.vxlan-ping.found', { paths: list(failed) }), msg('v.vxlan-ping.hint'));
  },

  'vxlan-mtu': async (ctx) => {
    const want = ctx.driver.topology.mtu - 50;
    const pods = await ctx.pods.list();
    const links = await Promise.all(pods.map(async (p) => ((await ipJson(ctx.driver, p.node, ['link', 'show', 'dev', 'eth0'], p.name)) ?? [])[0]));
    const bad = pods.flatMap((p, i) => (links[i]?.mtu !== want ? [mtuItem(`${p.node}/${p.name}`, links[i]?.mtu)] : []));
    const expected = msg('v.vxlan-mtu.expected', { mtu: want });
    return bad.length === 0 ? pass(expected) : fail(expected, list(bad), msg('v.vxlan-mtu.hint'));
  },
};
