// ping on the simulated kernel: the walk's outcomes in the lab topology, in iputils' words.
import { describe, expect, it, vi } from 'vitest';
import { ip } from '../../src/sim/core/ip/index.ts';
import { ping } from '../../src/sim/core/ping.ts';
import { linkByName } from '../../src/sim/core/model.ts';
import { labWorld, normPing, podIp, podNs, type WorldBuilder } from './worlds.ts';

const run = (b: WorldBuilder, ns: string, ...args: string[]) => ping({ world: b.world, ns, pid: 1234 }, args);

describe('ping: exact text', () => {
  it('a reply: header, reply line, statistics, rtt', () => {
    const b = labWorld('host-gw');
    const r = run(b, podNs(1), '-c1', '-W1', podIp(2));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PING 10\.244\.2\.2 \(10\.244\.2\.2\) 56\(84\) bytes of data\.\n64 bytes from 10\.244\.2\.2: icmp_seq=1 ttl=62 time=\d\.\d{3} ms\n\n--- 10\.244\.2\.2 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min\/avg\/max\/mdev = [\d.]+\/[\d.]+\/[\d.]+\/0\.000 ms\n$/);
  });
  it('no reply: 100% loss, an empty line, exit 1', () => {
    const b = labWorld('host-gw');
    const r = run(b, podNs(1), '-c1', '-W1', podIp(3));
    expect(r).toEqual({ code: 1, stderr: '', stdout: 'PING 10.244.3.2 (10.244.3.2) 56(84) bytes of data.\n\n--- 10.244.3.2 ping statistics ---\n1 packets transmitted, 0 received, 100% packet loss, time 0ms\n\n' });
  });
  it('no route: connect fails, exit 2', () => {
    const b = labWorld('host-gw');
    expect(run(b, 'seg-a', '-c1', '10.1.1.1')).toEqual({ code: 2, stdout: '', stderr: 'ping: connect: Network is unreachable\n' });
  });
  it('-I addr and -q', () => {
    const b = labWorld('host-gw');
    const r = run(b, podNs(1), '-c2', '-i', '0.2', '-q', '-I', podIp(1), '10.244.1.1');
    expect(r.stdout).toMatch(/^PING 10\.244\.1\.1 \(10\.244\.1\.1\) from 10\.244\.1\.2 : 56\(84\) bytes of data\.\n\n--- 10\.244\.1\.1 ping statistics ---\n2 packets transmitted, 2 received, 0% packet loss, time 20\dms\nrtt /);
  });
});

