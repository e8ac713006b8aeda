// How iproute2 6.1 prints links, addresses, routes and neighbours: text, -brief, -oneline and JSON
// (with key order as `ip -j` prints them).
import { hasCarrier, IPIP_FALLBACK, linkByIndex, operState, vethPeer, type SimLink, type SimNetns, type SimRoute, type World } from '../model.ts';
import { isSecondary, linkLocal6 } from '../ops.ts';
import { toInt, prefixLen } from '../ip4.ts';

export interface Opts {
  json: boolean;
  details: boolean;
  brief: boolean;
  stats: boolean;
  pretty: boolean;
  oneline: boolean;
  family?: 'inet' | 'inet6';
}

export type Json = Record<string, unknown>;

export function linkFlags(world: World, ns: SimNetns, l: SimLink): string[] {
  const f: string[] = [];
  const carrier = hasCarrier(world, ns, l);
  if (l.up && !carrier) f.push('NO-CARRIER');
  if (l.kind === 'loopback') f.push('LOOPBACK');
  else if (l.kind === 'ipip') f.push('NOARP');
  else f.push('BROADCAST', 'MULTICAST');
  if (l.up) f.push('UP');
  if (l.up && carrier) f.push('LOWER_UP');
  // M-DOWN: iproute2 marks a link whose lower link (a veth's peer, same namespace) is down.
  const peer = vethPeer(world, l);
  if (peer && peer.ns === ns && !peer.link.up) f.push('M-DOWN');
  return f;
}

/** "eth0@if3", "va@vb", "tunl0@NONE" or plain "br0". */
export function linkName(world: World, ns: SimNetns, l: SimLink): string {
  const peer = vethPeer(world, l);
  if (peer) return peer.ns === ns ? `${l.name}@${peer.link.name}` : `${l.name}@if${peer.link.ifindex}`;
  if (l.kind === 'ipip') return `${l.name}@NONE`;
  return l.name;
}

const linkType = (l: SimLink) => (l.kind === 'loopback' ? 'loopback' : l.kind === 'ipip' ? 'ipip' : 'ether');
const linkAddr = (l: SimLink) => (l.kind === 'ipip' ? '0.0.0.0' : l.mac);
const linkBrd = (l: SimLink) => (l.kind === 'loopback' ? '00:00:00:00:00:00' : l.kind === 'ipip' ? '0.0.0.0' : 'ff:ff:ff:ff:ff:ff');
const qdisc = (l: SimLink) => (l.up ? 'noqueue' : 'noop');

function netnsRef(world: World, ns: SimNetns, l: SimLink): { id: number; name?: string } | undefined {
  const peer = vethPeer(world, l);
  if (!peer || peer.ns === ns) return undefined;
  return { id: ns.netnsids?.[peer.ns.id] ?? 0, ...(peer.ns.name ? { name: peer.ns.name } : {}) };
}

function infoData(world: World, ns: SimNetns, l: SimLink): Json | undefined {
  if (l.kind === 'vxlan' && l.vxlan) {
    const v = l.vxlan;
    const under = linkByIndex(ns, v.dev);
    return {
      id: v.id,
      ...(v.local ? { local: v.local } : {}),
      ...(under ? { link: under.name } : {}),
      port_range: { low: 0, high: 0 },
      port: v.port,
      learning: v.learning,
      ttl: 0,
      df: 'unset',
      ageing: 300,
      udp_csum: true,
      udp_zero_csum6_tx: false,
      udp_zero_csum6_rx: false,
    };
  }
  if (l.kind === 'ipip') {
    const t = l.ipip ?? { ttl: 0, pmtudisc: false };
    // The module's own fallback device carries any inner protocol (IFLA_IPTUN_PROTO 0: "any", as the
    // recorded 6.1 kernel shows); a device made with `ip link add … type ipip` gets IPPROTO_IPIP.
    return { proto: l.name === IPIP_FALLBACK ? 'any' : 'ipip', remote: t.remote ?? 'any', local: t.local ?? 'any', ttl: t.ttl, pmtudisc: t.pmtudisc };
  }
  if (l.kind === 'bridge') {
    const id = `8000.${bridgeIdMac(l.mac)}`;
    return { forward_delay: 1500, hello_time: 200, max_age: 2000, ageing_time: 30000, stp_state: 0, priority: 32768, vlan_filtering: 0, bridge_id: id, root_id: id, root_port: 0, root_path_cost: 0 };
  }
  void world;
  return undefined;
}

