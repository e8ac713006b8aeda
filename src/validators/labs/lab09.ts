// 09 · Real containers on your network: a ctr container's lease and wiring on node1
import { ping } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';
import { msg, type Text } from '../../i18n/index.ts';

const NODE = 'node1';

/** Leases on node1 held by containerd containers ("<namespace>-<id>", e.g. default-web1). */
async function ctrLeases(ctx: CheckContext): Promise<{ ip: string; id: string }[]> {
  const list = await ctx.runtime.loadNetwork(NODE);
  const dir = `${(list.plugins[0] as { dataDir: string }).dataDir}/${list.name}`;
  const r = await ctx.driver.exec(NODE, ['sh', '-c', 'cd "$0" 2>/dev/null && for f in [0-9]*; do [ -f "$f" ] && printf "%s %s\\n" "$f" "$(head -n1 "$f" | tr -d "\\r")"; done; true', dir]);
  const pods = new Set((await ctx.driver.listPodNetns(NODE)).map((p) => p.pod));
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [ip, id] = l.split(' ') as [string, string];
      return { ip, id };
    })
    .filter((l) => !pods.has(l.id) && l.id.includes('-'));
}

/** Why node1 cannot run lab 09 (no containerd client there, as on a simulated node), or undefined. */
async function noCtr(ctx: CheckContext): Promise<Text | undefined> {
  const r = await ctx.driver.exec(NODE, ['sh', '-c', 'command -v ctr >/dev/null || { echo "ctr: not installed on node1" >&2; exit 127; }; ctr --version >/dev/null']);
  return r.code === 127 ? (r.stderr.trim().split('\n')[0] ?? msg('v.ctr.none')) : undefined;
}

export const checks: Record<string, CheckFn> = {
  'ctr-lease': async (ctx) => {
    const why = await noCtr(ctx);
    const expected = msg('v.ctr-lease.expected');
    if (why) return fail(expected, why, msg('v.ctr-lease.noCtrHint'));
    const leases = await ctrLeases(ctx);
    return leases.length > 0
      ? pass(expected, leases.map((l) => `${l.ip} (${l.id})`).join(', '))
      : fail(expected, msg('v.ctr-lease.found'), msg('v.ctr-lease.hint'));
  },

  'ctr-wired': async (ctx) => {
    const leases = await ctrLeases(ctx);
    const expected = msg('v.ctr-wired.expected');
    if (leases.length === 0) return fail(expected, msg('v.ctr-wired.noLease'), msg('v.ctr-wired.noLeaseHint'));
    const answers = [];
    for (const l of leases) if ((await ping(ctx.driver, NODE, l.ip)).ok) answers.push(l.ip);
    return answers.length > 0
      ? pass(expected, msg('v.ctr-wired.answers', { ips: answers.join(', ') }))
      : fail(expected, msg('v.ctr-wired.silent', { ips: leases.map((l) => l.ip).join(', ') }), msg('v.ctr-wired.hint'));
  },
};
