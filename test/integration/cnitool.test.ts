// The CNI project's own client drives SimpleCNI: cnitool, built on Debian's libcni
// (scripts/build-cnitool.sh), runs inside a namespace node with the node's own /etc/cni/net.d,
// as the lab texts show it. libcni is what containerd, CRI-O and podman call plugins through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execCommand } from '../../src/shared/exec.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { leftoversOf } from '../helpers/leakAudit.ts';

const NODE = 'node1';
const HOST_CACHE = '/var/lib/cni'; // libcni's default: the machine's, never to be touched here

describe('cnitool (libcni) against SimpleCNI on a netns node', () => {
  let c: TestCluster;
  let cnitool: string;
  let cacheDir: string;
  let hostCacheBefore: string[];
  const listHostCache = () => (fs.existsSync(`${HOST_CACHE}/results`) ? fs.readdirSync(`${HOST_CACHE}/results`).sort() : []);

  beforeAll(async () => {
    const built = await execCommand(['sh', 'scripts/build-cnitool.sh'], { timeoutMs: 300_000 });
    expect(built.code, built.stderr).toBe(0);
    cnitool = built.stdout.trim();
    hostCacheBefore = listHostCache();
    c = await startTestCluster();
    // libcni's result cache per node, next to the node's IPAM state (as a runtime on the node would keep it).
    cacheDir = path.join(c.layout.nodeDir(NODE), 'libcni');
  }, 600_000);

  afterAll(async () => {
    const name = c?.backend.cluster;
    await c?.down();
    if (name) expect(leftoversOf([name])).toEqual([]);
  });

  /** `cnitool <cmd> simplecni <netns>` inside node1, with the node's plugin dir and a per-node cache. */
  const run = (cmd: 'add' | 'check' | 'del', netns: string, containerId = 'ct1') =>
    c.driver.exec(NODE, [cnitool, cmd, 'simplecni', netns], {
      env: { CNI_PATH: c.driver.paths(NODE).binDir, CNI_CACHE_DIR: cacheDir, CNI_CONTAINERID: containerId, CNI_IFNAME: 'eth0' },
    });
  const leases = () => fs.readdirSync(path.join(c.driver.paths(NODE).dataDir, 'simplecni')).filter((f) => /^\d/.test(f));
  const podVeths = async () => (await c.driver.exec(NODE, ['ip', '-br', 'link', 'show', 'type', 'veth'])).stdout.split('\n').filter((l) => l.startsWith('veth'));

  it('ADD wires the netns and caches the result; CHECK passes, and fails once the address is gone', async () => {
    const netns = await c.driver.createPodNetns(NODE, 'ct1');
    const add = await run('add', netns);
    expect(add.code, add.stderr).toBe(0);
    const result = JSON.parse(add.stdout) as { cniVersion: string; ips: { address: string }[] };
    // Debian 12's libcni knows versions up to 1.0.0: the node's conflist offers it (cniVersions).
    expect(result.cniVersion).toBe('1.0.0');
    const addr = result.ips[0]!.address;
    expect(addr).toMatch(/^10\.244\.1\.\d+\/24$/);
    const inside = await execCommand(['nsenter', `--net=${netns}`, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(inside.stdout).toContain(`inet ${addr}`);
    expect(fs.readFileSync(path.join(c.driver.paths(NODE).dataDir, 'simplecni', addr.split('/')[0]!), 'utf8')).toBe('ct1\r\neth0');
    expect(fs.readdirSync(path.join(cacheDir, 'results'))).toEqual(['simplecni-ct1-eth0']);

    const check = await run('check', netns);
    expect(check.code, check.stderr).toBe(0);
    await execCommand(['nsenter', `--net=${netns}`, 'ip', 'addr', 'del', addr, 'dev', 'eth0']);
    const broken = await run('check', netns);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/10\.244\.1\.\d+/);
    // Put back what the address took with it (its default route), and CHECK agrees again.
    await execCommand(['nsenter', `--net=${netns}`, 'ip', 'addr', 'add', addr, 'dev', 'eth0']);
    await execCommand(['nsenter', `--net=${netns}`, 'ip', 'route', 'replace', 'default', 'via', '10.244.1.1', 'dev', 'eth0']);
    const mended = await run('check', netns);
    expect(mended.code, mended.stderr).toBe(0);
  });

  it('a second ADD of the same container and interface is refused, and changes nothing', async () => {
    const netns = c.layout.podNetnsPath(NODE, 'ct1');
    const before = { leases: leases(), veths: await podVeths() };
    const again = await run('add', netns);
    expect(again.code).not.toBe(0);
    expect(again.stderr.trim()).not.toBe('');
    expect({ leases: leases(), veths: await podVeths() }).toEqual(before);
    expect((await run('check', netns)).code).toBe(0);
  });

  it('DEL frees everything; a second DEL succeeds too', async () => {
    const netns = c.layout.podNetnsPath(NODE, 'ct1');
    const del = await run('del', netns);
    expect(del.code, del.stderr).toBe(0);
    expect(leases()).toEqual([]);
    expect(await podVeths()).toEqual([]);
    expect(fs.readdirSync(path.join(cacheDir, 'results'))).toEqual([]);
    const twice = await run('del', netns);
    expect(twice.code, twice.stderr).toBe(0);
    await c.driver.deletePodNetns(NODE, 'ct1');
  });

  it('DEL with the netns already gone succeeds and frees the lease', async () => {
    const netns = await c.driver.createPodNetns(NODE, 'ct2');
    expect((await run('add', netns, 'ct2')).code).toBe(0);
    expect(leases()).toHaveLength(1);
    await c.driver.deletePodNetns(NODE, 'ct2');
    expect(fs.existsSync(netns)).toBe(false);
    const del = await run('del', netns, 'ct2');
    expect(del.code, del.stderr).toBe(0);
    expect(leases()).toEqual([]);
    expect(await podVeths()).toEqual([]);
    expect(fs.readdirSync(path.join(cacheDir, 'results'))).toEqual([]);
  });

  it("nothing reached the machine's own libcni cache", () => {
    expect(listHostCache()).toEqual(hostCacheBefore);
  });
});
