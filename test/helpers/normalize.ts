// Kernel state reduced to what both kernels must agree on: names, flags, MTU, masters,
// addresses, routes, permanent neighbours and fdb entries — not ifindexes, MACs, counters or
// the IPv6 link-local addresses Linux adds by itself.
type J = Record<string, any>;

const LINK_FLAGS_IGNORED = new Set(['MULTICAST', 'BROADCAST']);

export function normLinks(addrShow: J[]): J[] {
  return addrShow
    .map((l) => ({
      ifname: l.ifname,
      flags: (l.flags as string[]).filter((f) => !LINK_FLAGS_IGNORED.has(f)).sort(),
      mtu: l.mtu,
      operstate: l.operstate,
      master: l.master,
      link_type: l.link_type,
      addr: (l.addr_info ?? [])
        .filter((a: J) => a.family === 'inet')
        .map((a: J) => `${a.local}/${a.prefixlen} scope ${a.scope}${a.broadcast ? ` brd ${a.broadcast}` : ''}`)
        .sort(),
    }))
    .sort((a, b) => a.ifname.localeCompare(b.ifname));
}

export function normRoutes(routes: J[]): string[] {
  return routes
    .map((r) =>
      [
        r.type && r.type !== 'unicast' ? r.type : '',
        r.dst,
        r.gateway ? `via ${r.gateway}` : '',
        r.dev ? `dev ${r.dev}` : '',
        r.protocol ? `proto ${r.protocol}` : '',
        r.scope ? `scope ${r.scope}` : '',
        r.prefsrc ? `src ${r.prefsrc}` : '',
        r.metric ? `metric ${r.metric}` : '',
        ...((r.flags ?? []) as string[]).slice().sort(),
      ]
        .filter(Boolean)
        .join(' '),
    )
    .sort();
}

export function normNeigh(neigh: J[]): string[] {
  return neigh
    .filter((n) => (n.state as string[] | undefined)?.includes('PERMANENT'))
    .map((n) => `${n.dst} dev ${n.dev}${n.lladdr ? ` lladdr ${n.lladdr}` : ''} PERMANENT`)
    .sort();
}

/** Every neighbour entry: PERMANENT ones with their MAC; learned ones as "dynamic" (their MACs and timers are per run). */
export function normNeighAll(neigh: J[]): string[] {
  return neigh
    .map((n) => {
      const state = (n.state as string[] | undefined) ?? [];
      if (state.includes('PERMANENT')) return `${n.dst} dev ${n.dev}${n.lladdr ? ` lladdr ${n.lladdr}` : ''} PERMANENT`;
      return `${n.dst} dev ${n.dev} ${state.some((x) => x === 'FAILED' || x === 'INCOMPLETE') ? 'failed' : 'dynamic'}`;
    })
    .sort();
}

/** What `ip -d link` says of a tunnel device that the data plane depends on (not its counters or timers). */
const DETAILS: Record<string, string[]> = {
  ipip: ['proto', 'remote', 'local', 'ttl', 'pmtudisc'],
  vxlan: ['id', 'local', 'link', 'port', 'learning', 'ttl'],
};

export function normLinkDetails(links: J[]): J[] {
  return links.map((l) => {
    const kind = l.linkinfo?.info_kind as string | undefined;
    const data = (l.linkinfo?.info_data ?? {}) as J;
    return { ifname: l.ifname, mtu: l.mtu, kind, ...Object.fromEntries((DETAILS[kind ?? ''] ?? []).map((k) => [k, data[k]])) };
  });
}

export function normFdb(fdb: J[]): string[] {
  return fdb
    .filter((f) => f.dst !== undefined)
    .map((f) => `${f.mac} dev ${f.ifname}${f.dst ? ` dst ${f.dst}` : ''} ${(f.flags ?? []).join(',')} ${f.state ?? ''}`.trim())
    .sort();
}

/** Marks a ping answer where ping itself never ran: a comparison of two such answers proves nothing. */
export const NOT_RUN = '(ping did not run)';

/** A ping's outcome as both kernels must report it: exit code and the lines that carry meaning, without timings. */
export function normPing(r: { code: number; stdout: string; stderr: string }): string {
  const lines = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(PING |From |ping: |\d+ bytes from)|packets transmitted|^pipe /.test(l))
    .map((l) => l.replace(/time=[\d.]+ ms/, 'time=T').replace(/, time \d+ms/, ''));
  // Nothing of ping's own output: ping did not run (no such namespace, no such program…). Say what
  // happened instead, so two different failures never read as the same answer.
  if (lines.length === 0) return `exit ${r.code}: ${NOT_RUN} ${`${r.stdout} ${r.stderr}`.trim().split('\n')[0]}`;
  return `exit ${r.code}: ${lines.join(' | ')}`;
}
