// `bridge` (iproute2 6.1) on the simulated kernel: fdb add|append|replace|del|show and
// link show|set, including the entries the kernel keeps by itself (a port's own MAC as
// "master br permanent", the multicast addresses a link listens on as "self permanent").
import { fail, resolveNetns, type Command, type CommandResult } from './command.ts';
import { isIp4 } from './ip4.ts';
import { linkByIndex, linkByName, type SimFdb, type SimLink, type SimNetns, type World } from './model.ts';
import { fdbChange, linkLocal6, OpError, type FdbSpec } from './ops.ts';
import { jsonOut, linkFlags, linkName, portStateOf, type Json } from './ip/format.ts';
import { Args, matches, parseMac } from './ip/parse.ts';

interface BOpts {
  json: boolean;
  pretty: boolean;
  details: boolean;
}

export const bridge: Command = (ctx, args) => {
  const o: BOpts = { json: false, pretty: false, details: false };
  let nsId = ctx.ns;
  let i = 0;
  for (; i < args.length; i++) {
    let a = args[i]!;
    if (!a.startsWith('-')) break;
    if (a[1] === '-') a = a.slice(1);
    if (matches(a, '-json')) o.json = true;
    else if (matches(a, '-pretty')) o.pretty = true;
    else if (matches(a, '-details')) o.details = true;
    else if (matches(a, '-statistics') || matches(a, '-compressvlan') || matches(a, '-oneline') || matches(a, '-timestamp') || a === '-4' || a === '-6') continue;
    else if (matches(a, '-netns')) {
      const ref = args[++i] ?? '';
      const t = resolveNetns(ctx.world, ref, ctx.node);
      if (!t) return fail(`Cannot open network namespace "${ref}": No such file or directory`, 255);
      nsId = t.id;
    } else if (matches(a, '-Version')) return { code: 0, stdout: 'bridge utility, 6.1.0\n', stderr: '' };
    else return fail(`Option "${args[i]}" is unknown, try "bridge help".`, 255);
  }
  const ns = ctx.world.namespaces[nsId];
  if (!ns) return fail('Cannot open network namespace: No such file or directory', 255);
  const obj = args[i];
  const rest = new Args(args.slice(i + 1));
  const out: string[] = [];
  try {
    if (obj === undefined) return fail('Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { link | fdb | mdb | vlan | vni | monitor }', 255);
    if (matches(obj, 'fdb')) fdbCmd(ctx.world, ns, o, rest, out);
    else if (matches(obj, 'link')) linkCmd(ctx.world, ns, o, rest, out);
    else if (matches(obj, 'mdb') || matches(obj, 'vlan')) {
      if (o.json) out.push('[]\n');
    } else return fail(`Object "${obj}" is unknown, try "bridge help".`, 255);
  } catch (e) {
    // bridge(8) exits with 255 (-1) on any failure.
    if (e instanceof OpError) return { code: 255, stdout: out.join(''), stderr: e.message.endsWith('\n') ? e.message : `${e.message}\n` } satisfies CommandResult;
    throw e;
  }
  return { code: 0, stdout: out.join(''), stderr: '' };
};

// ------------------------------------------------------------------ fdb

function fdbCmd(world: World, ns: SimNetns, o: BOpts, a: Args, out: string[]) {
  const sub = a.next();
  if (sub === undefined || matches(sub, 'show') || matches(sub, 'list')) return fdbShow(world, ns, o, a, out);
  const op = matches(sub, 'add') ? 'add' : matches(sub, 'append') ? 'append' : matches(sub, 'replace') ? 'replace' : matches(sub, 'delete') ? 'del' : undefined;
  if (!op) throw new OpError(`Command "${sub}" is unknown, try "bridge fdb help".`, 255);
  let mac: string | undefined;
  let dev: string | undefined;
  let dst: string | undefined;
  let self = false;
  let master = false;
  let state: SimFdb['state'] = 'static';
  let vlan: number | undefined;
  while (!a.done) {
    const w = a.next()!;
    if (w === 'dev') dev = a.value();
    else if (w === 'dst') {
      const v = a.value();
      if (!isIp4(v)) throw new OpError(`Invalid address "${v}"`, 255);
      dst = v;
    } else if (w === 'self') self = true;
    else if (w === 'master') master = true;
    else if (w === 'permanent' || w === 'local') state = 'permanent';
    else if (w === 'static') state = 'static';
    else if (w === 'dynamic') state = 'learned';
    else if (w === 'vlan') vlan = Number(a.value());
    else if (w === 'port' || w === 'vni' || w === 'via' || w === 'src_vni' || w === 'nhid') a.value();
    else if (w === 'router' || w === 'use' || w === 'extern_learn' || w === 'sticky' || w === 'norouter') continue;
    else {
      if (mac !== undefined) throw new OpError(`fdb: either "dev" is duplicate, or "${w}" is a garbage.`, 255);
      mac = parseMac(w, 'mac address');
    }
  }
  if (!dev || !mac) throw new OpError('Device and address are required arguments.', 255);
  const l = linkByName(ns, dev);
  if (!l) throw new OpError(`Cannot find device "${dev}"`, 1);
  if (!self && !master) self = true;
  // A vxlan device keeps every entry it is given as permanent.
  if (l.kind === 'vxlan' && state === 'static') state = 'permanent';
  const spec: FdbSpec = { mac, dev: l, self, master, state, ...(dst ? { dst } : {}), ...(vlan !== undefined ? { vlan } : {}) };
  fdbChange(ns, spec, op);
}

