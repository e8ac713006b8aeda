// 10 · MTU and overhead
import { MODE_OVERHEAD, type Mode } from '../../shared/cniSpec.ts';
import { firstPod, ipJson, mtuItem, ping } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';
import { list, msg } from '../../i18n/index.ts';

export const checks: Record<string, CheckFn> = {
  'mtu-consistent': async (ctx) => {
    const want = ctx.driver.topology.mtu - (MODE_OVERHEAD[ctx.mode as Mode] ?? 0);
    const pods = await ctx.pods.list();
    const links = await Promise.all(pods.map(async (p) => ((await ipJson(ctx.driver, p.node, ['link', 'show', 'dev', 'eth0'], p.name)) ?? [])[0]));
    const bad = pods.flatMap((p, i) => (links[i]?.mtu !== want ? [mtuItem(`${p.node}/${p.name}`, links[i]?.mtu)] : []));
    const expected = msg('v.mtu-consistent.expected', { mtu: want, mode: ctx.mode });
    if (pods.length === 0) return fail(expected, msg('v.mtu-consistent.noPods'), msg('v.mtu-consistent.noPodsHint'));
    return bad.length === 0
      ? pass(expected, msg('v.mtu-consistent.found', { n: pods.length, mtu: want }))
      : fail(expected, list(bad), msg('v.mtu-consistent.hint'));
  },

  'mtu-probe': async (ctx) => {
    const [a, b] = await Promise.all([firstPod(ctx, 'node1'), firstPod(ctx, 'node2')]);
    if (!a || !b) return fail(msg('v.mtu-probe.expectedPods'), msg('v.mtu-probe.noPods'), msg('v.pods.needTwo', { a: 'node1', b: 'node2' }));
    const [eth0] = (await ipJson(ctx.driver, 'node1', ['link', 'show', 'dev', 'eth0'], a.name)) ?? [];
    const mtu = eth0?.mtu ?? 1500;
    const ip = b.address!.split('/')[0]!;
    const [fits, over] = await Promise.all([
      // The full size gets a few tries (a reply ends it): one packet lost on a busy machine is not a path too small.
      ping(ctx.driver, 'node1', ip, { pod: a.name, extra: ['-M', 'do', '-s', String(mtu - 28), '-i', '0.2', '-w', '3'] }),
      // One byte over is refused where it is too big: at once by the pod's own eth0 ("local error …
      // mtu"), or by a hop's Frag-needed within milliseconds. Were it let through, its reply would
      // come as fast as the other's: half a second decides it; a full second only waited longer.
      ping(ctx.driver, 'node1', ip, { pod: a.name, waitSeconds: 0.5, extra: ['-M', 'do', '-s', String(mtu - 27)] }),
    ]);
    const expected = msg('v.mtu-probe.expected', { fits: mtu - 28, over: mtu - 27 });
    const found = msg('v.mtu-probe.found', {
      fits: mtu - 28,
      fitsResult: msg(fits.ok ? 'word.crossed' : 'word.lost'),
      over: mtu - 27,
      overResult: msg(over.ok ? 'word.crossed' : 'word.refused'),
    });
    return fits.ok && !over.ok ? pass(expected, found) : fail(expected, found, msg('v.mtu-probe.hint'));
  },
};
