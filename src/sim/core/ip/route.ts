// `ip route add|replace|append|change|delete|show|list|flush|get`.
import { fibLookup } from '../fib.ts';
import { inPrefix, isIp4, networkOf, prefixLen } from '../ip4.ts';
import { linkByIndex, linkByName, type SimRoute } from '../model.ts';
import { addRoute, deleteRoute, getLinkOrFallback, OpError, routeMatches, type RouteMatch, type RouteSpec } from '../ops.ts';
import { flushPmtu, pmtuFor } from '../pmtu.ts';
import { jsonOut, localTable, routeJson, routeOrder, routeText, type Json } from './format.ts';
import type { IpEnv } from './index.ts';
import { Args, invalidArg, matches, parseInet, parseRoutePrefix, parseUint } from './parse.ts';

const TYPES = ['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit'] as const;
const SCOPES: Record<string, SimRoute['scope']> = { global: 'global', universe: 'global', link: 'link', host: 'host' };
const PROTOS: Record<string, string> = { '0': 'unspec', '1': 'redirect', '2': 'kernel', '3': 'boot', '4': 'static' };

interface RouteArgs {
  dst?: string;
  type?: SimRoute['type'];
  via?: string;
  dev?: string;
  onlink: boolean;
  scope?: SimRoute['scope'];
  src?: string;
  proto?: string;
  metric?: number;
  table?: 'main' | 'local' | 'all';
  from?: string;
  oif?: string;
  selector: 'exact' | 'root' | 'match';
}

function parseRouteArgs(a: Args): RouteArgs {
  const r: RouteArgs = { onlink: false, selector: 'exact' };
  while (!a.done) {
    const w = a.next()!;
    if (w === 'via') {
      let v = a.value();
      if (v === 'inet') v = a.value();
      r.via = parseInet(v);
    } else if (w === 'dev' || w === 'oif') r.dev = a.value();
    else if (w === 'onlink') r.onlink = true;
    else if (w === 'scope') {
      const v = a.value();
      r.scope = SCOPES[v];
      if (!r.scope) throw invalidArg(v, 'invalid "scope" value');
    } else if (w === 'src') r.src = parseInet(a.value());
    else if (matches(w, 'protocol')) {
      const v = a.value();
      r.proto = PROTOS[v] ?? v;
    } else if (w === 'metric' || w === 'priority' || w === 'preference') r.metric = parseUint(a.value(), 'metric');
    else if (w === 'table') {
      const v = a.value();
      if (v === 'main' || v === '254') r.table = 'main';
      else if (v === 'local' || v === '255') r.table = 'local';
      else if (v === 'all' || v === '0') r.table = 'all';
      else throw invalidArg(v, 'invalid table ID');
    } else if (w === 'from') r.from = a.value();
    else if (w === 'iif') a.value();
    else if (w === 'mtu' || w === 'advmss' || w === 'initcwnd' || w === 'realm' || w === 'tos' || w === 'dsfield' || w === 'uid' || w === 'mark' || w === 'vrf') a.value();
    else if (w === 'root' || w === 'match' || w === 'exact') {
      r.selector = w;
      r.dst = parseRoutePrefix(a.value());
    } else if (w === 'cache' || w === 'cloned' || w === 'connected' || w === 'fibmatch' || w === 'pervasive') continue;
    else if ((TYPES as readonly string[]).includes(w) && r.dst === undefined && r.type === undefined) r.type = w as SimRoute['type'];
    else {
      const v = w === 'to' ? a.value() : w;
      if (r.dst !== undefined) throw new OpError(`Error: either "to" is duplicate, or "${v}" is a garbage.`, 255);
      r.dst = parseRoutePrefix(v);
    }
  }
  return r;
}

export function routeCmd(env: IpEnv, a: Args) {
  const sub = a.next();
  if (sub === undefined || matches(sub, 'show') || matches(sub, 'list') || sub === 'lst') return routeShow(env, parseRouteArgs(a), false);
  if (matches(sub, 'add')) return routeModify(env, a, 'add');
  if (matches(sub, 'replace') || matches(sub, 'change')) return routeModify(env, a, 'replace');
  if (matches(sub, 'append') || matches(sub, 'prepend')) return routeModify(env, a, 'append');
  if (matches(sub, 'delete')) return routeDel(env, a);
  if (matches(sub, 'flush')) {
    if (a.peek() === 'cache') return flushPmtu(env.ns);
    if (a.done) throw new OpError('"ip route flush" requires arguments.', 255);
    return routeShow(env, parseRouteArgs(a), true);
  }
  if (matches(sub, 'get')) return routeGet(env, a);
  throw new OpError(`Command "${sub}" is unknown, try "ip route help".`, 255);
}

function routeModify(env: IpEnv, a: Args, mode: 'add' | 'replace' | 'append') {
  const r = parseRouteArgs(a);
  if (r.dst === undefined) throw new OpError('Error: either "to" is duplicate, or "" is a garbage.', 255);
  const dev = r.dev !== undefined ? getLinkOrFallback(env.ns, r.dev) : undefined;
  if (r.table === 'all') throw invalidArg('all', 'invalid table ID');
  const spec: RouteSpec = {
    dst: r.dst,
    ...(r.type ? { type: r.type } : {}),
    ...(r.table ? { table: r.table } : {}),
    ...(r.via ? { gateway: r.via } : {}),
    ...(dev ? { dev } : {}),
    ...(r.onlink ? { onlink: true } : {}),
    ...(r.scope ? { scope: r.scope } : {}),
    ...(r.src ? { prefsrc: r.src } : {}),
    ...(r.proto ? { protocol: r.proto } : {}),
    ...(r.metric !== undefined ? { metric: r.metric } : {}),
  };
  addRoute(env.world, env.ns, spec, mode);
}

