// 05 · DEL, CHECK, GC: the plugin run with crafted input on scratch pods, and every node's leases
import { workers } from '../../cluster/topology.ts';
import { callPlugin, ipJson, leaseNames, openScratch, ping, short, type Scratch } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';
import { list, msg, type Text } from '../../i18n/index.ts';

const NODE = 'node1';
// Each check's scratch pods get a bridge, a subnet and leases of their own, so the checks can run at once.
const SCRATCH = { del: 8, chk: 9, gc: 10 } as const;
/** An exit code, and when it is not 0 what the plugin said. */
const exitWhy = (code: number, said: string): Text => (code ? msg('v.plugin.exitWhy', { code, why: said }) : code);
const leasesLeft = (left: string[]): Text => left.join(', ') || msg('word.none');
const env = (command: string, id: string, netns: string) => ({ CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: 'eth0' });

async function withScratch<T>(ctx: CheckContext, which: keyof typeof SCRATCH, fn: (s: Scratch) => Promise<T>): Promise<T> {
  const n = SCRATCH[which];
  const bridge = `cnilabchk${n}`;
  const s = await openScratch(ctx, NODE, { Subnet: `10.99.${n}.0/24`, Gateway: `10.99.${n}.1` }, { subnet: '10.99.0.0/16', bridge });
  try {
    return await fn(s);
  } finally {
    // Removing the scratch pods' namespaces removes their veths too; the bridge goes by hand.
    await s.close([bridge]);
  }
}

export const checks: Record<string, CheckFn> = {
  'del-idempotent': (ctx) =>
    withScratch(ctx, 'del', async (s) => {
      // Two pods that share nothing but the scratch network: one removed twice, one without its netns.
      const [[add, del1, del2], [add2, noNetns]] = await Promise.all([
        (async () => {
          const ns = await s.netns('del');
          const add = await callPlugin(ctx, NODE, s.conf, env('ADD', 'd1', ns));
          const del1 = await callPlugin(ctx, NODE, s.conf, env('DEL', 'd1', ns));
          return [add, del1, await callPlugin(ctx, NODE, s.conf, env('DEL', 'd1', ns))] as const;
        })(),
        (async () => {
          const ns2 = await s.netns('del2');
          const add2 = await callPlugin(ctx, NODE, s.conf, env('ADD', 'd2', ns2));
          return [add2, await callPlugin(ctx, NODE, s.conf, env('DEL', 'd2', ''))] as const;
        })(),
      ]);
      const left = await s.leases();
      const found = msg('v.del-idempotent.found', {
        add: add.code,
        add2: add2.code,
        del1: del1.code,
        del2: del2.code,
        noNetns: exitWhy(noNetns.code, noNetns.code ? short(noNetns.json?.msg ?? noNetns.stdout, 80) : ''),
        left: leasesLeft(left),
      });
      const ok = add.code === 0 && add2.code === 0 && del1.code === 0 && del2.code === 0 && noNetns.code === 0 && left.length === 0;
      return ok ? pass(msg('v.del-idempotent.expected'), found) : fail(msg('v.del-idempotent.expected'), found, msg('v.del-idempotent.hint'));
    }),

  'check-drift': (ctx) =>
    withScratch(ctx, 'chk', async (s) => {
      const ns = await s.netns('chk');
      const add = await callPlugin(ctx, NODE, s.conf, env('ADD', 'k1', ns));
      const healthy = await callPlugin(ctx, NODE, { ...s.conf, prevResult: add.json }, env('CHECK', 'k1', ns));
      await ctx.driver.exec(NODE, ['nsenter', `--net=${ns}`, 'ip', 'addr', 'flush', 'dev', 'eth0']);
      const broken = await callPlugin(ctx, NODE, { ...s.conf, prevResult: add.json }, env('CHECK', 'k1', ns));
      // No DEL needed: closing the scratch removes the pod's netns (and its veth) and the leases.
      const addr = String(add.json?.ips?.[0]?.address ?? '');
      const names = broken.code !== 0 && addr !== '' && String(broken.json?.msg ?? '').includes(addr.split('/')[0]!);
      const found = msg('v.check-drift.found', {
        healthy: exitWhy(healthy.code, healthy.code ? short(healthy.json?.msg ?? healthy.stdout, 80) : ''),
        broken: broken.code,
        msg: short(broken.json?.msg ?? broken.stdout, 120),
      });
      return add.code === 0 && healthy.code === 0 && names
        ? pass(msg('v.check-drift.expected'), found)
        : fail(msg('v.check-drift.expected'), found, msg('v.check-drift.hint'));
    }),

  'gc-stale': (ctx) =>
    withScratch(ctx, 'gc', async (s) => {
      // Two ADDs at once: lab 03 made taking an address atomic.
      const addPod = async (id: string) => callPlugin(ctx, NODE, s.conf, env('ADD', id, await s.netns(`gc${id}`)));
      const [ra, rb] = await Promise.all([addPod('keep'), addPod('stale')]);
      const gc = await callPlugin(ctx, NODE, { ...s.conf, 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] }, { CNI_COMMAND: 'GC' });
      const left = await s.leases();
      const keepIp = String(ra.json?.ips?.[0]?.address ?? '').split('/')[0];
      const found = msg('v.gc-stale.found', { code: gc.code, left: leasesLeft(left) });
      return ra.code === 0 && rb.code === 0 && gc.code === 0 && left.length === 1 && left[0] === keepIp
        ? pass(msg('v.gc-stale.expected', { ip: `${keepIp}` }), found)
        : fail(msg('v.gc-stale.expected', { ip: keepIp || '?' }), found, msg('v.gc-stale.hint'));
    }),

  'no-leaks': async (ctx) => {
    const perNode = await Promise.all(
      workers(ctx.driver.topology).map(async (w) => {
        const problems: Text[] = [];
        const list = await ctx.runtime.loadNetwork(w.name);
        const conf = list.plugins[0] as { dataDir?: string; bridge?: string };
        const [names, links] = await Promise.all([
          ctx.driver.files.list(w.name, `${conf.dataDir}/${list.name}`),
          ipJson(ctx.driver, w.name, ['link', 'show', 'master', conf.bridge ?? 'simplecni0']),
        ]);
        const leases = leaseNames(names);
        const ports = (links ?? []).filter((l) => l.ifname.startsWith('veth'));
        const answers = await Promise.all(leases.map(async (ip) => (await ping(ctx.driver, w.name, ip)).ok));
        leases.forEach((ip, i) => answers[i] || problems.push(msg('v.no-leaks.lease', { node: w.name, ip })));
        if (ports.length > leases.length) problems.push(msg('v.no-leaks.ports', { node: w.name, ports: ports.length, leases: leases.length }));
        return problems;
      }),
    );
    const problems = perNode.flat();
    return problems.length === 0
      ? pass(msg('v.no-leaks.expected'))
      : fail(msg('v.no-leaks.expected'), list(problems, 'semi'), msg('v.no-leaks.hint'));
  },
};
