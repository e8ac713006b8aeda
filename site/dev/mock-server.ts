// A mock of the lab server, for working on the site without root, nodes or the real server.
// Implements src/server/api.ts with canned data (the lab list is read from labs/labs.yaml), a fake
// shell per node over the terminal WebSocket, and serves site/dist.
//
//   npx vite build site && npx tsx site/dev/mock-server.ts
//   → open the printed http://127.0.0.1:5178/#token=… URL
//
// GET /api/trace has canned traces: node1/web → node3/web (vxlan: across in VXLAN; host-gw: dropped
// at the router) and node1/web → node1/db; anything else is a 400 saying so.
// Environment: PORT (5178), MOCK_TOKEN (random), MOCK_SCENARIO (vxlan | host-gw | fresh | node3-down | empty),
// MOCK_DELAY_MS (350, between two check lines).
// Dev-only controls (token required): POST /__mock/state {"scenario","fail":{"<path>":status},"passAll"},
// POST /__mock/drop (closes every terminal socket, to see the site reconnect).
// In the fake shell: help, ip -br addr, ip route, stty size, echo …, clear, drop, error, exit [code].
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type {
  ApiCheckDone,
  ApiCheckLine,
  ApiCheckResult,
  ApiDone,
  ApiHints,
  ApiLabs,
  ApiNode,
  ApiSolution,
  ApiTopology,
  ApiTrace,
  ApiTraceHop,
  TermClientMessage,
  TermServerMessage,
} from '../../src/server/api.ts';
import { toApiLab } from '../../src/server/api.ts';
import { serveStatic } from '../../src/server/static.ts';
import { loadCatalog, type Lab } from '../../src/labs/catalog.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '..', '..');
const dist = resolve(repo, 'site', 'dist');
const PORT = Number(process.env.PORT ?? 5178);
const TOKEN = process.env.MOCK_TOKEN ?? randomBytes(18).toString('base64url');
const DELAY = Number(process.env.MOCK_DELAY_MS ?? 350);
const NODES = ['node1', 'node2', 'node3', 'router'];

// ---------------------------------------------------------------- labs

const catalog = loadCatalog();

const state = {
  passed: new Set<string>(['00', '01', '02', '03']),
  current: '04' as string | undefined,
  hintsShown: new Map<string, number>([['04', 1]]),
  attempts: new Map<string, number>(),
  scenario: (process.env.MOCK_SCENARIO ?? 'vxlan') as string,
  fail: {} as Record<string, number>,
  passAll: false,
};

function labsPayload(): ApiLabs {
  return { labs: catalog.map((l) => toApiLab(l, state.passed.has(l.id))), current: state.current, nodes: NODES, terminals: [{ id: 'workstation', label: 'your machine', kind: 'workstation' }, ...NODES.map((n) => ({ id: n, label: n, kind: 'node' as const }))], cluster: 'lab', backend: 'netns' };
}

function hintsPayload(l: Lab): ApiHints {
  const all = l.hints;
  const n = Math.min(all.length, state.hintsShown.get(l.id) ?? 0);
  return { lab: l.id, hints: all.slice(0, n), remaining: all.length - n };
}

/** First run of a lab: every third check fails; later runs pass. */
function checkResult(l: Lab, c: { id: string; title: string }, i: number, attempt: number): ApiCheckResult {
  const fails = !state.passAll && attempt === 1 && i % 3 === 1;
  const canned: Record<string, [string, string, string]> = {
    'pod-wired': [
      'eth0 in pod web: up, 10.244.1.2/24, peer vetheb20d994 on simplecni0',
      'eth0 in pod web is DOWN (state DOWN, no carrier)',
      'Inside the pod, nothing is up until you say so, loopback included.',
    ],
    'pod-result': [
      'interfaces [simplecni0, vetheb20d994, eth0] and ips[0].interface = 2',
      'interfaces [vetheb20d994, eth0], ips[0].interface = 1',
      'The result lists the bridge first, as the reference `bridge` plugin does: `ips[].interface` is an index into `interfaces`.',
    ],
    'vxlan-peers': [
      'on node1: neigh 10.244.3.0 lladdr 0e:53:c0:a8:39:0d PERMANENT',
      'on node1: neigh 10.244.3.0 lladdr 0e:53:c0:a8:39:d PERMANENT',
      'The VTEP MAC of a peer is derived from its underlay address: each byte is two hex digits.',
    ],
  };
  const [expected, found, hint] = canned[c.id] ?? [
    `${c.title.toLowerCase()}`,
    fails ? 'not the case on node1 (mock)' : 'as expected',
    l.hints?.[i % Math.max(1, l.hints.length)] ?? 'Look at the node with `ip -d link`.',
  ];
  return { id: c.id, title: c.title, passed: !fails, expected, found: fails ? found : expected, hint: fails ? hint : '' };
}

