// The simulated `nft` against the real one (nftables 1.0.x): the same command sequence — the node
// agent's rendered ruleset, the plugin's masquerade table, the edits lab 11's breakages make
// (insert and delete by handle, flush a set, add an element), listings with and without handles,
// and mistakes (a missing table, chain, handle or set) — runs in a throwaway network namespace on
// this kernel and in the model; exit code, stdout and stderr's first line must agree. Then the
// model's verdicts at the forward hook for the lab's ruleset: routed and bridged (br_netfilter),
// new and established, the drop counted.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { renderRuleset } from '../../src/node/policy/render.ts';
import { parsePolicy, type PodRef } from '../../src/node/policy/model.ts';
import { calcMasqueradeScript } from '../../src/plugin/plugin.ts';
import { addNetns, createWorld } from '../../src/sim/core/model.ts';
import { nft } from '../../src/sim/core/nft.ts';
import { connect, listen, nc } from '../../src/sim/core/tcp.ts';
import { LAB11_POLICY } from '../../src/validators/labs/lab11.ts';
import { labWorld, podIp, podNs } from './worlds.ts';

const NS = `sctnft${process.pid % 100000}`;
const realMissing = process.platform !== 'linux' || process.getuid?.() !== 0 ? 'root on Linux' : spawnSync('nft', ['--version']).status !== 0 ? 'nftables (nft --version fails)' : '';
let made = false;

afterAll(() => {
  if (made) spawnSync('ip', ['netns', 'del', NS]);
  expect(spawnSync('ip', ['netns', 'list']).stdout.toString()).not.toContain(NS);
});

const POLICY_B = parsePolicy({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'b' },
  spec: { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.244.0.0/16', except: ['10.244.2.0/24', '10.244.3.0/24', '10.244.9.0/24'] } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP' }] }, {}] },
});
const PODS: PodRef[] = [
  { node: 'node1', name: 'db', ip: '10.244.1.3', labels: { role: 'db' } },
  { node: 'node1', name: 'db2', ip: '10.244.1.10', labels: { role: 'db' } },
  { node: 'node1', name: 'db3', ip: '10.244.1.9', labels: { role: 'db' } },
  { node: 'node2', name: 'front', ip: '10.244.2.3', labels: { role: 'frontend' } },
  { node: 'node1', name: 'web', ip: '10.244.1.2', labels: {} },
];
const RULESET = renderRuleset([parsePolicy(LAB11_POLICY), POLICY_B], PODS, 'node1');
const T = ['inet', 'simplecni-policy'];

/** [argv, stdin]: the sequence, run in order on both. */
const STEPS: [string[], string?][] = [
  [['list', 'ruleset']],
  [['-f', '-'], RULESET],
  [['-f', '-'], RULESET], // applied twice: the same table, new handles
  [['list', 'ruleset']],
  [['-a', 'list', 'table', ...T]],
  [['-f', '-'], calcMasqueradeScript('10.244.1.0/24', '10.244.0.0/16')],
  [['list', 'ruleset']],
  [['list', 'tables']],
  [['insert', 'rule', ...T, 'forward', 'ip', 'daddr', '@isolated', 'counter']],
  [['add', 'rule', ...T, 'ingress', 'tcp', 'dport', '{ 80, 443 }', 'accept']],
  [['add', 'rule', ...T, 'ingress', 'ip', 'saddr', '!=', '{ 10.1.0.0/16, 10.3.0.0/16, 10.5.0.0/16, 10.7.0.0/16, 10.9.0.0/16 }', 'udp', 'dport', '{ 53, 5353 }', 'counter', 'drop']],
  [['-a', 'list', 'chain', ...T, 'forward']],
  [['delete', 'rule', ...T, 'forward', 'handle', '99']],
  [['flush', 'set', ...T, 'peers_db-from-frontend_0_0']],
  [['add', 'element', ...T, 'isolated', '{ 10.244.1.2, 10.244.1.7 }']],
  [['list', 'set', ...T, 'isolated']],
  [['list', 'set', ...T, 'peers_db-from-frontend_0_0']],
  [['list', 'table', 'inet', 'nope']],
  [['list', 'chain', ...T, 'nope']],
  [['delete', 'table', 'inet', 'nope']],
  [['-a', 'list', 'table', ...T]],
  [['delete', 'table', ...T]],
  [['list', 'ruleset']],
];

describe('nft: the model against nftables', () => {
  it('the same sequence, the same answers', () => {
    if (realMissing) expect.fail(`this comparison needs ${realMissing}: without it the model is compared with nothing`);
    const add = spawnSync('ip', ['netns', 'add', NS]);
    expect(add.status, add.stderr.toString()).toBe(0);
    made = true;
    const w = createWorld();
    addNetns(w, 'n');
    const mismatches: string[] = [];
    for (const [argv, stdin] of STEPS) {
      const r = spawnSync('ip', ['netns', 'exec', NS, 'nft', ...argv], { input: stdin ?? '' });
      const real = { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString().split('\n')[0] };
      const s = nft({ world: w, ns: 'n', ...(stdin !== undefined ? { stdin } : {}) }, argv);
      const sim = { code: s.code, stdout: s.stdout, stderr: s.stderr.split('\n')[0] };
      if (JSON.stringify(real) !== JSON.stringify(sim)) mismatches.push(`nft ${argv.join(' ')}\n real: ${JSON.stringify(real)}\n sim:  ${JSON.stringify(sim)}`);
    }
    console.log(`nft: ${STEPS.length} commands compared with the real nft, ${STEPS.length - mismatches.length} agree`);
    expect(mismatches).toEqual([]);
  });
});