describe('ping: the walk in the lab topology', () => {
  it('host-gw: node1 <-> node2 pods reply; node3 cannot be reached (the router knows no pod routes)', () => {
    const b = labWorld('host-gw');
    expect(run(b, podNs(1), '-c1', '-W1', podIp(2)).code).toBe(0);
    expect(run(b, podNs(2), '-c1', '-W1', podIp(1)).code).toBe(0);
    expect(run(b, podNs(1), '-c1', '-W1', podIp(3)).code).toBe(1);
    expect(run(b, podNs(3), '-c1', '-W1', podIp(1)).code).toBe(1);
    // the node itself reaches anything routable: the router answers "net unreachable" for the rest
    expect(normPing(run(b, 'node1', '-c1', '-W1', '1.2.3.4'))).toContain('From 192.168.56.254 icmp_seq=1 Destination Net Unreachable');
  });
  it('host-gw: MTU 1472 passes with DF, 1473 is a local error', () => {
    const b = labWorld('host-gw');
    expect(normPing(run(b, podNs(1), '-c1', '-W1', '-M', 'do', '-s', '1472', podIp(2)))).toBe(
      'exit 0: PING 10.244.2.2 (10.244.2.2) 1472(1500) bytes of data. | 1480 bytes from 10.244.2.2: icmp_seq=1 ttl=62 time=T | 1 packets transmitted, 1 received, 0% packet loss',
    );
    const big = run(b, podNs(1), '-c1', '-W1', '-M', 'do', '-s', '1473', podIp(2));
    expect(big.stderr).toBe('ping: local error: message too long, mtu=1500\n');
    expect(normPing(big)).toBe('exit 1: PING 10.244.2.2 (10.244.2.2) 1473(1501) bytes of data. | 1 packets transmitted, 0 received, +1 errors, 100% packet loss | ping: local error: message too long, mtu=1500');
  });
  it('vxlan: every pod reaches every pod; 1422 passes, 1423 fails at 1450; a 1500-MTU pod gets Frag needed', () => {
    const b = labWorld('vxlan');
    for (const a of [1, 2, 3]) for (const c of [1, 2, 3]) if (a !== c) expect(run(b, podNs(a), '-c1', '-W1', podIp(c)).code, `${a}->${c}`).toBe(0);
    expect(run(b, podNs(1), '-c1', '-M', 'do', '-s', '1422', podIp(3)).code).toBe(0);
    expect(run(b, podNs(1), '-c1', '-M', 'do', '-s', '1423', podIp(3)).stderr).toBe('ping: local error: message too long, mtu=1450\n');
    linkByName(b.ns(podNs(1)), 'eth0')!.mtu = 1500;
    expect(normPing(run(b, podNs(1), '-c1', '-W1', '-M', 'do', '-s', '1472', podIp(3)))).toContain('From 10.244.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1450)');
  });
  it('path MTU discovery: the Frag needed is remembered, the next big ping is refused in the pod, flush cache forgets', () => {
    const b = labWorld('vxlan');
    linkByName(b.ns(podNs(1)), 'eth0')!.mtu = 1500;
    const get = () => ip({ world: b.world, ns: podNs(1) }, ['route', 'get', podIp(3)]).stdout;
    expect(get()).toBe('10.244.3.2 via 10.244.1.1 dev eth0 src 10.244.1.2 uid 0 \n    cache \n');
    expect(normPing(run(b, podNs(1), '-c1', '-W1', '-M', 'do', '-s', '1472', podIp(3)))).toContain('Frag needed and DF set (mtu = 1450)');
    const second = run(b, podNs(1), '-c1', '-W1', '-M', 'do', '-s', '1472', podIp(3));
    expect(second.stderr).toBe('ping: local error: message too long, mtu=1450\n');
    expect(get()).toMatch(/^10\.244\.3\.2 via 10\.244\.1\.1 dev eth0 src 10\.244\.1\.2 uid 0 \n    cache expires 59\dsec mtu 1450 \n$/);
    expect(JSON.parse(ip({ world: b.world, ns: podNs(1) }, ['-j', 'route', 'get', podIp(3)]).stdout)[0]).toMatchObject({ metrics: [{ mtu: 1450 }] });
    // What fits the learnt path still goes; another destination is not concerned.
    expect(run(b, podNs(1), '-c1', '-M', 'do', '-s', '1422', podIp(3)).code).toBe(0);
    expect(ip({ world: b.world, ns: podNs(1) }, ['route', 'get', podIp(2)]).stdout).not.toMatch(/expires/);
    ip({ world: b.world, ns: podNs(1) }, ['route', 'flush', 'cache']);
    expect(get()).not.toMatch(/expires/);
    expect(normPing(run(b, podNs(1), '-c1', '-W1', '-M', 'do', '-s', '1472', podIp(3)))).toContain('Frag needed and DF set (mtu = 1450)');
  });
  it('an unanswered neighbour is INCOMPLETE while the kernel probes (3 × 1 s), FAILED after', () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    try {
      const b = labWorld('vxlan');
      const neigh = () => ip({ world: b.world, ns: 'node1' }, ['neigh', 'show', 'dev', 'flannel.1']).stdout;
      ip({ world: b.world, ns: 'node1' }, ['neigh', 'del', '10.244.3.0', 'dev', 'flannel.1']);
      expect(run(b, podNs(1), '-c2', '-W1', podIp(3)).code).toBe(1);
      expect(neigh()).toContain('10.244.3.0 INCOMPLETE \n');
      vi.advanceTimersByTime(3000);
      expect(neigh()).toContain('10.244.3.0 FAILED \n');
      expect(ip({ world: b.world, ns: 'node1' }, ['neigh', 'show', 'nud', 'failed']).stdout).toContain('10.244.3.0 dev flannel.1 FAILED');
    } finally {
      vi.useRealTimers();
    }
  });
  it('ipip: every pod reaches every pod through tunl0', () => {
    const b = labWorld('ipip');
    for (const a of [1, 2, 3]) for (const c of [1, 2, 3]) if (a !== c) expect(run(b, podNs(a), '-c1', '-W1', podIp(c)).code, `${a}->${c}`).toBe(0);
    expect(run(b, podNs(1), '-c1', '-M', 'do', '-s', '1452', podIp(3)).code).toBe(0);
    expect(run(b, podNs(1), '-c1', '-M', 'do', '-s', '1453', podIp(3)).stderr).toBe('ping: local error: message too long, mtu=1480\n');
  });
  it('mistakes: ip_forward off, a missing return route, a bridge port down', () => {
    let b = labWorld('host-gw');
    b.ns('node2').sysctl['net.ipv4.ip_forward'] = '0';
    expect(run(b, podNs(1), '-c1', '-W1', podIp(2)).code).toBe(1);
    b = labWorld('host-gw');
    const n2 = b.ns('node2');
    n2.routes = n2.routes.filter((r) => r.dst !== '10.244.1.0/24');
    expect(run(b, podNs(1), '-c1', '-W1', podIp(2)).code).toBe(1);
    b = labWorld('host-gw');
    linkByName(b.ns('node2'), 'veth00000002')!.up = false;
    expect(run(b, podNs(1), '-c1', '-W1', podIp(2)).code).toBe(1);
  });
  it('a neighbour that never answers: Destination Host Unreachable from our own address, once -W allows 3 s', () => {
    const b = labWorld('host-gw');
    expect(normPing(run(b, podNs(1), '-c1', '-W1', '10.244.1.9'))).toBe('exit 1: PING 10.244.1.9 (10.244.1.9) 56(84) bytes of data. | 1 packets transmitted, 0 received, 100% packet loss');
    expect(normPing(run(b, podNs(1), '-c2', '-W5', '10.244.1.9'))).toBe(
      'exit 1: PING 10.244.1.9 (10.244.1.9) 56(84) bytes of data. | From 10.244.1.2 icmp_seq=1 Destination Host Unreachable | From 10.244.1.2 icmp_seq=2 Destination Host Unreachable | 2 packets transmitted, 0 received, +2 errors, 100% packet loss | pipe 2',
    );
  });
  it('TTL 1: time exceeded at the first hop', () => {
    const b = labWorld('host-gw');
    expect(normPing(run(b, podNs(1), '-c1', '-W1', '-t1', podIp(2)))).toContain('From 10.244.1.1 icmp_seq=1 Time to live exceeded');
  });
  it('rp_filter=1 on node2: a packet from an address routed back elsewhere is dropped', () => {
    const b = labWorld('host-gw');
    // node2 routes 10.244.1.0/24 back via eth1: a packet from node1's pod arriving on eth1 passes…
    b.ns('node2').sysctl['net.ipv4.conf.all.rp_filter'] = '1';
    expect(run(b, podNs(1), '-c1', '-W1', podIp(2)).code).toBe(0);
    // …but not once the route back leaves by another interface
    const n2 = b.ns('node2');
    n2.routes = n2.routes.filter((r) => r.dst !== '10.244.1.0/24');
    b.route('node2', '10.244.1.0/24', '10.244.2.99', 'simplecni0');
    expect(run(b, podNs(1), '-c1', '-W1', podIp(2)).code).toBe(1);
  });
  it('masquerade: node3 sees the node\'s address; pod-to-pod keeps pod addresses', () => {
    const b = labWorld('host-gw');
    expect(run(b, podNs(1), '-c1', '-W1', '192.168.57.13').code).toBe(1);
    b.ns('node1').nft.masquerade.push({ table: 'simplecni', saddr: '10.244.1.0/24', daddrNot: '10.244.0.0/16' });
    expect(run(b, podNs(1), '-c1', '-W1', '192.168.57.13').code).toBe(0);
    expect(run(b, podNs(1), '-c1', '-W1', podIp(2)).code).toBe(0);
  });
  it('counts packets on the links crossed', () => {
    const b = labWorld('host-gw');
    run(b, podNs(1), '-c3', podIp(2));
    const eth1 = linkByName(b.ns('node2'), 'eth1')!;
    expect(eth1.stats.rxPackets).toBeGreaterThanOrEqual(3);
    expect(eth1.stats.txPackets).toBeGreaterThanOrEqual(3);
  });
});