/** The bridge id prints each MAC byte without leading zeros: "8000.2:11:22:33:44:55". */
const bridgeIdMac = (mac: string) => mac.split(':').map((b) => parseInt(b, 16).toString(16)).join(':');

function slaveData(world: World, ns: SimNetns, l: SimLink): Json | undefined {
  const br = linkByIndex(ns, l.master);
  if (!br) return undefined;
  const id = `8000.${bridgeIdMac(br.mac)}`;
  const no = ns.links.filter((p) => p.master === br.ifindex).sort((a, b) => a.ifindex - b.ifindex).indexOf(l) + 1;
  return {
    state: portStateOf(world, ns, l, br),
    priority: 32,
    cost: 2,
    hairpin: false,
    guard: false,
    root_block: false,
    fastleave: false,
    learning: l.learning !== false,
    flood: true,
    id: `0x${(0x8000 + no).toString(16)}`,
    no: `0x${no.toString(16)}`,
    designated_port: 0x8000 + no,
    designated_cost: 0,
    bridge_id: id,
    root_id: id,
  };
}

/** A port forwards once it and its bridge are up with carrier (STP is off); "disabled" otherwise. */
export function portStateOf(world: World, ns: SimNetns, l: SimLink, br: SimLink | undefined): string {
  if (l.portState === 'blocking') return 'blocking';
  if (l.portState === 'disabled') return 'disabled';
  return br?.up && hasCarrier(world, ns, l) ? 'forwarding' : 'disabled';
}

export function linkJson(world: World, ns: SimNetns, l: SimLink, o: Opts, withLinkmode: boolean): Json {
  const peer = vethPeer(world, l);
  const master = linkByIndex(ns, l.master);
  const j: Json = { ifindex: l.ifindex };
  if (peer) {
    if (peer.ns === ns) j.link = peer.link.name;
    else j.link_index = peer.link.ifindex;
  } else if (l.kind === 'ipip') j.link = null;
  j.ifname = l.name;
  j.flags = linkFlags(world, ns, l);
  j.mtu = l.mtu;
  j.qdisc = qdisc(l);
  if (master) j.master = master.name;
  j.operstate = operState(world, ns, l);
  if (withLinkmode) j.linkmode = 'DEFAULT';
  j.group = 'default';
  j.txqlen = 1000;
  j.link_type = linkType(l);
  j.address = linkAddr(l);
  j.broadcast = linkBrd(l);
  const ref = netnsRef(world, ns, l);
  if (ref) j.link_netnsid = ref.id;
  if (o.stats) {
    const s = l.stats;
    j.stats64 = {
      rx: { bytes: s.rxBytes, packets: s.rxPackets, errors: 0, dropped: s.rxDropped, over_errors: 0, multicast: 0 },
      tx: { bytes: s.txBytes, packets: s.txPackets, errors: 0, dropped: s.txDropped, carrier_errors: 0, collisions: 0 },
    };
  }
  if (o.details) {
    j.promiscuity = master ? 1 : 0;
    j.allmulti = master ? 1 : 0;
    j.min_mtu = l.kind === 'loopback' ? 0 : l.kind === 'ipip' ? 0 : 68;
    j.max_mtu = l.kind === 'loopback' ? 0 : l.kind === 'ipip' ? 65515 : 65535;
    if (l.kind !== 'loopback') {
      const info: Json = { info_kind: l.kind };
      const data = infoData(world, ns, l);
      if (data) info.info_data = data;
      const sd = slaveData(world, ns, l);
      if (sd) {
        info.info_slave_kind = 'bridge';
        info.info_slave_data = sd;
      }
      j.linkinfo = info;
    }
    if (withLinkmode) j.inet6_addr_gen_mode = 'eui64';
    j.num_tx_queues = l.kind === 'veth' ? 2 : 1;
    j.num_rx_queues = l.kind === 'veth' ? 2 : 1;
  }
  return j;
}

