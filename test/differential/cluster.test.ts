// The simulated kernel against the real one: two clusters of the same topology — one of Linux
// network namespaces, one simulated — get the same operations through the same node driver
// interface (the reference plugin, simplecni-node, deliberate mistakes), and must then show the
// same normalised `ip -j` state and the same ping outcomes. Every comparison is counted; the
// corpus size and agreement are printed at the end (the README quotes them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyDataplane } from '../../src/cluster/dataplane.ts';
import { traceBetween } from '../../src/cluster/trace.ts';
import type { NodeDriver } from '../../src/cluster/driver.ts';
import { Differential } from '../helpers/differential.ts';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { checkContext, solveLab } from '../../src/labs/actions.ts';
import { loadCatalog } from '../../src/labs/catalog.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { startSimCluster, startTestCluster, type Cluster, type TestCluster } from '../helpers/cluster.ts';
import { normFdb, normLinks, normNeigh, normPing, normRoutes, NOT_RUN } from '../helpers/normalize.ts';

const NODES = ['node1', 'node2', 'node3'] as const;
const POD = 'd';


async function json(d: NodeDriver, node: string, argv: string[], pod?: string) {
  const r = pod ? await d.execPod(node, pod, argv) : await d.exec(node, argv);
  if (r.code !== 0) return { error: `exit ${r.code}: ${r.stderr.trim()}` };
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

/** Everything a node's data plane is made of, normalised. */
async function nodeState(d: NodeDriver, node: string) {
  const links = await json(d, node, ['ip', '-j', 'addr', 'show']);
  const routes = await json(d, node, ['ip', '-j', 'route', 'show', 'table', 'main']);
  const neigh = await json(d, node, ['ip', '-j', 'neigh', 'show']);
  const fdb = await json(d, node, ['bridge', '-j', 'fdb', 'show']);
  const pod = await json(d, node, ['ip', '-j', 'addr', 'show'], POD);
  const podRoutes = await json(d, node, ['ip', '-j', 'route', 'show'], POD);
  const norm = <T>(v: any, f: (x: any) => T) => (Array.isArray(v) ? f(v) : v);
  return {
    links: norm(links, normLinks),
    routes: norm(routes, normRoutes),
    neigh: norm(neigh, normNeigh),
    fdb: norm(fdb, normFdb),
    pod: norm(pod, normLinks),
    podRoutes: norm(podRoutes, normRoutes),
  };
}

describe('simulated kernel vs real kernel', () => {
  let real: TestCluster;
  let sim: Cluster<SimBackend>;
  const podIp: Record<string, string> = {};

  const clusterOf = (d: NodeDriver) => (d === real.driver ? real : sim);

  const diff = new Differential(() => [real.driver, sim.driver]);
  const { compared } = diff;
  const compare = diff.compare.bind(diff);
  const onBoth = diff.onBoth.bind(diff);
  const ping = (from: string, to: string, extra: string[] = []) => (d: NodeDriver) =>
    d.execPod(from, POD, ['ping', '-c1', '-W1', ...extra, to]).then(normPing);
  async function mesh(scenario: string) {
    for (const a of NODES) for (const b of NODES) if (a !== b) await compare(scenario, `ping ${a} -> ${b}`, ping(a, podIp[b]!));
  }
  async function states(scenario: string) {
    for (const n of NODES) await compare(scenario, `state of ${n}`, (d) => nodeState(d, n));
  }
  const mode = (m: 'host-gw' | 'vxlan') => (d: NodeDriver) => applyDataplane(d, { mode: m });

  beforeAll(async () => {
    [real, sim] = [await startTestCluster('host-gw'), await startSimCluster('host-gw')];
    for (const n of NODES) {
      const [a, b] = [await real.pods.add(n, POD), await sim.pods.add(n, POD)];
      expect(b.address).toBe(a.address);
      podIp[n] = a.address!.split('/')[0]!;
    }
  });
  afterAll(async () => {
    await real?.down();
    await sim?.down();
    console.log(`*** differential corpus: ${diff.summary()} ***`);
  });

  const expectAgreement = (scenario: string) => {
    const mine = compared.filter((c) => c.scenario === scenario);
    expect(mine.length).toBeGreaterThan(0);
    for (const c of mine) {
      // Not vacuous: the real kernel answered every state query, and every ping ran on both sides.
      expect(JSON.stringify(c.real), c.what).not.toMatch(/"error":"exit/);
      for (const side of [c.real, c.sim]) expect(JSON.stringify(side), `${c.what}: ping ran`).not.toContain(NOT_RUN);
      expect({ what: c.what, sim: c.sim }).toEqual({ what: c.what, sim: c.real });
    }
  };
  /** What each named comparison of a scenario must have answered (on the real kernel, which the sim agreed with). */
  const expectOutcomes = (scenario: string, want: Record<string, 'answers' | 'fails'>) => {
    const got = Object.fromEntries(
      Object.keys(want).map((what) => {
        const c = compared.find((x) => x.scenario === scenario && x.what === what);
        return [what, c === undefined ? 'not compared' : String(c.real).startsWith('exit 0:') ? 'answers' : 'fails'];
      }),
    );
    expect(got).toEqual(want);
  };
  const answers = (scenario: string, prefix: string) => compared.filter((c) => c.scenario === scenario && c.what.startsWith(prefix)).map((c) => `${c.what}: ${String(c.real).slice(0, 6)}`);

  it('host-gw: the same routes, links and addresses on every node, and the same mesh', async () => {
    await states('host-gw');
    await mesh('host-gw');
    expectAgreement('host-gw');
    // What both agreed on is the lesson: node1 <-> node2 only.
    expect(answers('host-gw', 'ping').filter((a) => a.endsWith('exit 0'))).toEqual(['ping node1 -> node2: exit 0', 'ping node2 -> node1: exit 0']);
  });

  it('host-gw: MTU with DF (1472 passes, 1473 fails) and pod → far node (masquerade)', async () => {
    await compare('mtu host-gw', 'ping 1472 DF', ping('node1', podIp.node2!, ['-M', 'do', '-s', '1472']));
    await compare('mtu host-gw', 'ping 1473 DF', ping('node1', podIp.node2!, ['-M', 'do', '-s', '1473']));
    await compare('mtu host-gw', 'pod -> node3 underlay', ping('node1', '192.168.57.13'));
    expectAgreement('mtu host-gw');
    expectOutcomes('mtu host-gw', { 'ping 1472 DF': 'answers', 'ping 1473 DF': 'fails' });
  });

  it('mistake: ip_forward off on node2', async () => {
    await onBoth((d) => d.exec('node2', ['sysctl', '-qw', 'net.ipv4.ip_forward=0']));
    await compare('ip_forward off', 'ping node1 -> node2', ping('node1', podIp.node2!));
    await compare('ip_forward off', 'sysctl', (d) => d.exec('node2', ['sysctl', 'net.ipv4.ip_forward']).then((r) => r.stdout));
    await onBoth((d) => d.exec('node2', ['sysctl', '-qw', 'net.ipv4.ip_forward=1']));
    await compare('ip_forward off', 'ping again', ping('node1', podIp.node2!));
    expectAgreement('ip_forward off');
    expectOutcomes('ip_forward off', { 'ping node1 -> node2': 'fails', 'ping again': 'answers' });
  });

  it('mistake: the return route missing on node2', async () => {
    await onBoth((d) => d.exec('node2', ['ip', 'route', 'del', '10.244.1.0/24']));
    await compare('no return route', 'ping node1 -> node2', ping('node1', podIp.node2!));
    await compare('no return route', 'state of node2', (d) => nodeState(d, 'node2'));
    await onBoth((d) => d.exec('node2', ['ip', 'route', 'add', '10.244.1.0/24', 'via', '192.168.56.11', 'dev', 'eth1']));
    await compare('no return route', 'ping after repair', ping('node1', podIp.node2!));
    expectAgreement('no return route');
    expectOutcomes('no return route', { 'ping node1 -> node2': 'fails', 'ping after repair': 'answers' });
  });

  it('mistake: the pod\'s bridge port down', async () => {
    const veth = async (d: NodeDriver) => (await json(d, 'node2', ['ip', '-j', 'link', 'show', 'master', 'simplecni0']))[0].ifname as string;
    await onBoth(async (d) => d.exec('node2', ['ip', 'link', 'set', await veth(d), 'down']));
    await compare('port down', 'ping node1 -> node2', ping('node1', podIp.node2!));
    await compare('port down', 'state of node2', (d) => nodeState(d, 'node2'));
    await onBoth(async (d) => d.exec('node2', ['ip', 'link', 'set', await veth(d), 'up']));
    // The real kernel reports carrier through linkwatch, up to a second later: compare the settled state.
    for (let i = 0; i < 30; i++) {
      const port = (await json(real.driver, 'node2', ['ip', '-j', 'link', 'show', 'master', 'simplecni0']))[0];
      const eth0 = (await json(real.driver, 'node2', ['ip', '-j', 'link', 'show', 'dev', 'eth0'], POD))[0];
      if (port?.operstate === 'UP' && eth0?.operstate === 'UP') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // node2's neighbour entry for its pod failed during the outage, and on a busy machine the fresh
    // resolution can outlast a ping: node2 resolves its pod again first (a few tries, both sides).
    await onBoth(async (d) => {
      for (let i = 0; i < 5 && (await d.exec('node2', ['ping', '-c1', '-W2', podIp.node2!])).code !== 0; i++);
    });
    await compare('port down', 'ping after repair', ping('node1', podIp.node2!, ['-W5']));
    expectAgreement('port down');
    expectOutcomes('port down', { 'ping node1 -> node2': 'fails', 'ping after repair': 'answers' });
  });

  it('mistake: a smaller MTU on node1\'s uplink', async () => {
    await onBoth((d) => d.exec('node1', ['ip', 'link', 'set', 'eth1', 'mtu', '1400']));
    await compare('uplink mtu', 'ping 1400 DF', ping('node1', podIp.node2!, ['-M', 'do', '-s', '1400']));
    await compare('uplink mtu', 'ping 1372 DF', ping('node1', podIp.node2!, ['-M', 'do', '-s', '1372']));
    await onBoth((d) => d.exec('node1', ['ip', 'link', 'set', 'eth1', 'mtu', '1500']));
    await compare('uplink mtu', 'state of node1', (d) => nodeState(d, 'node1'));
    expectAgreement('uplink mtu');
    expectOutcomes('uplink mtu', { 'ping 1400 DF': 'fails', 'ping 1372 DF': 'answers' });
  });

  it('vxlan: flannel.1, neighbours, fdb, routes; the whole mesh; MTU 1422/1423', async () => {
    await onBoth(mode('vxlan'));
    await states('vxlan');
    await mesh('vxlan');
    expect(answers('vxlan', 'ping').filter((a) => a.endsWith('exit 0'))).toHaveLength(6);
    // cnilab trace: on the sim it walks the sim; on the real cluster it walks a snapshot of the
    // nodes' real state read into the model. Same path, hop by hop, either way.
    for (const [a, b] of [['node1', 'node3'], ['node3', 'node2']] as const) {
      await compare('vxlan', `trace ${a} -> ${b}`, async (d) => {
        const c = clusterOf(d);
        const t = await traceBetween(c.env, `${a}/${POD}`, `${b}/${POD}`);
        return `${t.ok} ${t.hops.map((h) => `${h.direction[0]}:${h.where.replace(/\/.*/, '/pod')}:${h.step}`).join(' ')}`;
      });
    }
    // A pod made now gets the overlay's MTU from the plugin: the same on both.
    await onBoth(async (d) => clusterOf(d).pods.add('node1', 'v'));
    await compare('vxlan', 'new pod under vxlan', (d) => json(d, 'node1', ['ip', '-j', 'addr', 'show', 'dev', 'eth0'], 'v').then(normLinks));
    await onBoth(async (d) => clusterOf(d).pods.del('node1', 'v'));
    await compare('vxlan', 'ping 1422 DF', ping('node1', podIp.node3!, ['-M', 'do', '-s', '1422']));
    await compare('vxlan', 'ping 1423 DF', ping('node1', podIp.node3!, ['-M', 'do', '-s', '1423']));
    expectAgreement('vxlan');
    expectOutcomes('vxlan', { 'ping 1422 DF': 'answers', 'ping 1423 DF': 'fails' });
  });

  it('mistake: a VTEP\'s fdb entry removed', async () => {
    const vtep = async (d: NodeDriver) => (await json(d, 'node1', ['bridge', '-j', 'fdb', 'show', 'dev', 'flannel.1'])).find((f: any) => f.dst === '192.168.56.12').mac as string;
    const macs = { real: await vtep(real.driver), sim: await vtep(sim.driver) };
    await real.driver.exec('node1', ['bridge', 'fdb', 'del', macs.real, 'dev', 'flannel.1', 'dst', '192.168.56.12']);
    await sim.driver.exec('node1', ['bridge', 'fdb', 'del', macs.sim, 'dev', 'flannel.1', 'dst', '192.168.56.12']);
    await compare('no fdb entry', 'ping node1 -> node2', ping('node1', podIp.node2!));
    await compare('no fdb entry', 'ping node1 -> node3', ping('node1', podIp.node3!));
    await onBoth(mode('vxlan')); // simplecni-node puts it back
    await compare('no fdb entry', 'ping after re-apply', ping('node1', podIp.node2!));
    expectAgreement('no fdb entry');
    expectOutcomes('no fdb entry', { 'ping node1 -> node2': 'fails', 'ping node1 -> node3': 'answers', 'ping after re-apply': 'answers' });
  });

  it('back to host-gw: nothing of vxlan is left', async () => {
    await onBoth(mode('host-gw'));
    await states('host-gw again');
    await mesh('host-gw again');
    expectAgreement('host-gw again');
    expect(answers('host-gw again', 'ping').filter((a) => a.endsWith('exit 0'))).toEqual(['ping node1 -> node2: exit 0', 'ping node2 -> node1: exit 0']);
  });

  it('lab 01 by hand: a bridge, two namespaces, veth pairs, as the lab text does it', async () => {
    const lab01 = loadCatalog().find((l) => l.id === '01')!;
    await solveLab(real.env, lab01);
    await solveLab(sim.env, lab01);
    for (const name of ['lab1-a', 'lab1-b']) {
      await compare('lab 01', `state of ${name}`, async (d) => {
        // On every backend the node's own namespace, named as the lab text names it.
        return { links: normLinks(await json(d, 'node1', ['ip', '-n', name, '-j', 'addr', 'show'])), routes: normRoutes(await json(d, 'node1', ['ip', '-n', name, '-j', 'route', 'show'])) };
      });
    }
    await compare('lab 01', 'node1 bridge lab1br', (d) => json(d, 'node1', ['ip', '-j', 'addr', 'show', 'master', 'lab1br']).then(normLinks));
    await compare('lab 01', 'ping lab1-a -> lab1-b', (d) => {
      return d.exec('node1', ['ip', 'netns', 'exec', 'lab1-a', 'ping', '-c1', '-W1', '172.16.1.3']).then(normPing);
    });
    await compare('lab 01', 'lab 01 checks', async (d) => {
      const c = clusterOf(d);
      return (await runLabChecks(lab01, checkContext(c.env))).checks.map((x) => `${x.id} ${x.passed}`);
    });
    expectAgreement('lab 01');
    expectOutcomes('lab 01', { 'ping lab1-a -> lab1-b': 'answers' });
    expect(compared.find((c) => c.scenario === 'lab 01' && c.what === 'lab 01 checks')?.real).toEqual(lab01.checks.map((x) => `${x.id} true`));
  });

  it('a pod deleted: its veth, lease and routes go the same way', async () => {
    await onBoth(async (d) => {
      const c = clusterOf(d);
      await c.pods.del('node3', POD);
    });
    // The bridge's last port is gone: the real kernel reports the carrier loss through linkwatch, up
    // to a second later. Compare the settled state (the sim's is settled at once).
    for (let i = 0; i < 30; i++) {
      const br = (await json(real.driver, 'node3', ['ip', '-j', 'link', 'show', 'dev', 'simplecni0']))[0];
      if (br?.operstate !== 'UP') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await compare('pod del', 'state of node3', async (d) => {
      const s = await nodeState(d, 'node3');
      return { links: s.links, routes: s.routes };
    });
    await compare('pod del', 'ping node1 -> deleted pod', ping('node1', podIp.node3!));
    expectAgreement('pod del');
    expectOutcomes('pod del', { 'ping node1 -> deleted pod': 'fails' });
  });
});