// ---------------------------------------------------------------- topology

function worker(
  name: string,
  ip: string,
  segment: string,
  n: number,
  opts: { pods?: { name: string; host: number; veth: string; mtu?: number }[]; tunnels?: ApiNode['tunnels']; routes?: ApiNode['routes']; bridge?: boolean; reachable?: boolean },
): ApiNode {
  const subnet = `10.244.${n}.0/24`;
  return {
    name,
    role: 'worker',
    reachable: opts.reachable ?? true,
    underlay: [{ ifname: 'eth1', address: ip, segment, up: true }],
    podSubnet: subnet,
    bridge: opts.bridge === false ? undefined : { name: 'simplecni0', up: true, addresses: [`10.244.${n}.1/24`], mtu: 1450 },
    pods: (opts.pods ?? []).map((p) => ({ name: p.name, address: `10.244.${n}.${p.host}`, hostVeth: p.veth, mtu: p.mtu ?? 1450 })),
    routes: opts.routes ?? [],
    tunnels: opts.tunnels ?? [],
  };
}

const router = (routes: ApiNode['routes'] = []): ApiNode => ({
  name: 'router',
  role: 'router',
  reachable: true,
  underlay: [
    { ifname: 'eth1', address: '192.168.56.254', segment: 'A', up: true },
    { ifname: 'eth2', address: '192.168.57.254', segment: 'B', up: true },
  ],
  pods: [],
  routes,
  tunnels: [],
});

function topology(): ApiTopology {
  const segments = [
    { name: 'A', cidr: '192.168.56.0/24' },
    { name: 'B', cidr: '192.168.57.0/24' },
  ];
  const base = { clusterCidr: '10.244.0.0/16', segments };
  const vx = (n: number) => ({ dst: `10.244.${n}.0/24`, via: `10.244.${n}.0`, dev: 'flannel.1', onlink: true });
  const flannel = [{ name: 'flannel.1', kind: 'vxlan', mtu: 1450, up: true }];
  switch (state.scenario) {
    case 'empty':
      return { mode: 'host-gw', ...base, nodes: [] };
    case 'fresh':
      return {
        mode: 'host-gw',
        ...base,
        nodes: [
          worker('node1', '192.168.56.11', 'A', 1, { bridge: false }),
          worker('node2', '192.168.56.12', 'A', 2, { bridge: false }),
          router(),
          worker('node3', '192.168.57.13', 'B', 3, { bridge: false }),
        ],
      };
    case 'host-gw':
      return {
        mode: 'host-gw',
        ...base,
        nodes: [
          worker('node1', '192.168.56.11', 'A', 1, {
            pods: [
              { name: 'web', host: 2, veth: 'vetheb20d994', mtu: 1500 },
              { name: 'db', host: 3, veth: 'veth979f8780', mtu: 1500 },
            ],
            routes: [{ dst: '10.244.2.0/24', via: '192.168.56.12', dev: 'eth1', onlink: false }],
          }),
          worker('node2', '192.168.56.12', 'A', 2, {
            pods: [{ name: 'web', host: 2, veth: 'vetheb20d994', mtu: 1500 }],
            routes: [{ dst: '10.244.1.0/24', via: '192.168.56.11', dev: 'eth1', onlink: false }],
          }),
          router(),
          worker('node3', '192.168.57.13', 'B', 3, { pods: [{ name: 'web', host: 2, veth: 'vetheb20d994', mtu: 1500 }] }),
        ],
      };
    case 'node3-down':
    case 'vxlan':
    default:
      return {
        mode: 'vxlan',
        ...base,
        nodes: [
          worker('node1', '192.168.56.11', 'A', 1, {
            pods: [
              { name: 'web', host: 2, veth: 'vetheb20d994' },
              { name: 'db', host: 3, veth: 'veth979f8780', mtu: 1500 },
            ],
            tunnels: flannel,
            routes: [vx(2), vx(3)],
          }),
          worker('node2', '192.168.56.12', 'A', 2, { pods: [{ name: 'web', host: 2, veth: 'vetheb20d994' }], tunnels: flannel, routes: [vx(1), vx(3)] }),
          router(),
          worker('node3', '192.168.57.13', 'B', 3, {
            pods: [{ name: 'web', host: 2, veth: 'vetheb20d994' }],
            tunnels: flannel,
            routes: [vx(1), vx(2)],
            reachable: state.scenario !== 'node3-down',
          }),
        ],
      };
  }
}

