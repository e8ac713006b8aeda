// 06 · Cross-node routes (host-gw)
import { underlayAddress, workerByName } from '../../cluster/topology.ts';
import { firstPod, ipJson, ping, podSeesSource } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';

interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
}

export const checks: Record<string, CheckFn> = {
  'hostgw-routes': async ({ driver }) => {
    const t = driver.topology;
    const want = [
      ['node1', 'node2'],
      ['node2', 'node1'],
    ].map(([from, to]) => ({ from: from!, dst: workerByName(t, to!).podSubnet, via: underlayAddress(workerByName(t, to!)) }));
    const got = await Promise.all(want.map(async (w) => ((await ipJson<Route[]>(driver, w.from, ['route', 'show', w.dst])) ?? []).find((x) => x.dst === w.dst)));
    const ok = want.every((w, i) => got[i]?.gateway === w.via);
    const found = want.map((w, i) => {
      const r = got[i];
      return `${w.from}: ${r ? `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}` : `no route to ${w.dst}`}`;
    });
    const expected = want.map((w) => `${w.from}: ${w.dst} via ${w.via}`).join('; ');
    return ok ? pass(expected, found.join('; ')) : fail(expected, found.join('; '), 'Each node needs to know which neighbour owns each other pod subnet; the node agent writes those routes for the mode.');
  },

  'hostgw-ping': async (ctx) => {
    const [a, b] = await Promise.all([firstPod(ctx, 'node1'), firstPod(ctx, 'node2')]);
    const expected = 'a pod on node1 reaches a pod on node2, which sees the node1 pod’s own address';
    if (!a || !b) return fail(expected, `pods: node1 ${a?.name ?? 'none'}, node2 ${b?.name ?? 'none'}`, 'This check needs a pod on node1 and one on node2.');
    const bIp = b.address!.split('/')[0]!;
    const aIp = a.address!.split('/')[0]!;
    const there = await ping(ctx.driver, 'node1', bIp, { pod: a.name });
    const seen = await podSeesSource(ctx.driver, 'node2', b.name, aIp, () => ping(ctx.driver, 'node1', bIp, { pod: a.name, extra: ['-c', '3', '-i', '0.2'] }));
    const found = `${a.name}@node1 → ${bIp}: ${there.ok ? 'answers' : 'no answer'}; ${b.name}@node2 ${seen ? `sees packets from ${aIp}` : `never sees ${aIp} as the source`}`;
    if (there.ok && seen) return pass(expected, found);
    return fail(
      expected,
      found,
      there.ok ? 'The packets arrive, but not from the pod’s own address: something rewrites the source on the way.' : 'A reply needs a route back too: each node must route the other node’s pod subnet.',
    );
  },

  'hostgw-node3': async (ctx) => {
    const t = ctx.driver.topology;
    const dst = workerByName(t, 'node3').podSubnet;
    const [routeList, a, c] = await Promise.all([ipJson<Route[]>(ctx.driver, 'node1', ['route', 'show', dst]), firstPod(ctx, 'node1'), firstPod(ctx, 'node3')]);
    const routes = routeList ?? [];
    // Expected to fail: a short wait is enough (nothing answers an unrouted packet).
    const reach = a && c ? await ping(ctx.driver, 'node1', c.address!.split('/')[0]!, { pod: a.name, waitSeconds: 0.3 }) : undefined;
    const found = `${routes.length ? `node1 has a route to ${dst}` : `node1 has no route to ${dst}`}${reach ? `; ping node1→node3 pod ${reach.ok ? 'answers' : 'fails'}` : ''}`;
    return routes.length === 0 && !reach?.ok
      ? pass(`no route to ${dst} on node1, and node3's pods unreachable`, found)
      : fail(`no route to ${dst} on node1, and node3's pods unreachable`, found, 'In host-gw the next hop must be on the same L2 segment. node3 is behind the router, and the router knows no pod subnets.');
  },
};
