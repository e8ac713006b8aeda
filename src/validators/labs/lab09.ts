// 09 · Real containers on your network: a ctr container's lease and wiring on node1
import { ping } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';

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
async function noCtr(ctx: CheckContext): Promise<string | undefined> {
  const r = await ctx.driver.exec(NODE, ['sh', '-c', 'command -v ctr >/dev/null || { echo "ctr: not installed on node1" >&2; exit 127; }; ctr --version >/dev/null']);
  return r.code === 127 ? (r.stderr.trim().split('\n')[0] ?? 'no ctr on node1') : undefined;
}

export const checks: Record<string, CheckFn> = {
  'ctr-lease': async (ctx) => {
    const why = await noCtr(ctx);
    if (why) return fail('a lease on node1 owned by a containerd container', why, 'Lab 09 runs real containers with containerd: do it on a real node (the namespace backend as root, or the VMs).');
    const leases = await ctrLeases(ctx);
    return leases.length > 0
      ? pass('a lease on node1 owned by a containerd container', leases.map((l) => `${l.ip} (${l.id})`).join(', '))
      : fail('a lease on node1 owned by a containerd container', 'only cnilab pods hold leases', 'Start a container with ctr inside node1, with CNI networking on; ctr names it "<namespace>-<id>" when it calls the plugin.');
  },

  'ctr-wired': async (ctx) => {
    const leases = await ctrLeases(ctx);
    if (leases.length === 0) return fail('a running container answering ping from node1', 'no containerd lease on node1', 'The container must still be running (ctr run -d) for node1 to reach it.');
    const answers = [];
    for (const l of leases) if ((await ping(ctx.driver, NODE, l.ip)).ok) answers.push(l.ip);
    return answers.length > 0
      ? pass('a running container answering ping from node1', `answers: ${answers.join(', ')}`)
      : fail('a running container answering ping from node1', `leases ${leases.map((l) => l.ip).join(', ')} do not answer`, 'A lease without an answer is a container that stopped without a DEL: `ctr run -d` never calls DEL.');
  },
};
