// `ip link add|delete|set|show`.
import { resolveNetns } from '../command.ts';
import { isIp4 } from '../ip4.ts';
import { LINK_TYPES, linkByIndex, linkByName, type LinkKind, type SimLink } from '../model.ts';
import {
  addSimpleLink,
  addVeth,
  deleteLink,
  getLink,
  getLinkOrFallback,
  moveLink,
  noDevice,
  OpError,
  renameLink,
  setLinkDown,
  setLinkUp,
  setMac,
  setMaster,
  setMtu,
  setNomaster,
  ext,
} from '../ops.ts';
import { jsonOut, linkJson, linkText } from './format.ts';
import type { IpEnv } from './index.ts';
import { Args, invalidArg, matches, parseMac, parseMtu, parseUint } from './parse.ts';

interface LinkReq {
  dev?: string;
  name?: string;
  mtu?: number;
  address?: string;
  up?: boolean;
  netns?: string;
  master?: string;
  nomaster?: boolean;
  type?: string;
  /** Everything after `type T`. */
  typeArgs: string[];
}

function parseLinkReq(a: Args, forAdd: boolean): LinkReq {
  const r: LinkReq = { typeArgs: [] };
  while (!a.done) {
    const w = a.next()!;
    if (w === 'up') r.up = true;
    else if (w === 'down') r.up = false;
    else if (w === 'name') r.name = a.value();
    else if (matches(w, 'index')) a.value();
    else if (w === 'link') a.value();
    else if (matches(w, 'address')) r.address = parseMac(a.value(), 'address');
    else if (matches(w, 'broadcast') || w === 'brd') a.value();
    else if (matches(w, 'txqueuelen') || w === 'qlen' || matches(w, 'txqlen')) parseUint(a.value(), 'txqueuelen');
    else if (w === 'mtu') r.mtu = parseMtu(a.value());
    else if (w === 'netns') r.netns = a.value();
    else if (w === 'multicast' || w === 'allmulticast' || w === 'promisc' || w === 'trailers' || w === 'arp' || w === 'dynamic' || w === 'carrier' || w === 'protodown') a.value();
    else if (matches(w, 'type')) {
      r.type = a.value();
      r.typeArgs = a.a.slice(a.i);
      a.i = a.a.length;
    } else if (w === 'master') r.master = a.value();
    else if (w === 'nomaster') r.nomaster = true;
    else if (matches(w, 'alias') || matches(w, 'group') || matches(w, 'mode') || matches(w, 'state')) a.value();
    else if (matches(w, 'help')) throw new OpError(LINK_USAGE, 255);
    else {
      const dev = w === 'dev' ? a.value() : w;
      if (r.dev !== undefined) throw new OpError(`Error: either "dev" is duplicate, or "${dev}" is a garbage.`, 255);
      r.dev = dev;
    }
  }
  if (forAdd && r.dev !== undefined && r.name === undefined) r.name = r.dev;
  return r;
}

const LINK_USAGE = `Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME
		    [ txqueuelen PACKETS ]
		    [ address LLADDR ]
		    [ broadcast LLADDR ]
		    [ mtu MTU ] [index IDX ]
		    [ numtxqueues QUEUE_COUNT ]
		    [ numrxqueues QUEUE_COUNT ]
		    type TYPE [ ARGS ]`;


export function linkCmd(env: IpEnv, a: Args) {
  const sub = a.next();
  if (sub === undefined || matches(sub, 'show') || matches(sub, 'list') || sub === 'lst') return linkShow(env, a);
  if (matches(sub, 'add')) return linkAdd(env, a);
  if (matches(sub, 'delete')) return linkDel(env, a);
  if (matches(sub, 'set') || matches(sub, 'change')) return linkSet(env, a);
  if (matches(sub, 'help')) throw new OpError(LINK_USAGE, 255);
  throw new OpError(`Command "${sub}" is unknown, try "ip link help".`, 255);
}

function resolveTargetNs(env: IpEnv, ref: string) {
  const t = resolveNetns(env.world, ref, env.ctx.node);
  if (!t) throw invalidArg(ref, 'Invalid "netns" value');
  return t;
}