/** Multicast addresses a link listens on (IPv4/IPv6 all-nodes, its solicited-node, a bridge's router groups). */
function mcastSelf(world: World, ns: SimNetns, l: SimLink): string[] {
  if (!l.up || (l.kind !== 'veth' && l.kind !== 'bridge' && l.kind !== 'dummy')) return [];
  const macs = ['33:33:00:00:00:01'];
  if (l.kind === 'bridge') macs.push('01:00:5e:00:00:6a', '33:33:00:00:00:6a');
  macs.push('01:00:5e:00:00:01');
  const ll = linkLocal6(world, ns, l);
  if (ll) macs.push(`33:33:ff:${l.mac.split(':').slice(3).join(':')}`);
  return macs;
}

interface FdbRow {
  mac: string;
  dev: SimLink;
  vlan?: number;
  dst?: string;
  self: boolean;
  master?: SimLink;
  state: SimFdb['state'];
}

function fdbRows(world: World, ns: SimNetns): FdbRow[] {
  const rows: FdbRow[] = [];
  const links = [...ns.links].sort((x, y) => x.ifindex - y.ifindex);
  for (const l of links) {
    if (l.kind === 'bridge') {
      for (const m of mcastSelf(world, ns, l)) rows.push({ mac: m, dev: l, self: true, state: 'permanent' });
      for (const f of ns.fdb) {
        if (f.master !== l.ifindex) continue;
        const dev = linkByIndex(ns, f.dev);
        if (dev) rows.push({ mac: f.mac, dev, self: false, master: l, state: f.state, ...(f.vlan !== undefined ? { vlan: f.vlan } : {}) });
      }
    }
    for (const f of ns.fdb) {
      if (f.dev !== l.ifindex || f.master !== undefined) continue;
      rows.push({ mac: f.mac, dev: l, self: true, state: f.state, ...(f.dst ? { dst: f.dst } : {}), ...(f.vlan !== undefined ? { vlan: f.vlan } : {}) });
    }
    if (l.kind !== 'bridge') for (const m of mcastSelf(world, ns, l)) rows.push({ mac: m, dev: l, self: true, state: 'permanent' });
  }
  // Entries of a bridge's table sit with the bridge: move each port's "master" rows before its own self rows.
  return rows;
}

const stateWord = (s: SimFdb['state']) => (s === 'permanent' ? 'permanent' : s === 'static' ? 'static' : '');

function fdbShow(world: World, ns: SimNetns, o: BOpts, a: Args, out: string[]) {
  let dev: SimLink | undefined;
  let br: SimLink | undefined;
  while (!a.done) {
    const w = a.next()!;
    if (w === 'dev' || w === 'brport') {
      const v = a.value();
      dev = linkByName(ns, v);
      if (!dev) throw new OpError(`Cannot find device "${v}"`, 1);
    } else if (w === 'br') {
      const v = a.value();
      br = linkByName(ns, v);
      if (!br) throw new OpError(`Cannot find bridge device "${v}"`, 1);
    } else if (w === 'vlan' || w === 'state') a.value();
  }
  let rows = fdbRows(world, ns);
  if (dev) rows = rows.filter((r) => r.dev === dev);
  if (br) rows = rows.filter((r) => r.dev === br || r.dev.master === br!.ifindex);
  const js: Json[] = rows.map((r) => {
    const j: Json = { mac: r.mac };
    if (!dev) j.ifname = r.dev.name;
    if (r.vlan !== undefined) j.vlan = r.vlan;
    if (r.dst) j.dst = r.dst;
    j.flags = r.self ? ['self'] : [];
    if (r.master) j.master = r.master.name;
    j.state = stateWord(r.state);
    return j;
  });
  if (o.json) {
    out.push(jsonOut(js, o.pretty));
    return;
  }
  for (const j of js) {
    let t = `${j.mac} `;
    if (j.ifname) t += `dev ${j.ifname} `;
    if (j.vlan !== undefined) t += `vlan ${j.vlan} `;
    if (j.dst) t += `dst ${j.dst} `;
    for (const f of j.flags as string[]) t += `${f} `;
    if (j.master) t += `master ${j.master} `;
    if (j.state) t += `${j.state} `;
    out.push(`${t.trimEnd()}\n`);
  }
}

