// IP-in-IP, which this machine's kernel can't run, compared against a real kernel's recorded
// answers: test/fixtures/kernel/ipip/ was captured on the Vagrant VMs (Debian's 6.1 cloud kernel
// with the ipip module, iproute2 6.1; see capture.json) after `simplecni-node apply --mode ipip`
// and one pod per worker. A sim cluster gets the same operations and must give the same answers:
// tunl0, the bridge and pod MTUs, the routes into the cluster CIDR, each pod's address and
// routes, `ip route get`, the pings, and what tcpdump saw on node1's uplink.
// (The VMs also have a management NIC, eth0, and reach the far segment by a route instead of a
// default route: those lines are outside the comparison.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { inPrefix } from '../../src/sim/core/ip4.ts';
import { startSimCluster, type Cluster } from '../helpers/cluster.ts';
import { normLinks, normPing, normRoutes } from '../helpers/normalize.ts';

const DIR = 'test/fixtures/kernel/ipip';
const NODES = ['node1', 'node2', 'node3'] as const;
const POD = 'web';
const fixture = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');
const fixtureJson = (name: string) => JSON.parse(fixture(name));
const meta = fixtureJson('capture.json') as { kernel: string; pods: Record<string, { ip: string }> };

const CLUSTER_CIDR = '10.244.0.0/16';
const inCluster = (r: { dst: string }) => r.dst !== 'default' && inPrefix(r.dst.split('/')[0]!, CLUSTER_CIDR);
const DATAPLANE_LINKS = new Set(['tunl0', 'simplecni0']);
/** `ip route get` without the PMTU cache fields (expires, metrics), which the model does not keep. */
const routeGet = (r: any[]) => r.map(({ dst, gateway, dev, prefsrc }) => ({ dst, gateway, dev, prefsrc }));
/** A ping's text as normPing sees it, from a recording (its exit code follows from the reply count). */
const recordedPing = (text: string) => normPing({ code: /\b1 received/.test(text) ? 0 : 1, stdout: text, stderr: '' });

describe(`IP-in-IP: the simulated kernel against a real one (${meta.kernel}, recorded)`, () => {
  let sim: Cluster<SimBackend>;
  const ips: Record<string, string> = {};
  const json = async (node: string, argv: string[], pod?: string) => {
    const r = pod ? await sim.driver.execPod(node, pod, argv) : await sim.driver.exec(node, argv);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };

  beforeAll(async () => {
    sim = await startSimCluster('ipip');
    for (const n of NODES) ips[n] = (await sim.pods.add(n, POD)).address!.split('/')[0]!;
  });
  afterAll(async () => sim?.down());

  it('the pods got the addresses the real nodes gave theirs', () => {
    for (const n of NODES) expect(ips[n]).toBe(meta.pods[n]!.ip);
  });

  for (const n of NODES) {
    it(`${n}: tunl0 and the bridge, the routes into the cluster, the pod`, async () => {
      const pick = (links: any[]) => normLinks(links).filter((l) => DATAPLANE_LINKS.has(l.ifname));
      expect(pick(await json(n, ['ip', '-j', 'addr', 'show']))).toEqual(pick(fixtureJson(`${n}-addr.json`)));
      const routes = (rs: any[]) => normRoutes(rs.filter(inCluster));
      expect(routes(await json(n, ['ip', '-j', 'route', 'show', 'table', 'main']))).toEqual(routes(fixtureJson(`${n}-route.json`)));
      const podLinks = (ls: any[]) => normLinks(ls).map(({ ifname, ...rest }) => ({ ifname: ifname.replace(/@.*/, ''), ...rest }));
      expect(podLinks(await json(n, ['ip', '-j', 'addr', 'show'], POD))).toEqual(podLinks(fixtureJson(`${n}-pod-addr.json`)));
      expect(normRoutes(await json(n, ['ip', '-j', 'route', 'show'], POD))).toEqual(normRoutes(fixtureJson(`${n}-pod-route.json`)));
    });
  }

  for (const a of NODES) {
    for (const b of NODES) {
      if (a === b) continue;
      it(`${a} -> ${b}: ip route get and the ping`, async () => {
        expect(routeGet(await json(a, ['ip', '-j', 'route', 'get', ips[b]!]))).toEqual(routeGet(fixtureJson(`${a}-route-get-${b}.json`)));
        const r = await sim.driver.execPod(a, POD, ['ping', '-c1', '-W1', ips[b]!]);
        expect(normPing(r)).toBe(recordedPing(fixture(`${a}-ping-${b}.txt`)));
      });
    }
  }

  it('on the wire: node1\'s uplink carries IP protocol 4, pod addresses inside', async () => {
    const lines = fixture('node1-tcpdump.txt').split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, '').replace(/id \d+/, 'id N'));
    const listening = sim.driver.exec('node1', ['timeout', '5', 'tcpdump', '-l', '-n', '-c', '2', '-i', 'eth1', 'ip proto 4']);
    await new Promise((r) => setTimeout(r, 700));
    await sim.driver.execPod('node1', POD, ['ping', '-c1', '-W1', ips.node3!]);
    const seen = (await listening).stdout.split('\n').filter(Boolean).map((l) => l.replace(/^\S+ /, '').replace(/id \d+/, 'id N'));
    expect(seen).toEqual(lines.slice(0, 2));
  });
});