// ---------------------------------------------------------------- packet traces

type Hop = Omit<ApiTraceHop, 'direction'>;
const VXLAN_OUTER = (src: string, dst: string) => `${src} → ${dst} UDP 8472 VXLAN vni 1 (+50 bytes)`;
const hops = (direction: ApiTraceHop['direction'], list: Hop[]): ApiTraceHop[] => list.map((h) => ({ direction, ...h }));

/** vxlan mode, node1/web (10.244.1.2) → node3/web (10.244.3.2): across the router, in VXLAN. */
function vxlanTrace(): ApiTrace {
  const req = VXLAN_OUTER('192.168.56.11', '192.168.57.13');
  const rep = VXLAN_OUTER('192.168.57.13', '192.168.56.11');
  return {
    from: 'node1/web',
    to: 'node3/web',
    dst: '10.244.3.2',
    ok: true,
    summary: 'reply received',
    hops: [
      ...hops('request', [
        { where: 'node1/web', step: 'route', dev: 'eth0', detail: 'route 10.244.3.2: default via 10.244.1.1 dev eth0 (no longer match in the pod)' },
        { where: 'node1/web', step: 'neigh', dev: 'eth0', detail: 'neigh 10.244.1.1 lladdr 4a:6c:1e:0b:22:01 (simplecni0) REACHABLE' },
        { where: 'node1/web', step: 'send', dev: 'eth0', detail: 'out eth0: 10.244.1.2 → 10.244.3.2 ICMP echo request, 84 bytes, TTL 64' },
        { where: 'node1', step: 'veth', dev: 'vetheb20d994', detail: 'in on vetheb20d994, the host end of web’s eth0, a port of simplecni0' },
        { where: 'node1', step: 'bridge', dev: 'simplecni0', detail: 'bridge simplecni0: destination MAC is the bridge’s own → up to node1’s IP layer' },
        { where: 'node1', step: 'route', dev: 'flannel.1', detail: 'route 10.244.3.0/24 via 10.244.3.0 dev flannel.1 onlink (longest match /24)' },
        { where: 'node1', step: 'forward', detail: 'net.ipv4.ip_forward = 1: forwarded, TTL 64 → 63' },
        { where: 'node1', step: 'neigh', dev: 'flannel.1', detail: 'neigh 10.244.3.0 lladdr 0e:53:c0:a8:39:0d PERMANENT (node3’s VTEP MAC)' },
        { where: 'node1', step: 'bridge', dev: 'flannel.1', detail: 'fdb 0e:53:c0:a8:39:0d dst 192.168.57.13 self permanent: that VTEP is node3' },
        { where: 'node1', step: 'encap', dev: 'flannel.1', detail: 'VXLAN VNI 1: the whole frame goes inside UDP to 192.168.57.13 port 8472', outer: req },
        { where: 'node1', step: 'route', dev: 'eth1', detail: 'route 192.168.57.13: default via 192.168.56.254 dev eth1', outer: req },
        { where: 'node1', step: 'send', dev: 'eth1', detail: 'out eth1 to 52:54:00:56:fe:01 (neigh 192.168.56.254, the router), 134 bytes', outer: req },
        { where: 'seg-a', step: 'bridge', detail: 'switch a: 52:54:00:56:fe:01 is on port router-eth1', outer: req },
        { where: 'router', step: 'route', dev: 'eth2', detail: 'route 192.168.57.13: 192.168.57.0/24 dev eth2 (connected)', outer: req },
        { where: 'router', step: 'forward', dev: 'eth2', detail: 'forwarded out eth2 to 52:54:00:57:0d:01 (neigh 192.168.57.13), TTL 64 → 63', outer: req },
        { where: 'seg-b', step: 'bridge', detail: 'switch b: 52:54:00:57:0d:01 is on port node3-eth1', outer: req },
        { where: 'node3', step: 'decap', dev: 'flannel.1', detail: 'UDP 8472 to 192.168.57.13, VNI 1 = flannel.1: the outer headers come off', outer: req },
        { where: 'node3', step: 'route', dev: 'simplecni0', detail: 'route 10.244.3.2: 10.244.3.0/24 dev simplecni0 (connected), TTL 63 → 62' },
        { where: 'node3', step: 'neigh', dev: 'simplecni0', detail: 'neigh 10.244.3.2 lladdr 9e:1f:4d:33:b0:02 REACHABLE' },
        { where: 'node3', step: 'bridge', dev: 'simplecni0', detail: 'fdb 9e:1f:4d:33:b0:02 on port vetheb20d994' },
        { where: 'node3', step: 'veth', dev: 'vetheb20d994', detail: 'out vetheb20d994, in at its peer: eth0 of pod web' },
        { where: 'node3/web', step: 'deliver', dev: 'eth0', detail: '10.244.3.2 is this pod’s own address: echo request delivered, the kernel answers' },
      ]),
      ...hops('reply', [
        { where: 'node3/web', step: 'route', dev: 'eth0', detail: 'route 10.244.1.2: default via 10.244.3.1 dev eth0' },
        { where: 'node3/web', step: 'send', dev: 'eth0', detail: 'out eth0: 10.244.3.2 → 10.244.1.2 ICMP echo reply, 84 bytes, TTL 64' },
        { where: 'node3', step: 'veth', dev: 'vetheb20d994', detail: 'in on vetheb20d994, a port of simplecni0' },
        { where: 'node3', step: 'route', dev: 'flannel.1', detail: 'route 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink, TTL 64 → 63' },
        { where: 'node3', step: 'neigh', dev: 'flannel.1', detail: 'neigh 10.244.1.0 lladdr 0e:53:c0:a8:38:0b PERMANENT (node1’s VTEP MAC)' },
        { where: 'node3', step: 'bridge', dev: 'flannel.1', detail: 'fdb 0e:53:c0:a8:38:0b dst 192.168.56.11 self permanent' },
        { where: 'node3', step: 'encap', dev: 'flannel.1', detail: 'VXLAN VNI 1 to 192.168.56.11 port 8472', outer: rep },
        { where: 'node3', step: 'send', dev: 'eth1', detail: 'route 192.168.56.11: default via 192.168.57.254 dev eth1; out eth1', outer: rep },
        { where: 'seg-b', step: 'bridge', detail: 'switch b: to port router-eth2', outer: rep },
        { where: 'router', step: 'forward', dev: 'eth1', detail: 'route 192.168.56.11: 192.168.56.0/24 dev eth1 (connected); forwarded, TTL 64 → 63', outer: rep },
        { where: 'seg-a', step: 'bridge', detail: 'switch a: to port node1-eth1', outer: rep },
        { where: 'node1', step: 'decap', dev: 'flannel.1', detail: 'UDP 8472, VNI 1 = flannel.1: the outer headers come off', outer: rep },
        { where: 'node1', step: 'route', dev: 'simplecni0', detail: 'route 10.244.1.2: 10.244.1.0/24 dev simplecni0 (connected), TTL 63 → 62' },
        { where: 'node1', step: 'bridge', dev: 'simplecni0', detail: 'fdb: web’s MAC on port vetheb20d994' },
        { where: 'node1/web', step: 'deliver', dev: 'eth0', detail: 'echo reply for 10.244.1.2 delivered to ping: 1 received' },
      ]),
    ],
  };
}