function linkAdd(env: IpEnv, a: Args) {
  const { world, ns } = env;
  const r = parseLinkReq(a, true);
  if (!r.type) throw new OpError('Not enough information: "type" argument is required', 255);
  const kind = LINK_TYPES[r.type];
  if (!kind) throw ext('Unknown device type.');
  if (r.name === undefined) throw new OpError('Not enough information: "dev" argument is required.', 255);
  if (r.name.length > 15 || r.name.includes('/') || /\s/.test(r.name)) throw invalidArg(r.name, '"name" not a valid ifname');
  const home = r.netns !== undefined ? resolveTargetNs(env, r.netns) : ns;
  const t = new Args(r.typeArgs);
  let made: SimLink;
  if (kind === 'veth') {
    let peer: LinkReq = { typeArgs: [] };
    if (!t.done) {
      if (t.next() !== 'peer') throw new OpError(`Error: either "dev" is duplicate, or "${t.a[0]}" is a garbage.`, 255);
      peer = parseLinkReq(t, true);
    }
    const peerNs = peer.netns !== undefined ? resolveTargetNs(env, peer.netns) : home;
    const { link, peer: p } = addVeth(world, home, r.name, { mtu: r.mtu, mac: r.address }, peer.name, peerNs, { mtu: peer.mtu, mac: peer.address });
    made = link;
    if (peer.up) setLinkUp(world, peerNs, p);
  } else if (kind === 'vxlan') {
    let id: number | undefined;
    let local: string | undefined;
    let dev: SimLink | undefined;
    let port: number | undefined;
    let learning = true;
    while (!t.done) {
      const w = t.next()!;
      if (matches(w, 'id') || w === 'vni') id = parseUint(t.value(), 'id');
      else if (w === 'local') {
        const v = t.value();
        if (!isIp4(v)) throw invalidArg(v, 'invalid local address');
        local = v;
      } else if (w === 'dev') {
        const v = t.value();
        dev = linkByName(home, v);
        if (!dev) throw new OpError(`Error: argument "${v}" is wrong: "dev" not a valid ifname\n`, 255);
      } else if (w === 'dstport') port = parseUint(t.value(), 'dstport');
      else if (w === 'nolearning') learning = false;
      else if (w === 'learning') learning = true;
      else if (w === 'ttl' || w === 'tos' || w === 'ageing' || w === 'remote' || w === 'group' || w === 'srcport' || w === 'maxaddress' || w === 'df' || w === 'flowlabel') {
        t.value();
        if (w === 'srcport') t.value();
      } else if (/^(no)?(proxy|rsc|l2miss|l3miss|udpcsum|udp6zerocsumtx|udp6zerocsumrx|external|gbp|gpe|remcsumtx|remcsumrx)$/.test(w)) continue;
      else throw new OpError(`vxlan: unknown command "${w}"?`, 255);
    }
    if (id === undefined) throw new OpError('vxlan: missing virtual network identifier', 255);
    if (home.links.some((l) => l.kind === 'vxlan' && l.vxlan?.id === id && l.vxlan.port === (port ?? 8472))) throw rtnlExists();
    made = addSimpleLink(world, home, r.name, 'vxlan', { mtu: r.mtu, mac: r.address, vxlan: { id, ...(local ? { local } : {}), ...(dev ? { dev: dev.ifindex } : {}), port: port ?? 8472, learning } });
    if (port === undefined) env.err.push('vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\nUse \'dstport 4789\' to get the IANA assigned value\nUse \'dstport 0\' to get default and quiet this message\n');
  } else if (kind === 'ipip') {
    let local: string | undefined;
    let remote: string | undefined;
    while (!t.done) {
      const w = t.next()!;
      if (w === 'local') local = t.value();
      else if (w === 'remote') remote = t.value();
      else if (w === 'ttl' || w === 'tos' || w === 'dev' || w === 'encap' || w === 'mode') t.value();
      else if (w === 'pmtudisc' || w === 'nopmtudisc') continue;
      else throw new OpError(`ipip: unknown command "${w}"?`, 255);
    }
    made = addSimpleLink(world, home, r.name, 'ipip', { mtu: r.mtu });
    if (made.name !== 'tunl0') made.ipip = { ...(local && local !== 'any' ? { local } : {}), ...(remote && remote !== 'any' ? { remote } : {}), ttl: 0, pmtudisc: true };
  } else {
    made = addSimpleLink(world, home, r.name, kind as 'bridge' | 'dummy', { mtu: r.mtu, mac: r.address });
  }
  if (r.master) setMaster(world, home, made, getLink(home, r.master));
  if (r.up) setLinkUp(world, home, made);
}