export function addrInfo(world: World, ns: SimNetns, l: SimLink, o: Opts): Json[] {
  const out: Json[] = [];
  if (o.family !== 'inet6') {
    l.addrs.forEach((a, i) => {
      const j: Json = { family: 'inet', local: a.local, prefixlen: a.prefixlen };
      if (a.broadcast) j.broadcast = a.broadcast;
      j.scope = a.scope;
      if (isSecondary(l, i)) j.secondary = true;
      j.label = a.label ?? l.name;
      j.valid_life_time = 4294967295;
      j.preferred_life_time = 4294967295;
      out.push(j);
    });
  }
  if (o.family !== 'inet') {
    const six = inet6Of(world, ns, l);
    if (six) out.push({ family: 'inet6', local: six.local, prefixlen: six.prefixlen, scope: six.scope, valid_life_time: 4294967295, preferred_life_time: 4294967295 });
  }
  return out;
}

function inet6Of(world: World, ns: SimNetns, l: SimLink): { local: string; prefixlen: number; scope: string } | undefined {
  if (l.kind === 'loopback') return l.up && !l.noLinkLocal6 ? { local: '::1', prefixlen: 128, scope: 'host' } : undefined;
  const ll = linkLocal6(world, ns, l);
  return ll ? { local: ll, prefixlen: 64, scope: 'link' } : undefined;
}

function linkLineText(world: World, ns: SimNetns, l: SimLink, withMode: boolean): string {
  const master = linkByIndex(ns, l.master);
  return (
    `${l.ifindex}: ${linkName(world, ns, l)}: <${linkFlags(world, ns, l).join(',')}> mtu ${l.mtu} qdisc ${qdisc(l)} ` +
    `${master ? `master ${master.name} ` : ''}state ${operState(world, ns, l)} ${withMode ? 'mode DEFAULT ' : ''}group default qlen 1000`
  );
}

function linkLayerText(world: World, ns: SimNetns, l: SimLink, o: Opts): string {
  const ref = netnsRef(world, ns, l);
  let s = `    link/${linkType(l)} ${linkAddr(l)} brd ${linkBrd(l)}`;
  if (ref) s += ref.name ? ` link-netns ${ref.name}` : ` link-netnsid ${ref.id}`;
  if (o.details) {
    const master = linkByIndex(ns, l.master);
    s += ` promiscuity ${master ? 1 : 0}  allmulti ${master ? 1 : 0} minmtu ${l.kind === 'loopback' || l.kind === 'ipip' ? 0 : 68} maxmtu ${l.kind === 'loopback' ? 0 : l.kind === 'ipip' ? 65515 : 65535} `;
    const kind = detailsKindText(ns, l);
    if (kind) s += `\n    ${kind}`;
    const sd = slaveData(world, ns, l);
    if (sd) s += `\n    bridge_slave state ${sd.state} priority 32 cost 2 hairpin off guard off root_block off fastleave off learning ${sd.learning ? 'on' : 'off'} flood on port_id ${sd.id} port_no ${sd.no} `;
    s += `addrgenmode eui64 numtxqueues ${l.kind === 'veth' ? 2 : 1} numrxqueues ${l.kind === 'veth' ? 2 : 1} `;
  }
  return s;
}