/**
 * host-gw mode, node1/web → node3/web: node1 has no route to 10.244.3.0/24 (node3 is not on its
 * segment), so the default route hands the packet to the router, whose table is only its two
 * connected segments: "Network is unreachable". Its ICMP error would go to 10.244.1.2, for which
 * it has no route either, so nothing comes back at all (lab 06, step 6).
 */
function hostGwTrace(): ApiTrace {
  return {
    from: 'node1/web',
    to: 'node3/web',
    dst: '10.244.3.2',
    ok: false,
    summary: 'dropped at router: no route to 10.244.3.2 (Network is unreachable); its ICMP error cannot reach 10.244.1.2 either, so ping just times out',
    hops: [
      ...hops('request', [
        { where: 'node1/web', step: 'route', dev: 'eth0', detail: 'route 10.244.3.2: default via 10.244.1.1 dev eth0' },
        { where: 'node1/web', step: 'send', dev: 'eth0', detail: 'out eth0: 10.244.1.2 → 10.244.3.2 ICMP echo request, 84 bytes, TTL 64' },
        { where: 'node1', step: 'veth', dev: 'vetheb20d994', detail: 'in on vetheb20d994, a port of simplecni0' },
        { where: 'node1', step: 'route', dev: 'eth1', detail: 'route 10.244.3.2: no 10.244.3.0/24 route, so default via 192.168.56.254 dev eth1' },
        { where: 'node1', step: 'forward', dev: 'eth1', detail: 'net.ipv4.ip_forward = 1: forwarded, TTL 64 → 63' },
        { where: 'node1', step: 'send', dev: 'eth1', detail: 'out eth1 to 52:54:00:56:fe:01 (neigh 192.168.56.254, the router)' },
        { where: 'seg-a', step: 'bridge', detail: 'switch a: 52:54:00:56:fe:01 is on port router-eth1' },
        { where: 'router', step: 'route', detail: 'route 10.244.3.2: no match (the router knows only 192.168.56.0/24 and 192.168.57.0/24, and has no default): Network is unreachable' },
        { where: 'router', step: 'drop', detail: 'dropped: no route to 10.244.3.2' },
      ]),
      ...hops('reply', [
        { where: 'router', step: 'icmp', detail: 'ICMP destination net unreachable for 10.244.1.2 (type 3 code 0)' },
        { where: 'router', step: 'route', detail: 'route 10.244.1.2: no match either: Network is unreachable' },
        { where: 'router', step: 'drop', detail: 'the ICMP error is dropped too: node1/web hears nothing and ping times out' },
      ]),
    ],
  };
}

