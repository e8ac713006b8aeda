// The simulated `ip` against the real one: the same command sequence runs in throwaway network
// namespaces (names start "sct") on this kernel and in the model; outputs are compared after
// normalising what legitimately differs (MACs, ifindexes, netnsids, qdisc/queue/gso details).
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ip } from '../../src/sim/core/ip/index.ts';
import { addNetns, createWorld, type World } from '../../src/sim/core/model.ts';

const TAG = `sctip${process.pid % 100000}`;
const NS = [`${TAG}a`, `${TAG}b`];
// The comparison needs the real tool and root on Linux: without them it fails, naming what is missing, rather than skipping.
const realMissing = process.platform !== 'linux' || process.getuid?.() !== 0 ? 'root on Linux' : spawnSync('ip', ['-V']).status !== 0 ? 'iproute2 (ip -V fails)' : '';
if (realMissing) {
  it('the real kernel to compare with', () => {
    expect.fail(`this comparison needs ${realMissing}: without it the model is compared with nothing`);
  });
}
const made: string[] = [];

function realNs(name: string) {
  const r = spawnSync('ip', ['netns', 'add', name]);
  if (r.status !== 0) throw new Error(r.stderr.toString());
  made.push(name);
}

afterAll(() => {
  for (const n of made) spawnSync('ip', ['netns', 'del', n]);
  const left = spawnSync('ip', ['netns', 'list']).stdout.toString().split('\n').map((l) => l.split(' ')[0]).filter((n) => n?.startsWith(TAG));
  expect(left).toEqual([]);
});

const DROP = new Set(['ifindex', 'link_index', 'link_netnsid', 'txqlen', 'gso_max_size', 'gso_max_segs', 'tso_max_size', 'tso_max_segs', 'gro_max_size', 'gso_ipv4_max_size', 'gro_ipv4_max_size', 'num_tx_queues', 'num_rx_queues', 'tentative', 'parentbus', 'parentdev']);
const KEEP_SLAVE = new Set(['state', 'priority', 'cost', 'learning', 'flood', 'hairpin']);
const KEEP_BRIDGE = new Set(['forward_delay', 'hello_time', 'max_age', 'ageing_time', 'stp_state', 'priority', 'vlan_filtering']);

function norm(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => norm(x));
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (DROP.has(k)) continue;
      if (key === 'info_slave_data' && !KEEP_SLAVE.has(k)) continue;
      if (key === 'info_data' && (v as Record<string, unknown>).forward_delay !== undefined && !KEEP_BRIDGE.has(k)) continue;
      o[k] = norm(x, k);
    }
    return o;
  }
  if (typeof v === 'string') return v.replace(/fe80::[0-9a-f:]+/g, 'fe80::X').replace(/([0-9a-f]{2}:){5}[0-9a-f]{2}/g, (m) => (m === 'ff:ff:ff:ff:ff:ff' || m === '00:00:00:00:00:00' || m.startsWith('02:5c') === false ? m : 'MAC'));
  return v;
}

const normText = (s: string) =>
  s
    .replace(/fe80::[0-9a-f:]+/g, 'fe80::X')
    .replace(/tentative /g, '')
    .replace(/@if\d+/g, '@ifN')
    .replace(/link-netnsid \d+/g, 'link-netnsid N')
    .replace(/^\d+: /gm, 'N: ');

interface Step {
  ns: 0 | 1;
  args: string[];
  stdin?: string;
  /** How to compare stdout: JSON (normalised), text (normalised), or not at all. */
  cmp?: 'json' | 'text' | 'none';
}

const sortOut = (out: unknown): any =>
  Array.isArray(out) ? [...out].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : typeof out === 'string' ? out.split('\n').sort().join('\n') : out;

