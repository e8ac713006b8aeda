// 10 · MTU and overhead
import { MODE_OVERHEAD, type Mode } from '../../shared/cniSpec.ts';
import { firstPod, ipJson, ping } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';

export const checks: Record<string, CheckFn> = {
  'mtu-consistent': async (ctx) => {
    const want = ctx.driver.topology.mtu - (MODE_OVERHEAD[ctx.mode as Mode] ?? 0);
    const pods = await ctx.pods.list();
    const links = await Promise.all(pods.map(async (p) => ((await ipJson(ctx.driver, p.node, ['link', 'show', 'dev', 'eth0'], p.name)) ?? [])[0]));
    const bad = pods.flatMap((p, i) => (links[i]?.mtu !== want ? [`${p.node}/${p.name}: ${links[i]?.mtu ?? 'no eth0'}`] : []));
    const expected = `every pod's eth0 MTU = ${want} (mode ${ctx.mode})`;
    if (pods.length === 0) return fail(expected, 'no pods', 'Create a pod on each node in the current mode.');
    return bad.length === 0 ? pass(expected, `${pods.length} pod(s) at ${want}`) : fail(expected, bad.join(', '), 'The pod MTU must leave room for the mode’s header; a pod keeps the MTU it was created with.');
  },

  'mtu-probe': async (ctx) => {
    const [a, b] = await Promise.all([firstPod(ctx, 'node1'), firstPod(ctx, 'node2')]);
    if (!a || !b) return fail('a full-size DF packet crosses from node1 to node2', 'no pod on node1 or node2', 'This check needs a pod on node1 and one on node2.');
    const [eth0] = (await ipJson(ctx.driver, 'node1', ['link', 'show', 'dev', 'eth0'], a.name)) ?? [];
    const mtu = eth0?.mtu ?? 1500;
    const ip = b.address!.split('/')[0]!;
    const [fits, over] = await Promise.all([
      ping(ctx.driver, 'node1', ip, { pod: a.name, extra: ['-M', 'do', '-s', String(mtu - 28)] }),
      ping(ctx.driver, 'node1', ip, { pod: a.name, extra: ['-M', 'do', '-s', String(mtu - 27)] }),
    ]);
    const expected = `${mtu - 28} bytes of payload with DF cross, ${mtu - 27} are refused`;
    const found = `${mtu - 28}: ${fits.ok ? 'crossed' : 'lost'}; ${mtu - 27}: ${over.ok ? 'crossed' : 'refused'}`;
    return fits.ok && !over.ok ? pass(expected, found) : fail(expected, found, 'ICMP adds 8 bytes and IPv4 20: the payload that fills an MTU is MTU − 28. If the full size is lost, something on the path is smaller than the pod believes.');
  },
};