function detailsKindText(ns: SimNetns, l: SimLink): string | undefined {
  if (l.kind === 'veth') return 'veth ';
  if (l.kind === 'vxlan' && l.vxlan) {
    const v = l.vxlan;
    const under = linkByIndex(ns, v.dev);
    return `vxlan id ${v.id} ${v.local ? `local ${v.local} ` : ''}${under ? `dev ${under.name} ` : ''}srcport 0 0 dstport ${v.port} ${v.learning ? '' : 'nolearning '}ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx `;
  }
  if (l.kind === 'ipip') return `ipip ${l.ipip?.remote ? `remote ${l.ipip.remote}` : 'any remote any'} local ${l.ipip?.local ?? 'any'} ttl inherit ${l.ipip?.pmtudisc ? 'pmtudisc' : 'nopmtudisc'} `;
  if (l.kind === 'bridge') return `bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0 priority 32768 vlan_filtering 0 `;
  if (l.kind === 'dummy') return 'dummy ';
  return undefined;
}

function statsText(l: SimLink): string {
  const s = l.stats;
  const row = (vals: number[]) => '    ' + vals.map((v, i) => String(v).padStart(i === 0 ? 10 : 7)).join(' ') + ' ';
  return [
    '    RX:  bytes packets errors dropped  missed   mcast           ',
    row([s.rxBytes, s.rxPackets, 0, s.rxDropped, 0, 0]),
    '    TX:  bytes packets errors dropped carrier collsns           ',
    row([s.txBytes, s.txPackets, 0, s.txDropped, 0, 0]),
  ].join('\n');
}

export function linkText(world: World, ns: SimNetns, l: SimLink, o: Opts): string {
  if (o.brief) return `${linkName(world, ns, l).padEnd(16)} ${operState(world, ns, l).padEnd(14)} ${linkAddr(l)} <${linkFlags(world, ns, l).join(',')}> \n`;
  const lines = [linkLineText(world, ns, l, true), linkLayerText(world, ns, l, o)];
  if (o.stats) lines.push(statsText(l));
  if (o.oneline) return lines.join('\\') + '\n';
  return lines.join('\n') + '\n';
}

export function addrText(world: World, ns: SimNetns, l: SimLink, o: Opts): string {
  const infos = addrInfo(world, ns, l, o);
  if (o.brief) {
    return `${linkName(world, ns, l).padEnd(16)} ${operState(world, ns, l).padEnd(14)} ${infos.map((a) => `${a.local}/${a.prefixlen} `).join('')}\n`;
  }
  const addrLines = infos.map((a) => {
    const flags = [a.secondary ? 'secondary ' : ''].join('');
    const main =
      a.family === 'inet'
        ? `    inet ${a.local}/${a.prefixlen} ${a.broadcast ? `brd ${a.broadcast} ` : ''}scope ${a.scope} ${flags}${a.label}`
        : `    inet6 ${a.local}/${a.prefixlen} scope ${a.scope} `;
    return [main, '       valid_lft forever preferred_lft forever'];
  });
  if (o.oneline) {
    return addrLines.map(([m, v]) => `${l.ifindex}: ${l.name}    ${m!.trim()}\\${v}`).join('\n') + (addrLines.length ? '\n' : '');
  }
  const lines = [linkLineText(world, ns, l, false), linkLayerText(world, ns, l, o), ...addrLines.flat()];
  if (o.stats) lines.push(statsText(l));
  return lines.join('\n') + '\n';
}

// ------------------------------------------------------------------ routes

export interface ShownRoute {
  route: SimRoute;
  /** Omitted fields: dev when filtered by dev, table unless `table all`. */
  hideDev?: boolean;
  showTable?: boolean;
}

/** The kernel's FIB dumps in trie order: by address, then shorter prefix first, then metric. */
export function routeOrder(a: SimRoute, b: SimRoute): number {
  const ka = a.dst === 'default' ? 0 : toInt(a.dst.split('/')[0]!);
  const kb = b.dst === 'default' ? 0 : toInt(b.dst.split('/')[0]!);
  return ka - kb || plen(a) - plen(b) || (a.metric ?? 0) - (b.metric ?? 0);
}
const plen = (r: SimRoute) => (r.dst === 'default' ? 0 : prefixLen(r.dst));

