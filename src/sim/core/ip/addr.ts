// `ip address add|replace|change|delete|flush|show`.
import { linkByIndex, linkByName, type SimLink } from '../model.ts';
import { addAddress, broadcastPlus, deleteAddress, flushAddresses, getLinkOrFallback, OpError } from '../ops.ts';
import { addrInfo, addrText, jsonOut, linkJson, type Json } from './format.ts';
import type { IpEnv } from './index.ts';
import { Args, matches, parseAddrPrefix } from './parse.ts';
import { isIp4 } from '../ip4.ts';

const SCOPES: Record<string, 'global' | 'link' | 'host'> = { global: 'global', universe: 'global', link: 'link', host: 'host', '0': 'global', '253': 'link', '254': 'host' };

export function addrCmd(env: IpEnv, a: Args) {
  const sub = a.next();
  if (sub === undefined || matches(sub, 'show') || matches(sub, 'list') || sub === 'lst') return addrShow(env, a);
  if (matches(sub, 'add')) return addrModify(env, a, 'add');
  if (matches(sub, 'replace') || matches(sub, 'change')) return addrModify(env, a, 'replace');
  if (matches(sub, 'delete')) return addrModify(env, a, 'del');
  if (matches(sub, 'flush')) return addrFlush(env, a);
  throw new OpError(`Command "${sub}" is unknown, try "ip address help".`, 255);
}

function addrModify(env: IpEnv, a: Args, op: 'add' | 'replace' | 'del') {
  let prefix: { local: string; prefixlen: number } | undefined;
  let explicitLen = false;
  let dev: string | undefined;
  let brd: string | undefined;
  let scope: 'global' | 'link' | 'host' | undefined;
  let label: string | undefined;
  while (!a.done) {
    const w = a.next()!;
    if (w === 'dev') dev = a.value();
    else if (matches(w, 'broadcast') || w === 'brd') brd = a.value();
    else if (matches(w, 'scope')) {
      const v = a.value();
      scope = SCOPES[v];
      if (!scope) throw new OpError(`Error: argument "${v}" is wrong: invalid scope value.\n\n`, 255);
    } else if (w === 'label') label = a.value();
    else if (w === 'peer' || w === 'remote' || matches(w, 'anycast') || w === 'valid_lft' || w === 'preferred_lft' || w === 'metric' || w === 'priority') a.value();
    else if (/^(home|nodad|noprefixroute|mngtmpaddr|autojoin|optimistic)$/.test(w)) continue;
    else {
      const v = w === 'local' ? a.value() : w;
      if (prefix) throw new OpError(`Error: either "local" is duplicate, or "${v}" is a garbage.`, 255);
      prefix = parseAddrPrefix(v);
      explicitLen = v.includes('/');
    }
  }
  if (!dev) throw new OpError('Not enough information: "dev" argument is required.', 1);
  if (!prefix) throw new OpError(op === 'del' ? 'RTNETLINK answers: Operation not supported' : 'Not enough information: "local" argument is required.', op === 'del' ? 2 : 1);
  const l = getLinkOrFallback(env.ns, dev);
  if (label !== undefined && !label.startsWith(l.name)) throw new OpError(`"${label}" label must match device name`, 1);
  if (op === 'del') {
    if (!explicitLen) {
      env.err.push(
        `Warning: Executing wildcard deletion to stay compatible with old scripts.\n         Explicitly specify the prefix length (${prefix.local}/32) to avoid this warning.\n         This special behaviour is likely to disappear in further releases,\n         fix your scripts!\n`,
      );
    }
    deleteAddress(env.ns, l, prefix.local, explicitLen ? prefix.prefixlen : undefined);
    return;
  }
  let broadcast: string | undefined;
  if (brd === '+') broadcast = broadcastPlus(prefix.local, prefix.prefixlen);
  else if (brd === '-' || brd === undefined) broadcast = undefined;
  else if (isIp4(brd)) broadcast = brd;
  else throw new OpError(`Error: inet address is expected rather than "${brd}".`, 1);
  addAddress(env.ns, l, { ...prefix, ...(broadcast ? { broadcast } : {}), ...(scope ? { scope } : {}), ...(label ? { label } : {}) }, { replace: op === 'replace' });
}

interface AddrFilter {
  dev?: SimLink;
  up: boolean;
  type?: string;
  master?: SimLink;
  scope?: string;
  label?: string;
  prefix?: string;
}

function parseFilter(env: IpEnv, a: Args): AddrFilter {
  const f: AddrFilter = { up: false };
  while (!a.done) {
    const w = a.next()!;
    if (w === 'up') f.up = true;
    else if (w === 'type') f.type = a.value();
    else if (w === 'master') {
      const v = a.value();
      f.master = linkByName(env.ns, v);
      if (!f.master) throw new OpError(`Device "${v}" does not exist.`, 1);
    } else if (matches(w, 'scope')) f.scope = a.value();
    else if (w === 'label') f.label = a.value();
    else if (w === 'to') f.prefix = a.value();
    else if (/^(permanent|dynamic|secondary|primary|tentative|deprecated|dadfailed|temporary)$/.test(w)) continue;
    else {
      const name = w === 'dev' ? a.value() : w;
      const l = linkByName(env.ns, name);
      if (!l) throw new OpError(`Device "${name}" does not exist.`, 1);
      f.dev = l;
    }
  }
  return f;
}

function filtered(env: IpEnv, f: AddrFilter): SimLink[] {
  let links = [...env.ns.links].sort((x, y) => x.ifindex - y.ifindex);
  if (f.dev) links = [f.dev];
  if (f.up) links = links.filter((l) => l.up);
  if (f.type) links = links.filter((l) => l.kind === f.type || (f.type === 'bridge_slave' && linkByIndex(env.ns, l.master)?.kind === 'bridge'));
  if (f.master) links = links.filter((l) => l.master === f.master!.ifindex);
  return links;
}

function addrShow(env: IpEnv, a: Args) {
  const { world, ns, o } = env;
  const f = parseFilter(env, a);
  const links = filtered(env, f);
  if (o.json) {
    const arr: Json[] = [];
    for (const l of links) {
      const info = addrInfo(world, ns, l, o);
      if (o.family && info.length === 0) continue;
      const j = linkJson(world, ns, l, o, false);
      arr.push({ ...j, addr_info: info });
    }
    env.out.push(jsonOut(arr, o.pretty));
    return;
  }
  for (const l of links) {
    if (o.family && addrInfo(world, ns, l, o).length === 0) continue;
    env.out.push(addrText(world, ns, l, o));
  }
}

function addrFlush(env: IpEnv, a: Args) {
  if (a.done) throw new OpError('Flush requires arguments.', 255);
  const f = parseFilter(env, a);
  for (const l of filtered(env, f)) {
    if (env.o.family !== 'inet' && !f.scope && !f.label) l.noLinkLocal6 = true;
    flushAddresses(env.ns, l, (x) => (f.scope ? x.scope === f.scope : true) && (f.label ? (x.label ?? l.name) === f.label : true));
  }
}
