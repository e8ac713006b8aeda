// Breakages: for each lab check, a state it exists to catch (a route missing, a wrong MTU, a leaked
// lease or veth, an unplugged cable…). Run from the solution bot's end state (vxlan, a pod "web"
// on every node, lab 01 built by hand) on the real kernel and on the simulated one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import type { Backend } from '../../src/cluster/driver.ts';
import type { NetnsBackend } from '../../src/cluster/netns/netnsBackend.ts';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import type { SimNetns } from '../../src/sim/core/model.ts';
import { updateWorld } from '../../src/sim/host/store.ts';
import { checkContext, type LabEnv } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { runLabChecks } from '../../src/validators/registry.ts';

export type Breakage = [lab: string, check: string, what: string, breakIt: (e: LabEnv) => Promise<unknown>, mendIt: (e: LabEnv) => Promise<unknown>];

const bin = (e: LabEnv, name: string) => path.join(e.driver.paths('node2').binDir, name);

export function breakagesFor(backend: Backend): Breakage[] {
  let unplugged: string[] = [];
  const all: Breakage[] = [
  ['08', 'vxlan-device', 'flannel.1 MTU 1400 on node2', (e) => e.driver.exec('node2', ['ip', 'link', 'set', 'flannel.1', 'mtu', '1400']), (e) => e.driver.exec('node2', ['ip', 'link', 'set', 'flannel.1', 'mtu', '1450'])],
  ['08', 'vxlan-peers', "node1's neighbour entry for node3 deleted", (e) => e.driver.exec('node1', ['ip', 'neigh', 'del', '10.244.3.0', 'dev', 'flannel.1']), (e) => e.driver.exec('node1', ['ip', 'neigh', 'replace', '10.244.3.0', 'lladdr', '0e:53:c0:a8:39:0d', 'dev', 'flannel.1', 'nud', 'permanent'])],
  ['08', 'vxlan-ping', "node3's fdb entry for node1 deleted", (e) => e.driver.exec('node3', ['bridge', 'fdb', 'del', '0e:53:c0:a8:38:0b', 'dev', 'flannel.1', 'dst', '192.168.56.11', 'self']), (e) => e.driver.exec('node3', ['bridge', 'fdb', 'replace', '0e:53:c0:a8:38:0b', 'dev', 'flannel.1', 'dst', '192.168.56.11', 'self', 'permanent'])],
  ['08', 'vxlan-mtu', 'a pod left at MTU 1500', (e) => e.driver.execPod('node2', 'web', ['ip', 'link', 'set', 'eth0', 'mtu', '1500']), (e) => e.driver.execPod('node2', 'web', ['ip', 'link', 'set', 'eth0', 'mtu', '1450'])],
  ['10', 'mtu-consistent', 'a pod left at MTU 1500', (e) => e.driver.execPod('node3', 'web', ['ip', 'link', 'set', 'eth0', 'mtu', '1500']), (e) => e.driver.execPod('node3', 'web', ['ip', 'link', 'set', 'eth0', 'mtu', '1450'])],
  ['10', 'mtu-probe', "node1's flannel.1 shrunk below the pods' MTU", (e) => e.driver.exec('node1', ['ip', 'link', 'set', 'flannel.1', 'mtu', '1400']), (e) => e.driver.exec('node1', ['ip', 'link', 'set', 'flannel.1', 'mtu', '1450'])],
  ['05', 'no-leaks', 'a lease with no pod on node2', (e) => e.driver.exec('node2', ['sh', '-c', `printf 'ghost\\r\\neth0' > ${e.driver.paths('node2').dataDir}/simplecni/10.244.2.200`]), (e) => e.driver.exec('node2', ['rm', '-f', `${e.driver.paths('node2').dataDir}/simplecni/10.244.2.200`])],
  ['05', 'no-leaks', 'a veth on the bridge with no lease on node3', (e) => e.driver.exec('node3', ['sh', '-c', 'ip link add vethleak0 type veth peer name vethleak1 && ip link set vethleak0 master simplecni0']), (e) => e.driver.exec('node3', ['ip', 'link', 'del', 'vethleak0'])],
  ['04', 'pod-bridge', "node1's bridge down", (e) => e.driver.exec('node1', ['ip', 'link', 'set', 'simplecni0', 'down']), (e) => e.driver.exec('node1', ['ip', 'link', 'set', 'simplecni0', 'up'])],
  ['04', 'pod-wired', "the pod's veth unplugged from the bridge", async (e) => {
    const ports = JSON.parse((await e.driver.exec('node1', ['ip', '-j', 'link', 'show', 'master', 'simplecni0'])).stdout) as { ifname: string }[];
    unplugged = ports.map((p) => p.ifname);
    for (const p of unplugged) await e.driver.exec('node1', ['ip', 'link', 'set', p, 'nomaster']);
  }, async (e) => {
    for (const p of unplugged) await e.driver.exec('node1', ['ip', 'link', 'set', p, 'master', 'simplecni0']);
  }],
  ['04', 'pod-route', "the pod's default route deleted", (e) => e.driver.execPod('node1', 'web', ['ip', 'route', 'del', 'default']), (e) => e.driver.execPod('node1', 'web', ['ip', 'route', 'add', 'default', 'via', '10.244.1.1'])],
  ['04', 'pod-forward', 'ip_forward off on node1', (e) => e.driver.exec('node1', ['sysctl', '-qw', 'net.ipv4.ip_forward=0']), (e) => e.driver.exec('node1', ['sysctl', '-qw', 'net.ipv4.ip_forward=1'])],
  ['04', 'pod-result', 'the cached result without the sandbox', async (e) => {
    const f = `${e.driver.paths('node1').cacheDir}/simplecni-web-eth0`;
    const entry = JSON.parse(fs.readFileSync(f, 'utf8'));
    fs.writeFileSync(`${f}.saved`, JSON.stringify(entry));
    delete entry.result.interfaces[2].sandbox;
    fs.writeFileSync(f, JSON.stringify(entry));
  }, async (e) => {
    const f = `${e.driver.paths('node1').cacheDir}/simplecni-web-eth0`;
    fs.renameSync(`${f}.saved`, f);
  }],
  ['04', 'pod-ping', "the gateway address removed from node1's bridge", (e) => e.driver.exec('node1', ['ip', 'addr', 'flush', 'dev', 'simplecni0']), (e) => e.driver.exec('node1', ['ip', 'addr', 'add', '10.244.1.1/24', 'dev', 'simplecni0'])],
  ['00', 'underlay', 'the router stops forwarding', (e) => e.driver.exec('router', ['sysctl', '-qw', 'net.ipv4.ip_forward=0']), (e) => e.driver.exec('router', ['sysctl', '-qw', 'net.ipv4.ip_forward=1'])],
  ['00', 'plugin-installed', "node2's plugin removed", (e) => e.driver.exec('node2', ['mv', bin(e, 'simplecni'), bin(e, 'simplecni.away')]), (e) => e.driver.exec('node2', ['mv', bin(e, 'simplecni.away'), bin(e, 'simplecni')])],
  ['01', 'byhand-bridge', 'lab1br down', (e) => e.driver.exec('node1', ['ip', 'link', 'set', 'lab1br', 'down']), (e) => e.driver.exec('node1', ['ip', 'link', 'set', 'lab1br', 'up'])],
  ['01', 'byhand-pods', "lab1-b's address removed", (e) => e.driver.exec('node1', ['ip', '-n', 'lab1-b', 'addr', 'flush', 'dev', 'eth0']), (e) => e.driver.exec('node1', ['ip', '-n', 'lab1-b', 'addr', 'add', '172.16.1.3/24', 'dev', 'eth0'])],
  ['01', 'byhand-wired', "lab1-a's cable unplugged from lab1br", (e) => e.driver.exec('node1', ['ip', 'link', 'set', 'veth-lab1a', 'nomaster']), (e) => e.driver.exec('node1', ['ip', 'link', 'set', 'veth-lab1a', 'master', 'lab1br'])],
  ['01', 'byhand-ping', "lab1-b's eth0 down", (e) => e.driver.exec('node1', ['ip', '-n', 'lab1-b', 'link', 'set', 'eth0', 'down']), (e) => e.driver.exec('node1', ['ip', '-n', 'lab1-b', 'link', 'set', 'eth0', 'up'])],
  ];
  if (backend === 'netns') {
    // A node whose mount namespace is gone: only a real node has one to lose.
    all.push(['00', 'cluster-up', 'node3 unreachable (its mount namespace gone)', (e) => execCommand(['umount', '-l', (e.backend as NetnsBackend).layout.nodeMntNs('node3')]), (e) => e.backend.up({ mode: e.backend.readState()!.mode as 'vxlan' })]);
  } else {
    // A simulated node whose namespace is gone from the world (put back as it was).
    let saved: SimNetns | undefined;
    const file = (e: LabEnv) => (e.backend as SimBackend).layout.kernelFile;
    all.push(['00', 'cluster-up', "node3's namespace gone from the simulated kernel", (e) => updateWorld(file(e), (w) => {
      saved = w.namespaces.node3;
      delete w.namespaces.node3;
    }), (e) => updateWorld(file(e), (w) => {
      w.namespaces.node3 = saved!;
    })]);
  }
  return all;
}

export async function expectBreakagesCaught(env: LabEnv, breakages: Breakage[]) {
  const catalog = loadCatalog();
  const results = async (id: string) => Object.fromEntries((await runLabChecks(findLab(catalog, id), checkContext(env))).checks.map((c) => [c.id, c]));
  for (const [id, check, what, breakIt, mendIt] of breakages) {
    const before = await results(id);
    expect(before[check]!.passed, `${id}/${check} passes before "${what}"`).toBe(true);
    await breakIt(env);
    try {
      const r = (await results(id))[check]!;
      expect(r.passed, `${id}/${check} must fail when ${what}`).toBe(false);
      expect(r.found, `${id}/${check}`).not.toBe(r.expected);
      expect(r.hint.length, `${id}/${check} hint`).toBeGreaterThan(20);
    } finally {
      await mendIt(env);
    }
  }
}