function toMatch(env: IpEnv, r: RouteArgs): RouteMatch {
  const m: RouteMatch = {};
  if (r.dst !== undefined) m.dst = r.dst;
  if (r.table) m.table = r.table;
  if (r.via) m.gateway = r.via;
  if (r.dev !== undefined) {
    const l = linkByName(env.ns, r.dev);
    if (!l) throw new OpError(`Cannot find device "${r.dev}"`, 1);
    m.dev = l.ifindex;
  }
  if (r.metric !== undefined) m.metric = r.metric;
  if (r.proto) m.protocol = r.proto;
  if (r.scope) m.scope = r.scope;
  if (r.type) m.type = r.type;
  return m;
}

function routeDel(env: IpEnv, a: Args) {
  const r = parseRouteArgs(a);
  if (r.dst === undefined) throw new OpError('RTNETLINK answers: No such process', 2);
  const m = toMatch(env, r);
  // Without "metric", the kernel deletes the first route of that prefix whatever its metric.
  deleteRoute(env.ns, m);
}

function selectorMatches(r: RouteArgs, route: SimRoute): boolean {
  if (r.dst === undefined) return true;
  const want = r.dst === 'default' ? 'default' : networkOf(r.dst);
  if (r.selector === 'exact') return route.dst === want;
  const rl = route.dst === 'default' ? 0 : prefixLen(route.dst);
  const wl = want === 'default' ? 0 : prefixLen(want);
  const rip = route.dst === 'default' ? '0.0.0.0' : route.dst.split('/')[0]!;
  const wip = want === 'default' ? '0.0.0.0' : want.split('/')[0]!;
  if (r.selector === 'root') return rl >= wl && inPrefix(rip, want === 'default' ? '0.0.0.0/0' : want);
  return rl <= wl && inPrefix(wip, route.dst === 'default' ? '0.0.0.0/0' : route.dst);
}

function routeShow(env: IpEnv, r: RouteArgs, flush: boolean) {
  const { world, ns, o } = env;
  const table = r.table ?? 'main';
  const m = toMatch(env, { ...r, dst: undefined, table: 'all' } as RouteArgs);
  const all: SimRoute[] = [...ns.routes.filter((x) => x.table === 'main').sort(routeOrder), ...[...localTable(ns), ...ns.routes.filter((x) => x.table === 'local')].sort(routeOrder)];
  const chosen = all.filter((x) => (table === 'all' || x.table === table) && routeMatches(x, m) && selectorMatches(r, x));
  if (flush) {
    const gone = new Set(chosen);
    ns.routes = ns.routes.filter((x) => !gone.has(x));
    return;
  }
  const shown = chosen.map((route) => ({ route, hideDev: r.dev !== undefined, showTable: table === 'all' }));
  if (o.json) env.out.push(jsonOut(shown.map((s) => routeJson(world, ns, s)), o.pretty));
  else for (const s of shown) env.out.push(routeText(world, ns, s));
}

function routeGet(env: IpEnv, a: Args) {
  const { world, ns, o } = env;
  const r = parseRouteArgs(a);
  if (r.dst === undefined) throw new OpError('need at least a destination address', 255);
  const dst = r.dst === 'default' ? '0.0.0.0' : r.dst.split('/')[0]!;
  if (!isIp4(dst)) throw new OpError(`Error: inet prefix is expected rather than "${r.dst}".`, 1);
  const oif = r.dev !== undefined ? linkByName(ns, r.dev) : undefined;
  if (r.dev !== undefined && !oif) throw new OpError(`Cannot find device "${r.dev}"`, 1);
  const hit = fibLookup(world, ns, dst, oif ? { oif: oif.ifindex } : {});
  if (hit.type === 'unreachable' || !('dev' in hit)) {
    throw new OpError(`RTNETLINK answers: ${'error' in hit ? hit.error : 'Network is unreachable'}`, 2);
  }
  const j: Json = {};
  if (hit.type === 'local') j.type = 'local';
  j.dst = dst;
  if (hit.gateway) j.gateway = hit.gateway;
  j.dev = hit.dev.name;
  const src = r.from ?? hit.src;
  if (src) j.prefsrc = src;
  j.flags = [];
  j.uid = 0;
  j.cache = hit.type === 'local' ? ['local'] : [];
  // A route exception path MTU discovery left (pmtu.ts), as the kernel's cache shows it.
  const learnt = hit.type === 'local' ? undefined : pmtuFor(ns, dst);
  if (learnt) {
    j.expires = learnt.expiresSec;
    j.metrics = [{ mtu: learnt.mtu }];
  }
  if (o.json) {
    env.out.push(jsonOut([j], o.pretty));
    return;
  }
  const cacheFlags = (j.cache as string[]).length ? `<${(j.cache as string[]).join(',')}> ` : '';
  const exception = learnt ? `expires ${learnt.expiresSec}sec mtu ${learnt.mtu} ` : '';
  env.out.push(`${j.type ? `${j.type} ` : ''}${j.dst} ${j.gateway ? `via ${j.gateway} ` : ''}dev ${j.dev} ${j.prefsrc ? `src ${j.prefsrc} ` : ''}uid 0 \n    cache ${cacheFlags}${exception}\n`);
  void linkByIndex;
}
