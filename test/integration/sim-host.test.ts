// The plugin host on the simulated kernel: the plugin run in-process (the sim driver's worker)
// gives the same answers and leaves the same world as the plugin run as a process from a node's
// shell; /proc/sys is the node's, never this machine's; a plugin that never ends is stopped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { CniRuntime } from '../../src/runtime/cniRuntime.ts';
import { startSimCluster, type Cluster } from '../helpers/cluster.ts';
import { normLinks, normRoutes } from '../helpers/normalize.ts';

const NODE = 'node1';

describe('the plugin host on the simulated kernel', () => {
  let hosted: Cluster<SimBackend>;
  let proc: Cluster<SimBackend>;
  beforeAll(async () => {
    [hosted, proc] = [await startSimCluster('host-gw'), await startSimCluster('host-gw')];
  });
  afterAll(async () => {
    await hosted?.down();
    await proc?.down();
  });

  /** Runs the plugin on a node: in the host's worker (the sim driver's own path), or as a process started by sh. */
  const added: Record<string, unknown> = {};
  async function plugin(c: Cluster<SimBackend>, how: 'hosted' | 'process', env: Record<string, string>) {
    const rt = new CniRuntime(c.driver);
    const list = await rt.loadNetwork(NODE);
    // CHECK and DEL get the ADD's result, as a runtime passes it.
    const prev = env.CNI_COMMAND === 'ADD' ? {} : { prevResult: added[how] };
    const conf = JSON.stringify({ ...list.plugins[0], name: list.name, cniVersion: list.cniVersion, ...prev });
    const shim = path.join(c.driver.paths(NODE).binDir, 'simplecni');
    const argv = how === 'hosted' ? [shim] : ['sh', '-c', 'exec "$0"', shim];
    const r = await c.driver.exec(NODE, argv, { input: conf, env });
    if (env.CNI_COMMAND === 'ADD' && r.code === 0) added[how] = JSON.parse(r.stdout);
    return r;
  }

  async function world(c: Cluster<SimBackend>, pod: string) {
    const j = async (argv: string[], inPod = false) => {
      const r = inPod ? await c.driver.execPod(NODE, pod, argv) : await c.driver.exec(NODE, argv);
      return r.code === 0 ? JSON.parse(r.stdout || '[]') : { error: r.stderr };
    };
    const leaseDir = path.join(c.driver.paths(NODE).dataDir, 'simplecni');
    return {
      links: normLinks(await j(['ip', '-j', '-d', 'addr', 'show'])),
      routes: normRoutes(await j(['ip', '-j', 'route', 'show', 'table', 'main'])),
      pod: normLinks(await j(['ip', '-j', 'addr', 'show'], true)),
      podRoutes: normRoutes(await j(['ip', '-j', 'route', 'show'], true)),
      forward: (await c.driver.exec(NODE, ['sysctl', '-n', 'net.ipv4.ip_forward'])).stdout,
      leases: fs.existsSync(leaseDir) ? fs.readdirSync(leaseDir).filter((n) => /^\d/.test(n)).map((n) => `${n}=${fs.readFileSync(path.join(leaseDir, n), 'utf8')}`) : [],
    };
  }

  it('ADD, CHECK, DEL, a bad CHECK and a second DEL: the same output, exit codes and world as a plugin process', async () => {
    const hostForward = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
    const steps: { what: string; hosted: unknown; process: unknown }[] = [];
    for (const c of [hosted, proc]) await c.driver.exec(NODE, ['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
    const netns = { hosted: await hosted.driver.createPodNetns(NODE, 'cmp'), process: await proc.driver.createPodNetns(NODE, 'cmp') };
    const att = (how: 'hosted' | 'process', command: string, id = 'cmp1') => ({ CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netns[how], CNI_IFNAME: 'eth0' });
    // Each world draws its own MAC addresses; the netns files have the cluster's name in their path.
    const mac = /\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/g;
    const norm = (r: { code: number; stdout: string; stderr: string }, how: 'hosted' | 'process') => ({
      code: r.code,
      stdout: r.stdout.replaceAll(netns[how], '<netns>').replace(mac, '<mac>'),
      stderr: r.stderr.replaceAll(netns[how], '<netns>').replace(mac, '<mac>'),
    });
    for (const [what, command, id] of [
      ['ADD', 'ADD', 'cmp1'],
      ['CHECK', 'CHECK', 'cmp1'],
      ['CHECK of a container never added', 'CHECK', 'other'],
    ] as const) {
      const h = norm(await plugin(hosted, 'hosted', att('hosted', command, id)), 'hosted');
      const p = norm(await plugin(proc, 'process', att('process', command, id)), 'process');
      steps.push({ what, hosted: h, process: p });
    }
    const afterAdd = { hosted: await world(hosted, 'cmp'), process: await world(proc, 'cmp') };
    for (const [what, command] of [
      ['DEL', 'DEL'],
      ['second DEL', 'DEL'],
    ] as const) {
      steps.push({ what, hosted: norm(await plugin(hosted, 'hosted', att('hosted', command)), 'hosted'), process: norm(await plugin(proc, 'process', att('process', command)), 'process') });
    }
    const afterDel = { hosted: await world(hosted, 'cmp'), process: await world(proc, 'cmp') };

    for (const s of steps) expect(s.hosted, s.what).toEqual(s.process);
    expect(afterAdd.hosted).toEqual(afterAdd.process);
    expect(afterDel.hosted).toEqual(afterDel.process);
    // What the steps did, so agreement is not two identical failures.
    expect(steps.map((s) => (s.hosted as { code: number }).code)).toEqual([0, 0, 1, 0, 0]);
    expect(JSON.parse((steps[0]!.hosted as { stdout: string }).stdout).ips[0].address).toMatch(/^10\.244\.1\.\d+\/24$/);
    expect(afterAdd.hosted.pod.map((l) => l.ifname)).toContain('eth0');
    expect(afterAdd.hosted.leases).toHaveLength(1);
    expect(afterDel.hosted.leases).toEqual([]);
    // The plugin turned forwarding on in the node's simulated kernel (through /proc/sys), not on this machine.
    expect(afterAdd.hosted.forward.trim()).toBe('1');
    expect(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8')).toBe(hostForward);
    await hosted.driver.deletePodNetns(NODE, 'cmp');
    await proc.driver.deletePodNetns(NODE, 'cmp');
  });

  it('simplecni-node through the host programs the same routes as from a process', async () => {
    const agent = (c: Cluster<SimBackend>, how: 'hosted' | 'process') => {
      const p = c.driver.paths(NODE);
      const argv = [path.join(p.binDir, 'simplecni-node'), 'apply', '--json', '--node', NODE, '--cluster-file', p.clusterFile, '--mode', 'vxlan'];
      return c.driver.exec(NODE, how === 'hosted' ? argv : ['sh', '-c', 'exec "$@"', 'sh', ...argv]);
    };
    const [h, p] = [await agent(hosted, 'hosted'), await agent(proc, 'process')];
    expect(h.code, h.stderr).toBe(0);
    expect(h).toEqual(p);
    expect(JSON.parse(h.stdout).applied).toBeGreaterThan(0);
    const routes = async (c: Cluster<SimBackend>) => normRoutes(JSON.parse((await c.driver.exec(NODE, ['ip', '-j', 'route', 'show'])).stdout));
    expect(await routes(hosted)).toEqual(await routes(proc));
  });

  it('a plugin that loops forever is stopped with a clear error, and the node still answers', async () => {
    const bin = hosted.driver.paths(NODE).binDir;
    const looping = path.join(fs.mkdtempSync(path.join(hosted.backend.layout.stateDir, 'loop-')), 'loop.cjs');
    fs.writeFileSync(looping, 'process.stdout.write("starting\\n"); for (;;) {}\n');
    await hosted.backend.installBundles({ simplecni: looping, 'simplecni-ipam': path.join(bin, 'simplecni-ipam.cjs'), 'simplecni-node': path.join(bin, 'simplecni-node.cjs') });
    const t0 = Date.now();
    const r = await hosted.driver.exec(NODE, [path.join(bin, 'simplecni')], { input: '{}', env: { CNI_COMMAND: 'VERSION' }, timeoutMs: 1500 });
    expect(r.code).toBe(124);
    expect(r.stderr).toMatch(/^simplecni: stopped after 1\.5 s without finishing: an endless loop/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    // The runtime sees a failed plugin with that message (CNI error 999: it printed no error JSON).
    const rt = new CniRuntime(hosted.driver);
    const after = await hosted.driver.exec(NODE, ['ip', '-j', 'link', 'show', 'lo']);
    expect(after.code).toBe(0);
    expect(rt.cniPath(NODE)).toContain(bin);
  });

  it('a plugin that crashes: exit 1 and the stack on stderr, as from Node', async () => {
    const bin = hosted.driver.paths(NODE).binDir;
    const crashing = path.join(fs.mkdtempSync(path.join(hosted.backend.layout.stateDir, 'crash-')), 'crash.cjs');
    fs.writeFileSync(crashing, 'Promise.reject(new RangeError("out of range"));\n');
    await hosted.backend.installBundles({ simplecni: crashing, 'simplecni-ipam': path.join(bin, 'simplecni-ipam.cjs'), 'simplecni-node': path.join(bin, 'simplecni-node.cjs') });
    const r = await hosted.driver.exec(NODE, [path.join(bin, 'simplecni')], { input: '{}' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^RangeError: out of range\n\s+at /);
  });

  it('`node <bundle>.cjs` typed on a node runs in the plugin host too: it sees the node\'s /proc/sys, and none of this machine\'s /proc', async () => {
    const dir = fs.mkdtempSync(path.join(hosted.backend.layout.stateDir, 'byhand-'));
    const script = path.join(dir, 'look.cjs');
    fs.writeFileSync(script, "const fs = require('fs'); process.stdout.write(fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim() + ' ' + fs.existsSync('/proc/self/status'));\n");
    const look = async (value: string) => {
      expect((await hosted.driver.exec(NODE, ['sysctl', '-qw', `net.ipv4.ip_forward=${value}`])).code).toBe(0);
      return hosted.driver.exec(NODE, ['sh', '-c', `node ${script}`]);
    };
    expect((await look('0')).stdout).toBe('0 false');
    expect((await look('1')).stdout).toBe('1 false');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a node's terminal gets shims that run the plugin host, also where an older kit wrote shims that ran Node.js", async () => {
    const shim = path.join(proc.driver.paths('node2').binDir, 'simplecni');
    fs.writeFileSync(shim, `#!/bin/sh\nexec ${process.execPath} ${shim}.cjs "$@"\n`);
    proc.driver.shellArgv('node1');
    expect(fs.readFileSync(shim, 'utf8')).toMatch(/^exec \S+ (?:--enable-source-maps )?\S+\/simhost\.cjs \S+\/node2\/etc\/cni\/bin\/simplecni\.cjs "\$@"$/m);
  });
});