/** node1/web → node1/db: two pods on one bridge, no routing between nodes at all. */
function sameNodeTrace(): ApiTrace {
  return {
    from: 'node1/web',
    to: 'node1/db',
    dst: '10.244.1.3',
    ok: true,
    summary: 'reply received',
    hops: [
      ...hops('request', [
        { where: 'node1/web', step: 'route', dev: 'eth0', detail: 'route 10.244.1.3: 10.244.1.0/24 dev eth0 (connected: same subnet, no gateway)' },
        { where: 'node1/web', step: 'neigh', dev: 'eth0', detail: 'neigh 10.244.1.3 lladdr 6a:02:9c:e1:40:03 REACHABLE' },
        { where: 'node1/web', step: 'send', dev: 'eth0', detail: 'out eth0: 10.244.1.2 → 10.244.1.3 ICMP echo request' },
        { where: 'node1', step: 'bridge', dev: 'simplecni0', detail: 'fdb 6a:02:9c:e1:40:03 on port veth979f8780: switched, not routed' },
        { where: 'node1/db', step: 'deliver', dev: 'eth0', detail: '10.244.1.3 is this pod’s own address: delivered' },
      ]),
      ...hops('reply', [
        { where: 'node1/db', step: 'send', dev: 'eth0', detail: 'out eth0: 10.244.1.3 → 10.244.1.2 ICMP echo reply' },
        { where: 'node1', step: 'bridge', dev: 'simplecni0', detail: 'fdb 4e:11:a0:7c:52:02 on port vetheb20d994' },
        { where: 'node1/web', step: 'deliver', dev: 'eth0', detail: 'echo reply delivered to ping: 1 received' },
      ]),
    ],
  };
}