const rtnlExists = () => new OpError('RTNETLINK answers: File exists', 2);

function linkDel(env: IpEnv, a: Args) {
  const r = parseLinkReq(a, false);
  const name = r.dev ?? r.name;
  if (name === undefined) throw new OpError('Not enough information: "dev" argument is required.', 255);
  const l = linkByName(env.ns, name);
  if (!l) throw noDevice(name);
  if (r.type && LINK_TYPES[r.type] !== l.kind) throw new OpError('RTNETLINK answers: Operation not supported', 2);
  deleteLink(env.world, env.ns, l);
}

function linkSet(env: IpEnv, a: Args) {
  const { world } = env;
  let ns = env.ns;
  const r = parseLinkReq(a, false);
  const name = r.dev;
  if (name === undefined) throw new OpError('Not enough information: "dev" argument is required.', 255);
  let l = getLinkOrFallback(ns, name);
  if (r.type) throw new OpError('RTNETLINK answers: Operation not supported', 2);
  if (r.netns !== undefined) {
    const to = resolveTargetNs(env, r.netns);
    l = moveLink(world, ns, l, to);
    ns = to;
  }
  if (r.name !== undefined) renameLink(ns, l, r.name);
  if (r.mtu !== undefined) setMtu(ns, l, r.mtu);
  if (r.address !== undefined) setMac(ns, l, r.address);
  if (r.nomaster) setNomaster(world, ns, l);
  if (r.master !== undefined) {
    const br = linkByName(ns, r.master);
    if (!br) throw new OpError(`Device does not exist`, 1);
    setMaster(world, ns, l, br);
  }
  if (r.up === true) setLinkUp(world, ns, l);
  if (r.up === false) setLinkDown(world, ns, l);
}

function linkShow(env: IpEnv, a: Args) {
  const { world, ns, o } = env;
  let dev: string | undefined;
  let master: string | undefined;
  let type: string | undefined;
  let upOnly = false;
  while (!a.done) {
    const w = a.next()!;
    if (w === 'dev') dev = a.value();
    else if (w === 'master') master = a.value();
    else if (w === 'type') type = a.value();
    else if (w === 'up') upOnly = true;
    else if (w === 'vrf' || w === 'group') a.value();
    else if (matches(w, 'help')) throw new OpError(LINK_USAGE, 255);
    else if (dev === undefined) dev = w;
    else throw new OpError(`Error: either "dev" is duplicate, or "${w}" is a garbage.`, 255);
  }
  let links = [...ns.links].sort((x, y) => x.ifindex - y.ifindex);
  if (dev !== undefined) {
    const l = linkByName(ns, dev);
    if (!l) throw new OpError(`Device "${dev}" does not exist.`, 1);
    links = [l];
  }
  if (master !== undefined) {
    const br = linkByName(ns, master);
    if (!br) throw new OpError(`Device "${master}" does not exist.`, 1);
    links = links.filter((l) => l.master === br.ifindex);
  }
  if (type !== undefined) {
    const slave = type.endsWith('_slave') ? type.slice(0, -6) : undefined;
    links = links.filter((l) => (slave ? linkByIndex(ns, l.master)?.kind === slave : l.kind === type));
  }
  if (upOnly) links = links.filter((l) => l.up);
  if (o.json) env.out.push(jsonOut(links.map((l) => linkJson(world, ns, l, o, true)), o.pretty));
  else for (const l of links) env.out.push(linkText(world, ns, l, o));
}