/** Runs steps on both kernels; returns how many outputs agreed and the first disagreement. */
function compare(steps: Step[]) {
  const w: World = createWorld();
  for (const n of NS) {
    realNs(n);
    addNetns(w, n, { name: n });
  }
  const results: { step: string; real: unknown; sim: unknown }[] = [];
  for (const s of steps) {
    const real = spawnSync('ip', ['-n', NS[s.ns]!, ...s.args], { input: s.stdin ?? '' });
    const sim = ip({ world: w, ns: NS[s.ns]!, stdin: s.stdin }, s.args);
    const cmp = s.cmp ?? (s.args.includes('-j') ? 'json' : 'text');
    const rOut = real.stdout.toString();
    // iproute2 names a peer's namespace by asking each one in /run/netns for its id; one that
    // another test is deleting at that moment gives this line. A race of the machine, not the model.
    const realErr = real.stderr.toString().replace(/^Error: Peer netns reference is invalid\.\n/gm, '');
    const r = { code: real.status, stderr: realErr, out: cmp === 'json' && rOut.trim() ? norm(JSON.parse(rOut)) : cmp === 'text' ? normText(rOut) : '' };
    const m = { code: sim.code, stderr: sim.stderr, out: cmp === 'json' && sim.stdout.trim() ? norm(JSON.parse(sim.stdout)) : cmp === 'text' ? normText(sim.stdout) : '' };
    // The kernel lists neighbours in hash order: their order means nothing.
    if (s.args.some((a) => a === 'neigh' || a === 'n')) for (const x of [r, m]) x.out = sortOut(x.out);
    results.push({ step: `${NS[s.ns]}: ip ${s.args.join(' ')}${s.stdin ? ` <<< ${JSON.stringify(s.stdin)}` : ''}`, real: r, sim: m });
  }
  for (const n of NS) spawnSync('ip', ['netns', 'del', n]);
  made.length = 0;
  return results;
}

const A = 0 as const;
const B = 1 as const;
const MAC = (n: number) => `02:5c:00:00:00:${n.toString(16).padStart(2, '0')}`;