/** A canned trace for the scenario, or the error the real server would give. */
function traceFor(from: string, to: string): { status: number; body: ApiTrace | { error: string } } {
  const topo = topology();
  const known = (e: string) => {
    const [n, p] = e.split('/');
    const node = topo.nodes.find((x) => x.name === n);
    return !!node && (p === undefined || node.pods.some((x) => x.name === p));
  };
  if (!known(from)) return { status: 400, body: { error: `no pod or node ${JSON.stringify(from)} in the cluster` } };
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(to) && !known(to)) return { status: 400, body: { error: `no pod or node ${JSON.stringify(to)} in the cluster` } };
  if (from === 'node1/web' && to === 'node1/db') return { status: 200, body: sameNodeTrace() };
  if (from === 'node1/web' && (to === 'node3/web' || to === '10.244.3.2')) {
    if (state.scenario === 'host-gw') return { status: 200, body: { ...hostGwTrace(), to } };
    if (state.scenario === 'vxlan') return { status: 200, body: { ...vxlanTrace(), to } };
  }
  return {
    status: 400,
    body: { error: `the mock only has canned traces node1/web → node3/web (scenarios vxlan and host-gw) and node1/web → node1/db, not ${from} → ${to} in ${state.scenario}` },
  };
}

// ---------------------------------------------------------------- HTTP

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function originOk(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return !origin || origin === `http://${req.headers.host}`;
}

