// 03 · IPAM from a static file: simplecni-ipam run with crafted input in a scratch lease dir
import { callPlugin, openScratch, short } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';
import { list, msg, type Text } from '../../i18n/index.ts';

const NODE = 'node1';
const env = (command: string, id: string) => ({ CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' });
const ipam = (over: Record<string, unknown> = {}) => ({ type: 'simplecni-ipam', ...over });

export const checks: Record<string, CheckFn> = {
  'ipam-reserved': async (ctx) => {
    const s = await openScratch(ctx, NODE, { Subnet: '10.99.0.0/29', Gateway: '10.99.0.1' }, ipam({ subnet: '10.99.0.0/16' }));
    try {
      const got: Text[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await callPlugin(ctx, NODE, s.conf, env('ADD', `c${i}`));
        got.push(r.code === 0 ? String(r.json?.ips?.[0]?.address ?? '?') : msg('v.ipam.error', { detail: short(r.stdout || r.stderr, 80) }));
      }
      const full = await callPlugin(ctx, NODE, s.conf, env('ADD', 'c5'));
      const expected = msg('v.ipam-reserved.expected');
      const ok = [...got].sort().join(',') === ['2', '3', '4', '5', '6'].map((n) => `10.99.0.${n}/29`).join(',') && full.code !== 0;
      const found = msg('v.ipam-reserved.found', { got: list(got), sixth: full.code === 0 ? msg('v.ipam-reserved.got', { addr: `${full.json?.ips?.[0]?.address}` }) : msg('word.refused') });
      return ok ? pass(expected, found) : fail(expected, found, msg('v.ipam-reserved.hint'));
    } finally {
      await s.close();
    }
  },

  'ipam-concurrent': async (ctx) => {
    const s = await openScratch(ctx, NODE, { Subnet: '10.99.1.0/24', Gateway: '10.99.1.1' }, ipam({ subnet: '10.99.0.0/16' }));
    try {
      // Enough to catch a read-increment-write race every time; few enough to stay quick on two CPUs.
      const N = 12;
      const rs = await Promise.all(Array.from({ length: N }, (_, i) => callPlugin(ctx, NODE, s.conf, env('ADD', `p${i}`))));
      const addrs = rs.filter((r) => r.code === 0).map((r) => String(r.json?.ips?.[0]?.address));
      const dup = addrs.filter((a, i) => addrs.indexOf(a) !== i);
      const counts = { ok: addrs.length, n: N, distinct: new Set(addrs).size };
      const found = dup.length ? msg('v.ipam-concurrent.foundDup', { ...counts, dup: list([...new Set(dup)]) }) : msg('v.ipam-concurrent.found', counts);
      const expected = msg('v.ipam-concurrent.expected', { n: N });
      return addrs.length === N && new Set(addrs).size === N ? pass(expected, found) : fail(expected, found, msg('v.ipam-concurrent.hint'));
    } finally {
      await s.close();
    }
  },

  'ipam-release': async (ctx) => {
    const s = await openScratch(ctx, NODE, { Subnet: '10.99.2.0/24', Gateway: '10.99.2.1' }, ipam({ subnet: '10.99.0.0/16' }));
    try {
      const add = await callPlugin(ctx, NODE, s.conf, env('ADD', 'rel'));
      const held = await s.leases();
      const del = await callPlugin(ctx, NODE, s.conf, env('DEL', 'rel'));
      const after = await s.leases();
      const del2 = await callPlugin(ctx, NODE, s.conf, env('DEL', 'rel'));
      const none = msg('word.none');
      const found = msg('v.ipam-release.found', {
        add: add.code === 0 ? `${add.json?.ips?.[0]?.address}` : msg('word.failed'),
        held: held.join(', ') || none,
        after: after.join(', ') || none,
        code: del2.code,
      });
      const ok = add.code === 0 && held.length === 1 && del.code === 0 && after.length === 0 && del2.code === 0;
      return ok ? pass(msg('v.ipam-release.expected'), found) : fail(msg('v.ipam-release.expected'), found, msg('v.ipam-release.hint'));
    } finally {
      await s.close();
    }
  },

  'ipam-file-errors': async (ctx) => {
    const s = await openScratch(ctx, NODE, { Subnet: '10.99.3.0', Gateway: '10.99.3.1' }, ipam({ subnet: '10.99.0.0/16' }));
    try {
      await ctx.driver.files.write(NODE, `${s.dir}/ipam.config`, '{"Subnet": '); // cut off mid-object
      const r = await callPlugin(ctx, NODE, s.conf, env('ADD', 'bad'));
      const ok = r.code !== 0 && String(r.json?.msg ?? '').includes(`${s.dir}/ipam.config`);
      return ok
        ? pass(msg('v.ipam-file-errors.expected'), String(r.json.msg))
        : fail(msg('v.ipam-file-errors.expected'), msg('v.plugin.exitOutput', { code: r.code, output: short(r.stdout || r.stderr) }), msg('v.ipam-file-errors.hint'));
    } finally {
      await s.close();
    }
  },
};