describe.runIf(!realMissing)('ip on the model agrees with ip on the real kernel', () => {
  it('the builder and the plugin: veth across namespaces, bridge, addresses, default route, -batch', () => {
    const res = compare([
      { ns: A, args: ['-batch', '-'], stdin: `link set lo up\nlink add br0 address ${MAC(1)} mtu 1400 type bridge\naddr add 10.244.1.1/24 dev br0\nlink set br0 up\n` },
      { ns: A, args: ['-j', '-d', 'addr', 'show', 'dev', 'br0'] },
      { ns: A, args: ['-batch', '-'], stdin: `link add veth1 mtu 1400 address ${MAC(2)} type veth peer name eth0 mtu 1400 address ${MAC(3)} netns ${NS[1]}\nlink set veth1 master br0 up\n` },
      { ns: B, args: ['-batch', '-'], stdin: 'link set lo up\nlink set eth0 up\naddr add 10.244.1.2/24 dev eth0\nroute add default via 10.244.1.1 dev eth0\n' },
      { ns: B, args: ['-j', '-d', 'addr', 'show', 'dev', 'eth0'] },
      { ns: B, args: ['-j', 'route', 'show', 'default'] },
      { ns: A, args: ['-j', '-d', 'link', 'show'] },
      { ns: A, args: ['-j', 'addr', 'show'] },
      { ns: A, args: ['-j', 'route', 'show', 'table', 'main'] },
      { ns: A, args: ['route'] },
      { ns: A, args: ['-j', 'route', 'show', 'table', 'local'] },
      { ns: B, args: ['route', 'get', '10.244.1.1'] },
      { ns: B, args: ['-j', 'route', 'get', '10.244.1.2'] },
      { ns: B, args: ['-j', 'route', 'get', '8.8.8.8'] },
      { ns: A, args: ['-batch', '-'], stdin: `link add br0 type bridge\n` },
      { ns: A, args: ['-br', 'addr'] },
      { ns: A, args: ['-br', 'link'] },
      { ns: A, args: ['link', 'show'] },
      { ns: A, args: ['addr'] },
      { ns: B, args: ['addr'] },
      { ns: A, args: ['link', 'del', 'veth1'] },
      { ns: B, args: ['-j', 'link', 'show'] },
      { ns: A, args: ['-j', 'link', 'show', 'br0'] },
      { ns: A, args: ['route'] },
    ]);
    report(res);
  });

  it('kernel semantics: prefix routes, linkdown, gateways, duplicates, errors', () => {
    const res = compare([
      { ns: A, args: ['link', 'add', 'va', 'address', MAC(4), 'type', 'veth', 'peer', 'name', 'vb', 'address', MAC(5)] },
      { ns: A, args: ['link', 'set', 'va', 'up'] },
      { ns: A, args: ['addr', 'add', '10.1.0.1/24', 'dev', 'va'] },
      { ns: A, args: ['-j', 'link', 'show', 'va'] },
      { ns: A, args: ['route'] },
      { ns: A, args: ['-j', 'route'] },
      { ns: A, args: ['link', 'set', 'vb', 'up'] },
      { ns: A, args: ['-j', 'route'] },
      { ns: A, args: ['addr', 'add', '10.1.0.1/24', 'dev', 'va'] },
      { ns: A, args: ['addr', 'add', '10.1.0.2/24', 'brd', '+', 'dev', 'va'] },
      { ns: A, args: ['-j', 'addr', 'show', 'va'] },
      { ns: A, args: ['addr', 'show', 'va'] },
      { ns: A, args: ['route', 'add', '10.9.0.0/24', 'via', '10.5.5.5'] },
      { ns: A, args: ['route', 'add', '10.9.0.0/24', 'via', '10.1.0.5'] },
      { ns: A, args: ['route', 'add', '10.9.0.0/24', 'via', '10.1.0.6', 'dev', 'va'] },
      { ns: A, args: ['route', 'replace', '10.9.0.0/24', 'via', '10.1.0.6', 'dev', 'va', 'onlink'] },
      { ns: A, args: ['route', 'add', '10.8.0.0/16', 'dev', 'va', 'metric', '100', 'proto', 'static'] },
      { ns: A, args: ['route'] },
      { ns: A, args: ['-j', 'route'] },
      { ns: A, args: ['route', 'del', '10.77.0.0/24'] },
      { ns: A, args: ['neigh', 'add', '10.1.0.50', 'lladdr', '11:22:33:44:55:66', 'dev', 'va', 'nud', 'permanent'] },
      { ns: A, args: ['neigh', 'add', '10.1.0.50', 'lladdr', '11:22:33:44:55:66', 'dev', 'va', 'nud', 'permanent'] },
      { ns: A, args: ['neigh', 'replace', '10.1.0.51', 'lladdr', '11:22:33:44:55:67', 'dev', 'va', 'nud', 'reachable'] },
      { ns: A, args: ['neigh'] },
      { ns: A, args: ['-j', 'neigh', 'show', 'dev', 'va'] },
      { ns: A, args: ['neigh', 'del', '10.1.0.99', 'dev', 'va'] },
      { ns: A, args: ['link', 'set', 'vb', 'down'] },
      { ns: A, args: ['-j', 'route'] },
      { ns: A, args: ['link', 'show', 'va'] },
      { ns: A, args: ['link', 'set', 'va', 'down'] },
      { ns: A, args: ['route'] },
      { ns: A, args: ['neigh'] },
      { ns: A, args: ['link', 'set', 'va', 'up'] },
      { ns: A, args: ['link', 'set', 'vb', 'up'] },
      { ns: A, args: ['route'] },
      { ns: A, args: ['addr', 'flush', 'dev', 'va'] },
      { ns: A, args: ['-j', 'addr', 'show', 'va'] },
      { ns: A, args: ['addr', 'del', '10.1.0.77/24', 'dev', 'va'] },
      { ns: A, args: ['link', 'del', 'nosuch'] },
      { ns: A, args: ['link', 'set', 'nosuch', 'up'] },
      { ns: A, args: ['link', 'add', 'vx', 'type', 'nosuch'] },
      { ns: A, args: ['link', 'add', 'va', 'type', 'bridge'] },
      { ns: A, args: ['link', 'del', 'lo'] },
      { ns: A, args: ['link', 'show', 'nosuch'] },
      { ns: A, args: ['addr', 'add', '10.1.0.300/24', 'dev', 'va'] },
      { ns: A, args: ['foo'] },
      { ns: A, args: ['link', 'foo'] },
      { ns: A, args: ['route', 'foo'] },
      { ns: A, args: ['link', 'set', 'lo', 'mtu', 'abc'] },
      { ns: A, args: ['link', 'set', 'vb', 'netns', NS[1]!] },
      { ns: A, args: ['link', 'show', 'va'] },
      { ns: B, args: ['link'] },
      { ns: A, args: ['link', 'del', 'va'] },
      { ns: B, args: ['link'] },
    ]);
    report(res);
  });

  it("a second link on the same subnet: a gateway is looked up on the route's own device, then the duplicate refused", () => {
    const res = compare([
      { ns: A, args: ['link', 'add', 'va', 'address', MAC(6), 'type', 'veth', 'peer', 'name', 'vb', 'address', MAC(7)] },
      { ns: A, args: ['link', 'add', 'wa', 'address', MAC(8), 'type', 'veth', 'peer', 'name', 'wb', 'address', MAC(9)] },
      { ns: A, args: ['-batch', '-'], stdin: 'link set va up\nlink set vb up\nlink set wa up\nlink set wb up\naddr add 10.2.0.4/24 dev va\naddr add 10.2.0.5/24 dev wa\n' },
      { ns: A, args: ['route', 'add', 'default', 'via', '10.2.0.1', 'dev', 'va'] },
      // What a pod's second interface meets (lab 04's net1): the default route exists already.
      { ns: A, args: ['route', 'add', 'default', 'via', '10.2.0.1', 'dev', 'wa'] },
      { ns: A, args: ['route', 'add', '10.7.0.0/24', 'via', '10.2.0.1', 'dev', 'wa'] },
      { ns: A, args: ['-j', 'route'] },
      { ns: A, args: ['link', 'del', 'va'] },
      { ns: A, args: ['link', 'del', 'wa'] },
    ]);
    report(res);
  });

  it('vxlan as flannel makes it, with neighbours and onlink routes', () => {
    const res = compare([
      { ns: A, args: ['link', 'add', 'eth1', 'address', MAC(6), 'type', 'veth', 'peer', 'name', 'eth1p', 'address', MAC(7)] },
      { ns: A, args: ['-batch', '-'], stdin: 'addr add 192.168.56.11/24 dev eth1\nlink set eth1p up\nlink set eth1 up\n' },
      { ns: A, args: ['link', 'add', 'flannel.1', 'address', '0e:53:c0:a8:38:0b', 'mtu', '1450', 'type', 'vxlan', 'id', '1', 'local', '192.168.56.11', 'dev', 'eth1', 'dstport', '8472', 'nolearning'] },
      { ns: A, args: ['-j', '-d', 'link', 'show', 'flannel.1'] },
      { ns: A, args: ['-batch', '-'], stdin: 'addr add 10.244.1.0/32 dev flannel.1\nlink set flannel.1 up\nneigh replace 10.244.2.0 lladdr 0e:53:c0:a8:38:0c dev flannel.1 nud permanent\nroute replace 10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink\n' },
      { ns: A, args: ['-j', '-d', 'addr', 'show'] },
      { ns: A, args: ['-j', 'route', 'show', 'table', 'main'] },
      { ns: A, args: ['-j', 'neigh', 'show', 'dev', 'flannel.1'] },
      { ns: A, args: ['-j', 'route', 'get', '10.244.2.5'] },
      { ns: A, args: ['route', 'get', '10.244.2.5'] },
      { ns: A, args: ['link', 'add', 'vx3', 'address', MAC(8), 'type', 'vxlan', 'id', '3', 'dev', 'eth1'] },
      { ns: A, args: ['-j', '-d', 'link', 'show', 'vx3'] },
      { ns: A, args: ['route'] },
      { ns: A, args: ['link', 'del', 'flannel.1'] },
      { ns: A, args: ['route'] },
    ]);
    report(res);
  });
});