// ------------------------------------------------------------------ link

const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

function linkCmd(world: World, ns: SimNetns, o: BOpts, a: Args, out: string[]) {
  const sub = a.next();
  if (sub === undefined || matches(sub, 'show') || matches(sub, 'list')) {
    let dev: SimLink | undefined;
    while (!a.done) {
      const w = a.next()!;
      const v = w === 'dev' ? a.value() : w;
      dev = linkByName(ns, v);
      if (!dev) throw new OpError(`Cannot find device "${v}"`, 1);
    }
    const ports = ns.links.filter((l) => l.master !== undefined && (!dev || l === dev)).sort((x, y) => x.ifindex - y.ifindex);
    const js = ports.map((l) => {
      const br = linkByIndex(ns, l.master)!;
      const name = linkName(world, ns, l);
      const j: Json = { ifindex: l.ifindex };
      if (name.includes('@')) {
        const peer = name.split('@')[1]!;
        if (peer.startsWith('if') && /^if\d+$/.test(peer)) j.link_index = Number(peer.slice(2));
        else j.link = peer;
      }
      Object.assign(j, { ifname: l.name, flags: linkFlags(world, ns, l), mtu: l.mtu, master: br.name, state: portStateOf(world, ns, l, br), priority: 32, cost: 2 });
      if (o.details) Object.assign(j, { hairpin: false, guard: false, root_block: false, fastleave: false, learning: l.learning !== false, flood: true, mcast_flood: true, bcast_flood: true, mcast_to_unicast: false, neigh_suppress: false, vlan_tunnel: false, isolated: false, locked: false });
      return { j, text: `${l.ifindex}: ${name}: <${linkFlags(world, ns, l).join(',')}> mtu ${l.mtu} master ${br.name} state ${j.state} priority 32 cost 2 \n` };
    });
    if (o.json) out.push(jsonOut(js.map((x) => x.j), o.pretty));
    else for (const x of js) out.push(x.text);
    return;
  }
  if (matches(sub, 'set')) {
    let dev: SimLink | undefined;
    while (!a.done) {
      const w = a.next()!;
      if (w === 'dev') {
        const v = a.value();
        dev = linkByName(ns, v);
        if (!dev) throw new OpError(`Cannot find device "${v}"`, 1);
      } else if (w === 'learning') {
        const v = a.value();
        if (!dev) throw new OpError('Device is a required argument.', 255);
        dev.learning = v === 'on';
      } else if (w === 'state') {
        const v = a.value();
        const n = /^\d+$/.test(v) ? Number(v) : PORT_STATES.indexOf(v);
        if (n < 0 || n > 4) throw new OpError(`Invalid state "${v}"`, 255);
        if (!dev) throw new OpError('Device is a required argument.', 255);
        if (dev.master === undefined) throw new OpError('RTNETLINK answers: Operation not supported', 2);
        dev.portState = n === 0 ? 'disabled' : n === 4 ? 'blocking' : 'forwarding';
        if (n === 3) delete dev.portState;
      } else if (/^(cost|priority|guard|hairpin|fastleave|root_block|flood|mcast_flood|bcast_flood|neigh_suppress|isolated|locked|mcast_to_unicast|vlan_tunnel|hwmode|backup_port)$/.test(w)) a.value();
      else if (w === 'self' || w === 'master') continue;
      else throw new OpError(`Error: either "dev" is duplicate, or "${w}" is a garbage.`, 255);
    }
    if (!dev) throw new OpError('Device is a required argument.', 255);
    return;
  }
  throw new OpError(`Command "${sub}" is unknown, try "bridge link help".`, 255);
}
