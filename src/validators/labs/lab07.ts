// 07 · Across a router: IP-in-IP. Needs a kernel with IP-in-IP; says so plainly where there is none.
import { underlayAddress, workers } from '../../cluster/topology.ts';
import { firstPod, ipJson, ping } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';

export const NO_IPIP =
  'this kernel lacks IP-in-IP (CONFIG_NET_IPIP), so lab 07 cannot run on these nodes. ' +
  'Do it on the Vagrant VMs (a Debian kernel with the ipip module), or read along with `cnilab cluster mode ipip --dry-run`.';

/** Probes node1's kernel by creating (and at once deleting) a throwaway ipip device. */
export async function kernelHasIpip(ctx: CheckContext): Promise<boolean> {
  // A name of its own per probe: the lab's checks run concurrently, and each one probes.
  const dev = `cnilabip${Math.random().toString(36).slice(2, 8)}`;
  const r = await ctx.driver.exec('node1', ['sh', '-c', `ip link add name ${dev} type ipip 2>&1 && ip link del ${dev}`]);
  const out = r.stdout + r.stderr;
  if (/Unknown device type|not supported/i.test(out)) return false;
  // "File exists": the kernel knows the type, and this any-to-any tunnel clashes with its own
  // tunl0 (which the ipip module makes when it loads): so IP-in-IP is there.
  return r.code === 0 || /File exists/.test(out);
}

const guard = (fn: CheckFn): CheckFn => async (ctx) => {
  if (!(await kernelHasIpip(ctx))) return fail('a kernel with IP-in-IP', 'no IP-in-IP in this kernel', NO_IPIP);
  return fn(ctx);
};

export const checks: Record<string, CheckFn> = {
  'ipip-device': guard(async ({ driver }) => {
    const bad: string[] = [];
    for (const w of workers(driver.topology)) {
      const [t] = (await ipJson(driver, w.name, ['-d', 'link', 'show', 'dev', 'tunl0'])) ?? [];
      if (!t || !t.flags?.includes('UP') || t.mtu !== driver.topology.mtu - 20) bad.push(`${w.name}: ${t ? `tunl0 mtu ${t.mtu} ${t.flags?.includes('UP') ? 'up' : 'down'}` : 'no tunl0'}`);
    }
    const expected = `tunl0 up with MTU ${driver.topology.mtu - 20} on every node`;
    return bad.length === 0 ? pass(expected) : fail(expected, bad.join('; '), 'IP-in-IP adds one IPv4 header of 20 bytes to every packet.');
  }),

  'ipip-routes': guard(async ({ driver }) => {
    const bad: string[] = [];
    for (const w of workers(driver.topology)) {
      for (const p of workers(driver.topology).filter((x) => x.name !== w.name)) {
        const [r] = (await ipJson<{ gateway?: string; dev?: string; flags?: string[] }[]>(driver, w.name, ['route', 'show', p.podSubnet])) ?? [];
        if (r?.gateway !== underlayAddress(p) || r?.dev !== 'tunl0' || !r.flags?.includes('onlink')) bad.push(`${w.name} → ${p.podSubnet}: ${r ? `via ${r.gateway} dev ${r.dev}` : 'no route'}`);
      }
    }
    return bad.length === 0
      ? pass('every peer subnet via its underlay address, dev tunl0 onlink')
      : fail('every peer subnet via its underlay address, dev tunl0 onlink', bad.join('; '), 'The tunnel needs to know where to send the outer packet: that is the route’s next hop, which is not on a connected network.');
  }),

  'ipip-ping': guard(async (ctx) => {
    const a = await firstPod(ctx, 'node1');
    const c = await firstPod(ctx, 'node3');
    if (!a || !c) return fail('pods on node1 and node3 reach each other', `pods: node1 ${a?.name ?? 'none'}, node3 ${c?.name ?? 'none'}`, 'This check needs a pod on node1 and one on node3.');
    const there = await ping(ctx.driver, 'node1', c.address!.split('/')[0]!, { pod: a.name });
    const back = await ping(ctx.driver, 'node3', a.address!.split('/')[0]!, { pod: c.name });
    const found = `node1→node3 ${there.ok ? 'answers' : 'fails'}, node3→node1 ${back.ok ? 'answers' : 'fails'}`;
    return there.ok && back.ok ? pass('both directions answer', found) : fail('both directions answer', found, 'The router only sees node addresses now. Does each node route the other’s subnet into tunl0?');
  }),
};
