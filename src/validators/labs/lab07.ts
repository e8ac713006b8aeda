// 07 · Across a router: IP-in-IP. Needs a kernel with IP-in-IP; says so plainly where there is none.
import { underlayAddress, workers } from '../../cluster/topology.ts';
import { firstPod, ipJson, ping, podsFound } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';
import { list, msg, t, type Text } from '../../i18n/index.ts';

/** Why lab 07 cannot run here; `cnilab solve` says the same in English. */
export const NO_IPIP = t('en', msg('v.ipip.noKernel'));

/** One probe per run of the lab's checks, which all ask at once. */
const probed = new WeakMap<CheckContext, Promise<boolean>>();

/** Probes node1's kernel by creating (and at once deleting) a throwaway ipip device. */
export function kernelHasIpip(ctx: CheckContext): Promise<boolean> {
  let p = probed.get(ctx);
  if (!p) probed.set(ctx, (p = probeIpip(ctx)));
  return p;
}

async function probeIpip(ctx: CheckContext): Promise<boolean> {
  // A name of its own per probe, so probes from two runs at once never meet. Two commands rather
  // than one `sh -c`: a node's own `ip` then answers without a shell (on the sim, in-process).
  const dev = `cnilabip${Math.random().toString(36).slice(2, 8)}`;
  const r = await ctx.driver.exec('node1', ['ip', 'link', 'add', 'name', dev, 'type', 'ipip']);
  if (r.code === 0) await ctx.driver.exec('node1', ['ip', 'link', 'del', dev]);
  const out = r.stdout + r.stderr;
  if (/Unknown device type|not supported/i.test(out)) return false;
  // "File exists": the kernel knows the type, and this any-to-any tunnel clashes with its own
  // tunl0 (which the ipip module makes when it loads): so IP-in-IP is there.
  return r.code === 0 || /File exists/.test(out);
}

const guard = (fn: CheckFn): CheckFn => async (ctx) => {
  if (!(await kernelHasIpip(ctx))) return fail(msg('v.ipip.expected'), msg('v.ipip.found'), msg('v.ipip.noKernel'));
  return fn(ctx);
};

export const checks: Record<string, CheckFn> = {
  'ipip-device': guard(async ({ driver }) => {
    const bad: Text[] = [];
    for (const w of workers(driver.topology)) {
      const [t] = (await ipJson(driver, w.name, ['-d', 'link', 'show', 'dev', 'tunl0'])) ?? [];
      if (!t || !t.flags?.includes('UP') || t.mtu !== driver.topology.mtu - 20) bad.push(msg('v.node.item', { node: w.name, text: t ? msg('v.ipip-device.tunl0', { mtu: `${t.mtu}`, state: msg(t.flags?.includes('UP') ? 'word.up' : 'word.down') }) : msg('v.ipip-device.none') }));
    }
    const expected = msg('v.ipip-device.expected', { mtu: driver.topology.mtu - 20 });
    return bad.length === 0 ? pass(expected) : fail(expected, list(bad, 'semi'), msg('v.ipip-device.hint'));
  }),

  'ipip-routes': guard(async ({ driver }) => {
    const bad: Text[] = [];
    for (const w of workers(driver.topology)) {
      for (const p of workers(driver.topology).filter((x) => x.name !== w.name)) {
        const [r] = (await ipJson<{ gateway?: string; dev?: string; flags?: string[] }[]>(driver, w.name, ['route', 'show', p.podSubnet])) ?? [];
        if (r?.gateway !== underlayAddress(p) || r?.dev !== 'tunl0' || !r.flags?.includes('onlink')) bad.push(msg('v.ipip-routes.item', { node: w.name, subnet: p.podSubnet, route: r ? `via ${r.gateway} dev ${r.dev}` : msg('word.noRoute') }));
      }
    }
    return bad.length === 0
      ? pass(msg('v.ipip-routes.expected'))
      : fail(msg('v.ipip-routes.expected'), list(bad, 'semi'), msg('v.ipip-routes.hint'));
  }),

  'ipip-ping': guard(async (ctx) => {
    const a = await firstPod(ctx, 'node1');
    const c = await firstPod(ctx, 'node3');
    if (!a || !c) return fail(msg('v.ipip-ping.expected'), podsFound([['node1', a?.name], ['node3', c?.name]]), msg('v.pods.needTwo', { a: 'node1', b: 'node3' }));
    const there = await ping(ctx.driver, 'node1', c.address!.split('/')[0]!, { pod: a.name });
    const back = await ping(ctx.driver, 'node3', a.address!.split('/')[0]!, { pod: c.name });
    const answers = (ok: boolean) => msg(ok ? 'word.answers' : 'word.fails');
    const found = msg('v.ipip-ping.found', { there: answers(there.ok), back: answers(back.ok) });
    return there.ok && back.ok ? pass(msg('v.ipip-ping.expectedBoth'), found) : fail(msg('v.ipip-ping.expectedBoth'), found, msg('v.ipip-ping.hint'));
  }),
};
