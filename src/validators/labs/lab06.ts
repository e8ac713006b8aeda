// 06 · Cross-node routes (host-gw)
import { underlayAddress, workerByName } from '../../cluster/topology.ts';
import { firstPod, ipJson, ping, podSeesSource, podsFound } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';
import { list, msg } from '../../i18n/index.ts';

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
      return msg('v.node.item', { node: w.from, text: r ? `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}` : msg('v.hostgw-routes.noRoute', { dst: w.dst }) });
    });
    const expected = list(want.map((w) => msg('v.node.item', { node: w.from, text: `${w.dst} via ${w.via}` })), 'semi');
    return ok ? pass(expected, list(found, 'semi')) : fail(expected, list(found, 'semi'), msg('v.hostgw-routes.hint'));
  },

  'hostgw-ping': async (ctx) => {
    const [a, b] = await Promise.all([firstPod(ctx, 'node1'), firstPod(ctx, 'node2')]);
    const expected = msg('v.hostgw-ping.expected');
    if (!a || !b) return fail(expected, podsFound([['node1', a?.name], ['node2', b?.name]]), msg('v.pods.needTwo', { a: 'node1', b: 'node2' }));
    const bIp = b.address!.split('/')[0]!;
    const aIp = a.address!.split('/')[0]!;
    const there = await ping(ctx.driver, 'node1', bIp, { pod: a.name });
    const seen = await podSeesSource(ctx.driver, 'node2', b.name, aIp, () => ping(ctx.driver, 'node1', bIp, { pod: a.name, extra: ['-c', '3', '-i', '0.2'] }));
    const found = msg('v.hostgw-ping.found', {
      a: a.name,
      ip: bIp,
      reply: msg(there.ok ? 'word.answers' : 'word.noAnswer'),
      b: b.name,
      seen: msg(seen ? 'v.hostgw-ping.sees' : 'v.hostgw-ping.neverSees', { ip: aIp }),
    });
    if (there.ok && seen) return pass(expected, found);
    return fail(
      expected,
      found,
      msg(there.ok ? 'v.hostgw-ping.hintRewritten' : 'v.hostgw-ping.hint'),
    );
  },

  'hostgw-node3': async (ctx) => {
    const t = ctx.driver.topology;
    const dst = workerByName(t, 'node3').podSubnet;
    const [routeList, a, c] = await Promise.all([ipJson<Route[]>(ctx.driver, 'node1', ['route', 'show', dst]), firstPod(ctx, 'node1'), firstPod(ctx, 'node3')]);
    const routes = routeList ?? [];
    // Expected to fail: a short wait is enough (nothing answers an unrouted packet).
    const reach = a && c ? await ping(ctx.driver, 'node1', c.address!.split('/')[0]!, { pod: a.name, waitSeconds: 0.3 }) : undefined;
    const route = msg(routes.length ? 'v.hostgw-node3.route' : 'v.hostgw-node3.noRoute', { dst });
    const found = reach ? msg('v.hostgw-node3.withPing', { route, result: msg(reach.ok ? 'word.answers' : 'word.fails') }) : route;
    const expected = msg('v.hostgw-node3.expected', { dst });
    return routes.length === 0 && !reach?.ok ? pass(expected, found) : fail(expected, found, msg('v.hostgw-node3.hint'));
  },
};
