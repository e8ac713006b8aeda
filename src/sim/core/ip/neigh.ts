// `ip neighbour add|replace|change|delete|flush|show`.
import { isIp4 } from '../ip4.ts';
import { linkByIndex, linkByName, neighState, type NeighState, type SimNeigh } from '../model.ts';
import { deleteNeigh, getLink, OpError, setNeigh } from '../ops.ts';
import { jsonOut, type Json } from './format.ts';
import type { IpEnv } from './index.ts';
import { Args, invalidArg, matches, parseMac } from './parse.ts';

const NUD: Record<string, NeighState> = { permanent: 'PERMANENT', reachable: 'REACHABLE', stale: 'STALE', delay: 'DELAY', probe: 'PROBE', failed: 'FAILED', incomplete: 'INCOMPLETE', noarp: 'NOARP' };

export function neighCmd(env: IpEnv, a: Args) {
  const sub = a.next();
  if (sub === undefined || matches(sub, 'show') || matches(sub, 'list') || sub === 'lst') return neighShow(env, a, false);
  if (matches(sub, 'add')) return neighModify(env, a, 'add');
  if (matches(sub, 'replace')) return neighModify(env, a, 'replace');
  if (matches(sub, 'change')) return neighModify(env, a, 'change');
  if (matches(sub, 'delete')) return neighModify(env, a, 'del');
  if (matches(sub, 'flush')) return neighShow(env, a, true);
  throw new OpError(`Command "${sub}" is unknown, try "ip neigh help".`, 255);
}

function neighModify(env: IpEnv, a: Args, op: 'add' | 'replace' | 'change' | 'del') {
  let dst: string | undefined;
  let dev: string | undefined;
  let lladdr: string | undefined;
  let state: NeighState | undefined;
  while (!a.done) {
    const w = a.next()!;
    if (w === 'lladdr') lladdr = parseMac(a.value());
    else if (w === 'nud') {
      const v = a.value();
      if (v === 'none') continue;
      state = NUD[v];
      if (!state) throw invalidArg(v, 'nud state is bad');
    } else if (w === 'dev') dev = a.value();
    else if (w === 'router' || w === 'proxy' || w === 'extern_learn' || w === 'managed') continue;
    else {
      const v = w === 'to' ? a.value() : w;
      if (!isIp4(v)) throw new OpError(`Error: inet address is expected rather than "${v}".`, 1);
      dst = v;
    }
  }
  if (!dev || !dst) throw new OpError('Device and destination are required arguments.', 255);
  const l = getLink(env.ns, dev);
  if (op === 'del') return deleteNeigh(env.ns, dst, l);
  setNeigh(env.ns, { dst, dev: l, ...(lladdr ? { lladdr } : {}), state: state ?? 'PERMANENT' }, op);
}

function neighShow(env: IpEnv, a: Args, flush: boolean) {
  const { ns, o } = env;
  let dev: number | undefined;
  let nud: string | undefined;
  let to: string | undefined;
  while (!a.done) {
    const w = a.next()!;
    if (w === 'dev') {
      const v = a.value();
      const l = linkByName(ns, v);
      if (!l) throw new OpError(`Cannot find device "${v}"`, 1);
      dev = l.ifindex;
    } else if (w === 'nud') nud = a.value();
    else if (w === 'proxy' || w === 'unused' || w === 'vrf') continue;
    else to = w === 'to' ? a.value() : w;
  }
  const pick = (n: SimNeigh) =>
    (dev === undefined || n.dev === dev) &&
    (to === undefined || n.dst === to) &&
    (nud === 'all' ? true : nud ? neighState(n) === NUD[nud] : flush ? n.state !== 'PERMANENT' && n.state !== 'NOARP' : true);
  if (flush) {
    if (dev === undefined && to === undefined && nud === undefined) throw new OpError('Flush requires arguments.', 255);
    ns.neighs = ns.neighs.filter((n) => !pick(n));
    return;
  }
  const list = ns.neighs.filter(pick);
  const rows: Json[] = list.map((n) => {
    const j: Json = { dst: n.dst };
    if (dev === undefined) j.dev = linkByIndex(ns, n.dev)?.name;
    if (n.lladdr) j.lladdr = n.lladdr;
    j.state = [neighState(n)];
    return j;
  });
  if (o.json) {
    env.out.push(jsonOut(rows, o.pretty));
    return;
  }
  for (const j of rows) env.out.push(`${j.dst} ${j.dev ? `dev ${j.dev} ` : ''}${j.lladdr ? `lladdr ${j.lladdr} ` : ''}${(j.state as string[]).join(',')} \n`);
}