function authed(req: IncomingMessage): boolean {
  return req.headers.authorization === `Bearer ${TOKEN}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function handleApi(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  if (!originOk(req)) return send(res, 403, { error: `requests from ${req.headers.origin} are refused` });
  if (!authed(req)) return send(res, 401, { error: 'missing or wrong token' });
  const forced = state.fail[pathname];
  if (forced) return send(res, forced, { error: `mock failure for ${pathname} (HTTP ${forced})` });
  const method = req.method ?? 'GET';

  if (method === 'GET' && pathname === '/api/labs') return send(res, 200, labsPayload());
  if (method === 'GET' && pathname === '/api/topology') {
    await sleep(150);
    return send(res, 200, topology());
  }

  if (method === 'GET' && pathname === '/api/trace') {
    await sleep(250);
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const from = q.get('from') ?? '';
    const to = q.get('to') ?? '';
    if (!from || !to) return send(res, 400, { error: 'from and to are both required' });
    const { status, body } = traceFor(from, to);
    return send(res, status, body);
  }

  const m = /^\/api\/labs\/([\w-]+)\/(check|hint|hints|solution|reset|solve)$/.exec(pathname);
  if (m) {
    const [, id, action] = m;
    const lab = catalog.find((l) => l.id === id);
    if (!lab) return send(res, 404, { error: `no lab ${id}` });
    if (action === 'hints' && method === 'GET') return send(res, 200, hintsPayload(lab));
    if (action === 'hint' && method === 'POST') {
      state.hintsShown.set(lab.id, Math.min(lab.hints?.length ?? 0, (state.hintsShown.get(lab.id) ?? 0) + 1));
      return send(res, 200, hintsPayload(lab));
    }
    if (action === 'solution' && method === 'GET') {
      const available = state.passed.has(lab.id);
      const body: ApiSolution = {
        lab: lab.id,
        available,
        regions: available
          ? [
              {
                file: 'src/plugin/plugin.ts',
                line: 156,
                description: 'the bridge (if missing) and the veth pair, in one ip -batch',
                code: `const lines = calcBridgeFixes(bridge, conf, gateway);\nlines.push(\n  \`link add \${hostVeth} mtu \${mtu} address \${hostMac} type veth peer name \${args.ifname} mtu \${mtu} address \${podMac} netns \${args.netns}\`,\n  \`link set \${hostVeth} master \${conf.bridge} up\`,\n);\nawait host.ipBatch(lines);\nundo.push(() => host.ipBatch([\`link del \${hostVeth}\`]));`,
              },
              {
                file: 'src/plugin/plugin.ts',
                line: 221,
                description: 'the node must forward the pods’ packets',
                code: `if ((await host.getSysctl('net.ipv4.ip_forward')) !== '1') {\n  await host.setSysctl('net.ipv4.ip_forward', '1');\n}`,
              },
            ]
          : [],
      };
      return send(res, 200, body);
    }
    if ((action === 'reset' || action === 'solve') && method === 'POST') {
      await sleep(600);
      state.attempts.delete(lab.id);
      if (action === 'solve') state.passed.add(lab.id);
      // As the real solve does: lab 06 leaves the cluster in host-gw, 08 and 10 in vxlan (web on every node).
      if (action === 'solve' && lab.id === '06') state.scenario = 'host-gw';
      if (action === 'solve' && (lab.id === '08' || lab.id === '10')) state.scenario = 'vxlan';
      state.current = lab.id;
      const body: ApiDone = {
        lab: lab.id,
        done:
          action === 'reset'
            ? [`workspace/ is the starter of lab ${lab.id}`, 'removed pods node1/web, node1/db', `nodes as lab ${lab.id} starts: mode host-gw`, 'reference plugin of lab 03 installed on node1, node2, node3']
            : [`nodes in lab ${lab.id}'s solved state`],
      };
      return send(res, 200, body);
    }
    if (action === 'check' && method === 'POST') {
      const attempt = (state.attempts.get(lab.id) ?? 0) + 1;
      state.attempts.set(lab.id, attempt);
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Cache-Control': 'no-store' });
      const results: ApiCheckResult[] = [];
      for (const [i, c] of lab.checks.entries()) {
        await sleep(DELAY);
        const r = checkResult(lab, c, i, attempt);
        results.push(r);
        const line: ApiCheckLine = { type: 'check', result: r };
        res.write(`${JSON.stringify(line)}\n`);
      }
      const passed = results.every((r) => r.passed);
      if (passed) state.passed.add(lab.id);
      const done: ApiCheckDone = { type: 'done', lab: lab.id, passed, checks: results };
      res.end(`${JSON.stringify(done)}\n`);
      return;
    }
    return send(res, 405, { error: `${method} not allowed here` });
  }
  return send(res, 404, { error: `no such endpoint: ${pathname}` });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const p = url.pathname;
  if (p.startsWith('/__mock/')) {
    if (!authed(req)) return send(res, 401, { error: 'token' });
    if (p === '/__mock/drop') {
      for (const ws of sockets) ws.terminate();
      return send(res, 200, { dropped: sockets.size });
    }
    if (p === '/__mock/state') {
      void readBody(req).then((b) => {
        const body = (b ? JSON.parse(b) : {}) as { scenario?: string; fail?: Record<string, number>; passAll?: boolean; reset?: boolean };
        if (body.scenario) state.scenario = body.scenario;
        if (body.fail) state.fail = body.fail;
        if (body.passAll !== undefined) state.passAll = body.passAll;
        if (body.reset) {
          state.passed = new Set(['00', '01', '02', '03']);
          state.attempts.clear();
          state.hintsShown = new Map([['04', 1]]);
        }
        send(res, 200, { scenario: state.scenario, fail: state.fail, passAll: state.passAll });
      });
      return;
    }
    return send(res, 404, { error: 'no such mock control' });
  }
  if (p.startsWith('/api/')) {
    handleApi(req, res, p).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(e) });
      else res.end();
    });
    return;
  }
  serveStatic(req, res, dist, p);
});

// ---------------------------------------------------------------- terminals

const sockets = new Set<WebSocket>();
const wss = new WebSocketServer({
  noServer: true,
  maxPayload: 64 * 1024,
  handleProtocols: (protocols) => (protocols.has(`cnilab.${TOKEN}`) ? `cnilab.${TOKEN}` : false),
});

server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim());
  if (url.pathname !== '/api/term' || !originOk(req) || !offered.includes(`cnilab.${TOKEN}`)) {
    socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
    socket.destroy();
    return;
  }
  const node = url.searchParams.get('node') ?? '';
  wss.handleUpgrade(req, socket, head, (ws) => fakeShell(ws, node));
});

