// The cluster's real state read into the simulated kernel's model, so a packet can be traced
// hop by hop on any backend: every node's and pod's links, addresses, routes, neighbours, fdb,
// forwarding and br_netfilter sysctls and nftables rulesets (masquerade, NetworkPolicy), as `ip -j`,
// `bridge -j`, `sysctl` and `nft` report them. The switches between nodes (the underlay segments) are rebuilt from the topology.
import { Pods, type PodInfo } from '../runtime/pods.ts';
import { networkOf } from '../sim/core/ip4.ts';
import { masqueradeOf, nft } from '../sim/core/nft.ts';
import { addNetns, createWorld, LINK_TYPES, linkByName, newLink, nextMac, type LinkKind, type SimLink, type SimNetns, type World } from '../sim/core/model.ts';
import type { LabEnv } from './backend.ts';
import { SWITCH } from './underlay.ts';

type J = Record<string, any>;

interface Place {
  id: string;
  node: string;
  pod?: string;
}


/** `pods`: the cluster's pods, if the caller has listed them already. */
export async function snapshotWorld(env: LabEnv, pods?: PodInfo[]): Promise<World> {
  const { driver, topology } = env;
  const world = createWorld();
  const places: Place[] = topology.nodes.map((n) => ({ id: n.name, node: n.name }));
  for (const p of pods ?? (await new Pods(driver).list())) places.push({ id: p.netns, node: p.node, pod: p.name });

  const run = (pl: Place, argv: string[]) => (pl.pod ? driver.execPod(pl.node, pl.pod, argv) : driver.exec(pl.node, argv));
  const json = async (pl: Place, argv: string[]): Promise<J[]> => {
    const r = await run(pl, argv);
    return r.code === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as J[]) : [];
  };

  const raw = await Promise.all(
    places.map(async (pl) => ({
      pl,
      links: await json(pl, ['ip', '-j', '-d', 'addr', 'show']),
      routes: await json(pl, ['ip', '-j', 'route', 'show', 'table', 'main']),
      neigh: await json(pl, ['ip', '-j', 'neigh', 'show']),
      fdb: pl.pod ? [] : await json(pl, ['bridge', '-j', 'fdb', 'show']),
      sysctl: (await run(pl, ['sysctl', 'net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter', ...(pl.pod ? [] : ['net.bridge.bridge-nf-call-iptables'])])).stdout,
      nft: pl.pod ? '' : (await run(pl, ['nft', 'list', 'ruleset'])).stdout,
    })),
  );

  const peerIndexes: PeerIndexes = new Map();
  for (const r of raw) {
    const ns = addNetns(world, r.pl.id, r.pl.pod ? { path: r.pl.id } : { name: r.pl.id });
    ns.links = [];
    for (const l of r.links) ns.links.push(toLink(ns, l, peerIndexes));
    ns.nextIfindex = Math.max(0, ...ns.links.map((l) => l.ifindex)) + 1;
    for (const l of r.links) {
      const link = linkByName(ns, l.ifname)!;
      if (l.master) link.master = linkByName(ns, l.master)?.ifindex;
      if (l.linkinfo?.info_kind === 'vxlan' && l.linkinfo.info_data?.link) link.vxlan!.dev = linkByName(ns, l.linkinfo.info_data.link)?.ifindex;
    }
    const dev = (name?: string) => (name ? linkByName(ns, name)?.ifindex : undefined);
    ns.routes = r.routes.map((x) => ({
      table: 'main' as const,
      type: x.type ?? 'unicast',
      dst: x.dst === 'default' ? 'default' : networkOf(x.dst.includes('/') ? x.dst : `${x.dst}/32`),
      ...(x.gateway ? { gateway: x.gateway } : {}),
      ...(dev(x.dev) !== undefined ? { dev: dev(x.dev) } : {}),
      protocol: x.protocol ?? 'boot',
      scope: x.scope ?? 'global',
      ...(x.prefsrc ? { prefsrc: x.prefsrc } : {}),
      ...((x.flags ?? []).includes('onlink') ? { onlink: true } : {}),
      ...(x.metric ? { metric: x.metric } : {}),
    }));
    ns.neighs = r.neigh
      .filter((n) => n.dst && dev(n.dev) !== undefined && !String(n.dst).includes(':'))
      .map((n) => ({ dst: n.dst, dev: dev(n.dev)!, ...(n.lladdr ? { lladdr: n.lladdr } : {}), state: (n.state?.[0] ?? 'STALE') as SimNetns['neighs'][number]['state'] }));
    ns.fdb = r.fdb
      .filter((f) => dev(f.ifname) !== undefined)
      .map((f) => ({
        mac: f.mac,
        dev: dev(f.ifname)!,
        ...(f.master ? { master: dev(f.master) } : {}),
        ...(f.dst ? { dst: f.dst } : {}),
        ...((f.flags ?? []).includes('self') ? { self: true } : {}),
        state: f.state === 'permanent' ? ('permanent' as const) : f.state === 'static' ? ('static' as const) : ('learned' as const),
      }));
    for (const line of r.sysctl.split('\n')) {
      const m = /^(\S+) = (\S+)$/.exec(line.trim());
      if (m) ns.sysctl[m[1]!] = m[2]!;
    }
    // The node's whole ruleset, loaded as the model's nft loads a script (a listing is valid nft
    // input), so a trace meets the same filters; a construct the model refuses leaves masquerade only.
    if (r.nft.trim() && nft({ world, ns: ns.id, stdin: r.nft }, ['-f', '-']).code === 0) continue;
    ns.nft.tables = {};
    ns.nft.masquerade = masqueradeRules(r.nft);
  }

  pairVeths(world, places, peerIndexes);
  addSegments(world, env);
  return world;
}