describe('nft verdicts in the packet walk', () => {
  it('lab 11: routed and bridged SYNs meet the forward hook; replies pass as established; the drop is counted', () => {
    // Two pods on node1's bridge (db isolated, web open), one pod behind node2.
    const b = labWorld('host-gw');
    b.veth('node1', 'veth000000b1', 'web1', 'eth0');
    b.enslave('node1', 'veth000000b1', 'simplecni0');
    b.addr('web1', 'eth0', '10.244.1.3/24');
    b.route('web1', 'default', '10.244.1.1', 'eth0');
    const w = b.world;
    const ns = { db: podNs(1), dbIp: podIp(1), web: 'web1', webIp: '10.244.1.3', front: podNs(2), frontIp: podIp(2) };
    const script = renderRuleset([parsePolicy(LAB11_POLICY)], [{ node: 'node1', name: 'db', ip: ns.dbIp, labels: { role: 'db' } }, { node: 'node1', name: 'web', ip: ns.webIp, labels: {} }, { node: 'node2', name: 'front', ip: ns.frontIp, labels: { role: 'frontend' } }], 'node1');
    expect(nft({ world: w, ns: 'node1', stdin: script }, ['-f', '-']).code).toBe(0);
    listen(w, ns.db, 'tcp', [6379, 80], 't');
    listen(w, ns.web, 'tcp', [80], 't');
    listen(w, ns.front, 'tcp', [80], 't');
    expect(connect(w, ns.front, ns.dbIp, 6379).result).toBe('ok'); // routed in, allowed
    expect(connect(w, ns.front, ns.dbIp, 80).result).toBe('timeout'); // routed in, wrong port
    expect(connect(w, ns.web, ns.dbIp, 6379).result).toBe('timeout'); // bridged: br_netfilter
    expect(connect(w, ns.db, ns.frontIp, 80).result).toBe('ok'); // db's own connection: the SYN-ACK is established
    expect(connect(w, ns.front, ns.webIp, 80).result).toBe('ok'); // selected by nothing
    expect(connect(w, ns.front, ns.dbIp, 81).result).toBe('timeout'); // a drop, not a refusal: no RST gets out
    expect(nft({ world: w, ns: 'node1' }, ['list', 'chain', 'inet', 'simplecni-policy', 'ingress']).stdout).toMatch(/counter packets 3 bytes 180 drop/);
    // br_netfilter off: bridged frames bypass the ip hooks, as on Linux.
    w.namespaces.node1!.sysctl['net.bridge.bridge-nf-call-iptables'] = '0';
    expect(connect(w, ns.web, ns.dbIp, 6379).result).toBe('ok');
    expect(connect(w, ns.web, ns.dbIp, 7).result).toBe('ECONNREFUSED');
  });

  it('nc: -l listens, -zv connects and says what netcat-openbsd says; refused, and timed out behind a drop', () => {
    const b = labWorld('host-gw');
    const w = b.world;
    const run = (ns: string, ...args: string[]) => nc({ world: w, ns, pid: 7 }, args);
    expect(run(podNs(1), '-lk', '6379')).toMatchObject({ code: 0 });
    expect(run(podNs(1), '-l', '6379')).toMatchObject({ code: 1, stderr: 'nc: Address already in use\n' });
    expect(run(podNs(2), '-zv', '-w1', podIp(1), '6379')).toEqual({ code: 0, stdout: '', stderr: `Connection to ${podIp(1)} 6379 port [tcp/redis] succeeded!\n` });
    expect(run(podNs(2), '-zv', podIp(1), '80')).toEqual({ code: 1, stdout: '', stderr: `nc: connect to ${podIp(1)} port 80 (tcp) failed: Connection refused\n` });
    expect(run(podNs(2), '-z', podIp(1), '80')).toEqual({ code: 1, stdout: '', stderr: '' });
    expect(run(podNs(2), '-zuv', podIp(1), '53')).toEqual({ code: 1, stdout: '', stderr: `nc: connect to ${podIp(1)} port 53 (udp) failed: Connection refused\n` });
    const drop = 'table inet f {\n chain forward {\n  type filter hook forward priority 0; policy drop;\n }\n}\n';
    expect(nft({ world: w, ns: 'node1', stdin: drop }, ['-f', '-']).code).toBe(0);
    expect(run(podNs(2), '-zv', '-w1', podIp(1), '6379')).toEqual({ code: 1, stdout: '', stderr: `nc: connect to ${podIp(1)} port 6379 (tcp) timed out: Operation now in progress\n` });
    // UDP has no handshake: behind a silent drop, netcat reports success as the real one does.
    expect(run(podNs(2), '-zuv', podIp(1), '53')).toEqual({ code: 0, stdout: '', stderr: `Connection to ${podIp(1)} 53 port [udp/domain] succeeded!\n` });
  });
});