function report(res: { step: string; real: unknown; sim: unknown }[]) {
  const bad = res.filter((r) => JSON.stringify(r.real) !== JSON.stringify(r.sim));
  console.log(`${res.length - bad.length}/${res.length} agree`);
  for (const b of bad) {
    console.log(`✗ ${b.step}\n  real: ${JSON.stringify(b.real)}\n  sim:  ${JSON.stringify(b.sim)}`);
  }
  expect(bad.map((b) => b.step)).toEqual([]);
}

describe('ip on the model alone', () => {
  it('netns list/exec per node, ipip fallback tunl0', () => {
    const w = createWorld();
    addNetns(w, 'node1', { name: 'node1' });
    const run = (args: string[]) => ip({ world: w, ns: 'node1', node: 'node1' }, args);
    expect(run(['netns', 'add', 'lab1-a']).code).toBe(0);
    expect(run(['netns', 'add', 'lab1-a']).stderr).toBe('Cannot create namespace file "/run/netns/lab1-a": File exists\n');
    expect(run(['netns', 'list']).stdout).toBe('lab1-a\n');
    expect(ip({ world: w, ns: 'node1', node: 'node2' }, ['netns', 'list']).stdout).toBe('');
    expect(run(['netns', 'exec', 'lab1-a', 'ip', 'a']).spawn).toEqual({ argv: ['ip', 'a'], ns: 'node1/netns/lab1-a' });
    // As on a kernel whose ipip module is not loaded yet: the add loads it, the module makes
    // tunl0, and the add then finds the name taken. tunl0 is there all the same.
    expect(run(['link', 'add', 'name', 'tunl0', 'type', 'ipip'])).toMatchObject({ code: 2, stderr: 'RTNETLINK answers: File exists\n' });
    expect(run(['link', 'add', 'name', 'tunl0', 'type', 'ipip']).stderr).toBe('RTNETLINK answers: File exists\n');
    expect(run(['-br', 'link', 'show', 'tunl0']).stdout).toBe('tunl0@NONE       DOWN           0.0.0.0 <NOARP> \n');
    expect(run(['link', 'del', 'tunl0']).code).toBe(2);
    const j = JSON.parse(run(['-j', '-d', 'link', 'show', 'tunl0']).stdout)[0];
    expect(j).toMatchObject({ mtu: 1480, link_type: 'ipip', linkinfo: { info_kind: 'ipip' } });
  });
});