const OUTPUTS: Record<string, (node: string) => string> = {
  'ip -br addr': (node) => {
    const n = node.replace(/\D/g, '') || '1';
    return node === 'router'
      ? 'lo               UNKNOWN        127.0.0.1/8\r\neth1@if3         UP             192.168.56.254/24\r\neth2@if5         UP             192.168.57.254/24\r\n'
      : `lo               UNKNOWN        127.0.0.1/8\r\neth1@if2         UP             192.168.5${n === '3' ? '7' : '6'}.1${n}/24\r\nsimplecni0       UP             10.244.${n}.1/24\r\nvetheb20d994@if2 UP\r\nflannel.1        UNKNOWN        10.244.${n}.0/32\r\n`;
  },
  'ip route': (node) =>
    node === 'router'
      ? '192.168.56.0/24 dev eth1 proto kernel scope link src 192.168.56.254\r\n192.168.57.0/24 dev eth2 proto kernel scope link src 192.168.57.254\r\n'
      : 'default via 192.168.56.254 dev eth1\r\n10.244.1.0/24 dev simplecni0 proto kernel scope link src 10.244.1.1\r\n10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink\r\n10.244.3.0/24 via 10.244.3.0 dev flannel.1 onlink\r\n',
  hostname: (node) => `${node}\r\n`,
  help: () => 'mock shell: ip -br addr, ip route, hostname, stty size, echo …, clear, drop (lose the connection), error, exit [code]\r\n',
};

function fakeShell(ws: WebSocket, node: string): void {
  sockets.add(ws);
  const out = (m: TermServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
  if (!NODES.includes(node)) {
    out({ type: 'error', message: `no node named "${node}"` });
    ws.close(1008, 'unknown node');
    return;
  }
  let size = { cols: 80, rows: 24 };
  let line = '';
  const prompt = () => out({ type: 'output', data: `\x1b[1;32m${node}\x1b[0m:\x1b[1;34m~\x1b[0m# ` });
  out({ type: 'output', data: `\x1b[2mmock shell on ${node} (site/dev/mock-server.ts) — type help\x1b[0m\r\n` });
  prompt();
  ws.on('message', (raw) => {
    let msg: TermClientMessage;
    try {
      msg = JSON.parse(String(raw)) as TermClientMessage;
    } catch {
      return;
    }
    if (msg.type === 'resize') {
      size = { cols: msg.cols, rows: msg.rows };
      return;
    }
    for (const ch of msg.data) {
      if (ch === '\r') {
        out({ type: 'output', data: '\r\n' });
        const cmd = line.trim();
        line = '';
        if (cmd === 'exit' || cmd.startsWith('exit ')) {
          out({ type: 'output', data: 'logout\r\n' });
          out({ type: 'exit', code: Number(cmd.split(' ')[1] ?? 0) || 0 });
          ws.close(1000);
          return;
        }
        if (cmd === 'drop') {
          ws.terminate();
          return;
        }
        if (cmd === 'error') out({ type: 'error', message: 'a mock error from the server' });
        else if (cmd === 'clear') out({ type: 'output', data: '\x1b[H\x1b[2J' });
        else if (cmd === 'stty size') out({ type: 'output', data: `${size.rows} ${size.cols}\r\n` });
        else if (cmd.startsWith('echo ')) out({ type: 'output', data: `${cmd.slice(5)}\r\n` });
        else if (cmd) {
          const f = OUTPUTS[cmd];
          out({ type: 'output', data: f ? f(node) : `mock: ${cmd.split(' ')[0]}: command not found\r\n` });
        }
        prompt();
      } else if (ch === '\x7f') {
        if (line.length > 0) {
          line = line.slice(0, -1);
          out({ type: 'output', data: '\b \b' });
        }
      } else if (ch === '\x03') {
        line = '';
        out({ type: 'output', data: '^C\r\n' });
        prompt();
      } else if (ch >= ' ') {
        line += ch;
        out({ type: 'output', data: ch });
      }
    }
  });
  ws.on('close', () => sockets.delete(ws));
}

server.listen(PORT, '127.0.0.1', () => {
  console.log(`mock lab server (scenario ${state.scenario}) serving ${dist}`);
  console.log(`open http://127.0.0.1:${PORT}/#token=${TOKEN}`);
});