const routeDst = (r: SimRoute) => (r.dst !== 'default' && r.dst.endsWith('/32') ? r.dst.slice(0, -3) : r.dst);

export function routeJson(world: World, ns: SimNetns, s: ShownRoute): Json {
  const r = s.route;
  const j: Json = {};
  if (r.type !== 'unicast') j.type = r.type;
  j.dst = routeDst(r);
  if (r.gateway) j.gateway = r.gateway;
  const dev = linkByIndex(ns, r.dev);
  if (dev && !s.hideDev) j.dev = dev.name;
  if (s.showTable && r.table !== 'main') j.table = r.table;
  if (r.protocol !== 'boot') j.protocol = r.protocol;
  if (r.scope !== 'global') j.scope = r.scope;
  if (r.prefsrc) j.prefsrc = r.prefsrc;
  if (r.metric) j.metric = r.metric;
  j.flags = routeFlags(world, ns, r);
  return j;
}

function routeFlags(world: World, ns: SimNetns, r: SimRoute): string[] {
  const f: string[] = [];
  if (r.onlink) f.push('onlink');
  const dev = linkByIndex(ns, r.dev);
  if (dev && r.table === 'main' && !hasCarrier(world, ns, dev)) f.push('linkdown');
  return f;
}

export function routeText(world: World, ns: SimNetns, s: ShownRoute): string {
  const j = routeJson(world, ns, s);
  let t = '';
  if (j.type) t += `${j.type} `;
  t += `${j.dst} `;
  if (j.gateway) t += `via ${j.gateway} `;
  if (j.dev) t += `dev ${j.dev} `;
  if (j.table) t += `table ${j.table} `;
  if (j.protocol) t += `proto ${j.protocol} `;
  if (j.scope) t += `scope ${j.scope} `;
  if (j.prefsrc) t += `src ${j.prefsrc} `;
  if (j.metric) t += `metric ${j.metric} `;
  for (const f of j.flags as string[]) t += `${f} `;
  return t + '\n';
}

/** The local table the kernel keeps for every address of an up link: local, and broadcast entries. */
export function localTable(ns: SimNetns): SimRoute[] {
  const out: SimRoute[] = [];
  for (const l of ns.links) {
    if (!l.up) continue;
    l.addrs.forEach((a, i) => {
      const primary = l.addrs.slice(0, i + 1).find((b) => b.prefixlen === a.prefixlen && (isSecondary(l, i) ? true : b === a)) ?? a;
      const src = isSecondary(l, i) ? primary.local : a.local;
      if (l.kind === 'loopback' && a.prefixlen < 32) {
        out.push({ table: 'local', type: 'local', dst: `${netOf(a.local, a.prefixlen)}/${a.prefixlen}`, dev: l.ifindex, protocol: 'kernel', scope: 'host', prefsrc: a.local });
      }
      out.push({ table: 'local', type: 'local', dst: `${a.local}/32`, dev: l.ifindex, protocol: 'kernel', scope: 'host', prefsrc: src });
      if (a.prefixlen < 31 && !isSecondary(l, i)) {
        const brd = a.broadcast ?? bcast(a.local, a.prefixlen);
        out.push({ table: 'local', type: 'broadcast', dst: `${brd}/32`, dev: l.ifindex, protocol: 'kernel', scope: 'link', prefsrc: src });
      }
    });
  }
  // One entry per destination and type (two addresses can share a broadcast).
  const seen = new Set<string>();
  return out.filter((r) => {
    const k = `${r.type} ${r.dst}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const netOf = (ip: string, len: number) => {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const n = (toInt(ip) & m) >>> 0;
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
};
const bcast = (ip: string, len: number) => {
  const m = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const n = (toInt(ip) | (~m >>> 0)) >>> 0;
  return [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff].join('.');
};

/** Output of `ip` in JSON: one array; iproute2 prints it on one line, or indented with -p. */
export const jsonOut = (v: unknown, pretty: boolean) => (pretty ? JSON.stringify(v, null, 4) + '\n' : JSON.stringify(v) + '\n');
