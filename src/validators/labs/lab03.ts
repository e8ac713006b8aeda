// 03 · IPAM from a static file: simplecni-ipam run with crafted input in a scratch lease dir
import { callPlugin, openScratch, short } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';

const NODE = 'node1';
const env = (command: string, id: string) => ({ CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' });
const ipam = (over: Record<string, unknown> = {}) => ({ type: 'simplecni-ipam', ...over });

export const checks: Record<string, CheckFn> = {
  'ipam-reserved': async (ctx) => {
    const s = await openScratch(ctx, NODE, { Subnet: '10.99.0.0/29', Gateway: '10.99.0.1' }, ipam({ subnet: '10.99.0.0/16' }));
    try {
      const got: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await callPlugin(ctx, NODE, s.conf, env('ADD', `c${i}`));
        got.push(r.code === 0 ? String(r.json?.ips?.[0]?.address ?? '?') : `error (${short(r.stdout || r.stderr, 80)})`);
      }
      const full = await callPlugin(ctx, NODE, s.conf, env('ADD', 'c5'));
      const expected = '10.99.0.2 … 10.99.0.6 in a /29 (never .0, .1 or .7), then an error when full';
      const ok = [...got].sort().join(',') === ['2', '3', '4', '5', '6'].map((n) => `10.99.0.${n}/29`).join(',') && full.code !== 0;
      const found = `${got.join(', ')}; 6th ADD ${full.code === 0 ? `got ${full.json?.ips?.[0]?.address}` : 'refused'}`;
      return ok ? pass(expected, found) : fail(expected, found, 'A /29 has 8 addresses. Which of them can never belong to a pod, and what should the 6th pod hear?');
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
      const found = `${addrs.length} of ${N} succeeded, ${new Set(addrs).size} distinct${dup.length ? `; handed out twice: ${[...new Set(dup)].join(', ')}` : ''}`;
      return addrs.length === N && new Set(addrs).size === N
        ? pass(`${N} successful ADDs, ${N} distinct addresses`, found)
        : fail(`${N} successful ADDs, ${N} distinct addresses`, found, 'Two ADDs that read the same counter before either writes it back get the same address. Make taking an address one atomic step.');
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
      const found = `ADD ${add.code === 0 ? add.json?.ips?.[0]?.address : 'failed'}, leases ${held.join(', ') || 'none'}; after DEL: ${after.join(', ') || 'none'}; second DEL exit ${del2.code}`;
      const ok = add.code === 0 && held.length === 1 && del.code === 0 && after.length === 0 && del2.code === 0;
      return ok
        ? pass('one lease after ADD, none after DEL, and a second DEL still succeeds', found)
        : fail('one lease after ADD, none after DEL, and a second DEL still succeeds', found, 'An address that is never given back leaks: after enough pods the subnet is "full" of nobody.');
    } finally {
      await s.close();
    }
  },

  'ipam-file-errors': async (ctx) => {
    const s = await openScratch(ctx, NODE, { Subnet: '10.99.3.0', Gateway: '10.99.3.1' }, ipam({ subnet: '10.99.0.0/16' }));
    try {
      await ctx.driver.exec(NODE, ['sh', '-c', 'printf "%s" "{\\"Subnet\\": " > "$0"', `${s.dir}/ipam.config`]);
      const r = await callPlugin(ctx, NODE, s.conf, env('ADD', 'bad'));
      const ok = r.code !== 0 && String(r.json?.msg ?? '').includes(`${s.dir}/ipam.config`);
      return ok
        ? pass('a non-zero exit whose message names the IPAM file', String(r.json.msg))
        : fail('a non-zero exit whose message names the IPAM file', `exit ${r.code}: ${short(r.stdout || r.stderr)}`, 'Someone will have to fix that file by hand: tell them which file, and what is wrong with it.');
    } finally {
      await s.close();
    }
  },
};
