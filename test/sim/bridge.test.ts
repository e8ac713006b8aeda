// The simulated `bridge` against the real one, in throwaway namespaces (names start "sct").
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { bridge } from '../../src/sim/core/bridge.ts';
import { ip } from '../../src/sim/core/ip/index.ts';
import { addNetns, createWorld } from '../../src/sim/core/model.ts';

const NS = `sctbr${process.pid % 100000}`;
// The comparison needs the real tool and root on Linux: without them it fails, naming what is missing, rather than skipping.
const realMissing = process.platform !== 'linux' || process.getuid?.() !== 0 ? 'root on Linux' : spawnSync('bridge', ['-V']).status !== 0 ? 'iproute2 (bridge -V fails)' : '';
if (realMissing) {
  it('the real kernel to compare with', () => {
    expect.fail(`this comparison needs ${realMissing}: without it the model is compared with nothing`);
  });
}

afterAll(() => {
  spawnSync('ip', ['netns', 'del', NS]);
  expect(spawnSync('ip', ['netns', 'list']).stdout.toString()).not.toContain(NS);
});

const MAC = (n: number) => `02:5c:00:00:00:${n.toString(16).padStart(2, '0')}`;
// Entries the bridge learned from traffic (no state word) belong to the packet engine, not to these commands.
const learned = (l: string) => /master \S+ *$/.test(l);
const sortLines = (s: string) => s.split('\n').filter((l) => l && !learned(l)).sort().join('\n');
const sortJson = (s: string) => (s.trim() ? (JSON.parse(s) as { state?: string }[]).filter((x) => x.state !== '').map((x) => JSON.stringify(x)).sort() : []);

describe.runIf(!realMissing)('bridge on the model agrees with bridge on the real kernel', () => {
  it('fdb: kernel entries of bridges and ports, vxlan entries as flannel writes them; link show', () => {
    spawnSync('ip', ['netns', 'add', NS]);
    const w = createWorld();
    addNetns(w, NS, { name: NS });
    const steps: [string, string[]][] = [
      ['ip', ['link', 'add', 'bz', 'address', MAC(1), 'type', 'bridge']],
      ['ip', ['link', 'add', 'zp1', 'address', MAC(2), 'type', 'veth', 'peer', 'name', 'zp2', 'address', MAC(3)]],
      ['ip', ['link', 'set', 'zp1', 'master', 'bz', 'up']],
      ['ip', ['link', 'set', 'zp2', 'up']],
      ['ip', ['link', 'set', 'bz', 'up']],
      ['ip', ['link', 'add', 'eth1', 'address', MAC(4), 'type', 'veth', 'peer', 'name', 'eth1p', 'address', MAC(5)]],
      ['ip', ['addr', 'add', '192.168.56.11/24', 'dev', 'eth1']],
      ['ip', ['link', 'add', 'flannel.1', 'address', '0e:53:c0:a8:38:0b', 'mtu', '1450', 'type', 'vxlan', 'id', '1', 'local', '192.168.56.11', 'dev', 'eth1', 'dstport', '8472', 'nolearning']],
      ['ip', ['link', 'set', 'flannel.1', 'up']],
      ['bridge', ['fdb', 'replace', '0e:53:c0:a8:38:0c', 'dev', 'flannel.1', 'dst', '192.168.56.12', 'self', 'permanent']],
      ['bridge', ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'flannel.1', 'dst', '192.168.57.13']],
      ['bridge', ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'flannel.1', 'dst', '192.168.57.13']],
      ['bridge', ['fdb', 'add', '02:5c:00:00:00:99', 'dev', 'zp1', 'master', 'static']],
      ['bridge', ['fdb', 'show', 'br', 'bz']],
      ['bridge', ['-j', 'fdb', 'show', 'br', 'bz']],
      ['bridge', ['fdb', 'show', 'dev', 'flannel.1']],
      ['bridge', ['-j', 'fdb', 'show', 'dev', 'flannel.1']],
      ['bridge', ['fdb', 'del', '0e:53:c0:a8:38:0c', 'dev', 'flannel.1', 'dst', '192.168.56.12', 'self']],
      ['bridge', ['fdb', 'del', '0e:53:c0:a8:38:0c', 'dev', 'flannel.1', 'dst', '192.168.56.12', 'self']],
      ['bridge', ['-j', 'fdb', 'show', 'dev', 'flannel.1']],
      ['bridge', ['link', 'show']],
      ['bridge', ['-j', 'link', 'show']],
      ['bridge', ['link', 'set', 'dev', 'zp1', 'learning', 'off']],
      ['ip', ['link', 'set', 'zp1', 'nomaster']],
      ['bridge', ['fdb', 'show', 'br', 'bz']],
    ];
    const bad: string[] = [];
    let waited = false;
    for (const [tool, args] of steps) {
      // Let IPv6 finish configuring the links (its multicast entries show in the fdb).
      if (!waited && args.includes('show')) {
        spawnSync('sleep', ['1.5']);
        waited = true;
      }
      const real = spawnSync(tool, ['-n', NS, ...args]);
      const sim = (tool === 'ip' ? ip : bridge)({ world: w, ns: NS }, args);
      const json = args[0] === '-j';
      const r = { code: real.status, err: real.stderr.toString(), out: json ? sortJson(real.stdout.toString()) : sortLines(real.stdout.toString()) };
      const m = { code: sim.code, err: sim.stderr, out: json ? sortJson(sim.stdout) : sortLines(sim.stdout) };
      if (JSON.stringify(r) !== JSON.stringify(m)) bad.push(`${tool} ${args.join(' ')}\n  real: ${JSON.stringify(r)}\n  sim:  ${JSON.stringify(m)}`);
    }
    console.log(`${steps.length - bad.length}/${steps.length} agree\n${bad.join('\n')}`);
    expect(bad).toEqual([]);
  });
});