/** What each veth end says its peer's ifindex is (in the peer's namespace): matched by pairVeths. */
type PeerIndexes = Map<SimLink, number>;

function toLink(ns: SimNetns, l: J, peerIndexes: PeerIndexes): SimLink {
  const info = l.linkinfo ?? {};
  const kind: LinkKind = l.link_type === 'loopback' ? 'loopback' : (LINK_TYPES[info.info_kind] ?? 'dummy');
  const link = newLink(ns, { name: l.ifname, kind, mtu: l.mtu, mac: kind === 'ipip' ? '' : (l.address ?? '') });
  link.ifindex = l.ifindex;
  link.up = (l.flags as string[]).includes('UP');
  if (kind === 'bridge') link.hadPorts = true;
  if (kind === 'vxlan') {
    const d = info.info_data ?? {};
    link.vxlan = { id: d.id, ...(d.local ? { local: d.local } : {}), port: d.port ?? 8472, learning: d.learning !== false };
  }
  if (kind === 'ipip') {
    const d = info.info_data ?? {};
    link.ipip = { ...(d.local && d.local !== 'any' ? { local: d.local } : {}), ...(d.remote && d.remote !== 'any' ? { remote: d.remote } : {}), ttl: d.ttl ?? 0, pmtudisc: d.pmtudisc !== false };
  }
  if (info.info_slave_kind === 'bridge') {
    const s = info.info_slave_data ?? {};
    if (s.state && s.state !== 'forwarding') link.portState = s.state === 'disabled' ? 'disabled' : 'blocking';
    if (s.learning === false) link.learning = false;
  }
  link.addrs = (l.addr_info ?? [])
    .filter((a: J) => a.family === 'inet')
    .map((a: J) => ({ local: a.local, prefixlen: a.prefixlen, scope: a.scope ?? 'global', ...(a.broadcast ? { broadcast: a.broadcast } : {}), ...(a.label ? { label: a.label } : {}) }));
  if (kind === 'veth' && l.link_index !== undefined) peerIndexes.set(link, l.link_index);
  return link;
}

/**
 * A veth and its peer name each other's ifindex — but ifindexes are per namespace, so only a
 * pod's interfaces and the veths of its own node are matched (the uplinks go to the switches).
 */
function pairVeths(world: World, places: Place[], peerIndexes: PeerIndexes) {
  for (const pl of places.filter((p) => p.pod)) {
    const pod = world.namespaces[pl.id]!;
    const node = world.namespaces[pl.node]!;
    for (const a of pod.links.filter((l) => l.kind === 'veth')) {
      const b = node.links.find((l) => l.kind === 'veth' && l.ifindex === peerIndexes.get(a) && peerIndexes.get(l) === a.ifindex);
      if (!b) continue;
      a.peer = { ns: node.id, ifindex: b.ifindex };
      b.peer = { ns: pod.id, ifindex: a.ifindex };
    }
  }
}

/** Each underlay segment is a switch: a bridge whose ports are the other ends of the nodes' uplinks. */
function addSegments(world: World, env: LabEnv) {
  for (const seg of env.topology.segments) {
    const ns = addNetns(world, `seg-${seg.name}`, { name: `seg-${seg.name}` });
    ns.links[0]!.up = true;
    const sw = newLink(ns, { name: SWITCH, kind: 'bridge', mtu: env.topology.mtu, mac: nextMac(world), up: true, hadPorts: true });
    ns.links.push(sw);
    for (const n of env.topology.nodes) {
      for (const i of n.interfaces.filter((x) => x.segment === seg.name)) {
        const uplink = world.namespaces[n.name] && linkByName(world.namespaces[n.name]!, i.name);
        if (!uplink) continue;
        // A VM's NIC is a physical device (no link kind, read as a dummy): in the model it is the
        // same wire as a netns node's veth, its other end a port of the segment's switch.
        if (uplink.kind === 'dummy') uplink.kind = 'veth';
        const port = newLink(ns, { name: `${n.name}-${i.name}`, kind: 'veth', mtu: uplink.mtu, mac: nextMac(world), up: true, master: sw.ifindex });
        ns.links.push(port);
        port.peer = { ns: n.name, ifindex: uplink.ifindex };
        uplink.peer = { ns: ns.id, ifindex: port.ifindex };
        // A switch that has carried traffic knows where each uplink's address is.
        ns.fdb.push({ mac: uplink.mac, dev: port.ifindex, master: sw.ifindex, state: 'learned' });
      }
    }
  }
}

/** Masquerade rules from `nft list ruleset`, each read as the simulated nft reads a rule it loads. */
function masqueradeRules(ruleset: string): SimNetns['nft']['masquerade'] {
  const rules: SimNetns['nft']['masquerade'] = [];
  let table = '';
  for (const line of ruleset.split('\n').map((l) => l.trim())) {
    table = /^table ip (\S+) \{/.exec(line)?.[1] ?? table;
    const rule = masqueradeOf(table, line);
    if (rule) rules.push(rule);
  }
  return rules;
}
