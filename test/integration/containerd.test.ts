// A real third-party CNI client drives the plugin: containerd's `ctr run --cni` starts a container
// on a namespace node and gets its address from SimpleCNI, through the node's own /etc/cni/net.d.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startContainerd, ensureContainerdPackages, type Containerd } from '../helpers/containerd.ts';
import { buildBusyboxOciTar } from '../helpers/ociImage.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { checkContext } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { breakagesFor, logOutcome, problemsOf, runBreakages } from '../helpers/breakages.ts';

// ctr only looks for plugins in /opt/cni/bin (and Debian's /usr/lib/cni): the one shared path
// this test must use. It installs a shim there that runs the node's own plugin, and removes
// exactly what it created.
const OPT_BIN = '/opt/cni/bin';
const SHIM = path.join(OPT_BIN, 'simplecni');
// ctr's libcni caches each ADD in the machine's /var/lib/cni/results (ctr run -d never DELs it):
// the test removes its own entries, and the dirs if it made them.
const LIBCNI_DIRS = ['/var/lib/cni', '/var/lib/cni/results'];
const SHIM_TEXT = `#!/bin/sh\n# SimpleCNI Lab test shim: runs the plugin installed on the node (/etc/cni/bin inside a netns node).\nexec /etc/cni/bin/simplecni "$@"\n`;

describe('containerd ctr run --cni', () => {
  let cluster: TestCluster;
  let containerd: Containerd;
  let dir: string;
  let ref: string;
  const created: string[] = [];

  const libcniDirsMade = LIBCNI_DIRS.filter((d) => !fs.existsSync(d));

  beforeAll(async () => {
    await ensureContainerdPackages();
    if (fs.existsSync(SHIM) && fs.readFileSync(SHIM, 'utf8') !== SHIM_TEXT) {
      throw new Error(`${SHIM} exists and is not this test's shim; refusing to overwrite it`);
    }
    for (const d of ['/opt', '/opt/cni', OPT_BIN]) {
      if (!fs.existsSync(d)) {
        fs.mkdirSync(d);
        created.push(d);
      }
    }
    if (!fs.existsSync(SHIM)) {
      fs.writeFileSync(SHIM, SHIM_TEXT, { mode: 0o755 });
      created.push(SHIM);
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-ctrd-'));
    cluster = await startTestCluster();
    containerd = await startContainerd(path.join(dir, 'c'));
    ref = await buildBusyboxOciTar(path.join(dir, 'bb.tar'));
    const imp = await containerd.ctr(['image', 'import', path.join(dir, 'bb.tar')]);
    expect(imp.code, imp.stderr).toBe(0);
  });

  afterAll(async () => {
    await containerd?.stop();
    await cluster?.down();
    for (const p of created.reverse()) {
      if (p === SHIM) fs.rmSync(p, { force: true });
      else fs.rmdirSync(p); // only dirs this test created, now empty again
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync('/var/lib/cni/results/simplecni-default-ctr2-eth0', { force: true });
    for (const d of [...libcniDirsMade].reverse()) tryRmdir(d);
  });

  it('gives a container its address from SimpleCNI and frees it on --rm (DEL with an empty CNI_NETNS)', async () => {
    const nodeNs = cluster.layout.nodeNs('node1');
    const dataDir = cluster.driver.paths('node1').dataDir;
    // A pod made by cnilab on the same node, for the container to reach over the bridge.
    const web = await cluster.pods.add('node1', 'web');
    const webIp = web.address!.split('/')[0]!;

    const r = await containerd.ctr(
      ['run', '--rm', '--cni', ref, 'ctr1', 'sh', '-c', `ip -4 addr show eth0; ip route; ping -c1 -W2 ${webIp} && echo PING-OK`],
      { netns: nodeNs, timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const addr = /inet (10\.244\.1\.\d+)\/24/.exec(r.stdout);
    expect(addr, r.stdout).not.toBeNull();
    expect(addr![1]).not.toBe(webIp);
    expect(r.stdout).toMatch(/default via 10\.244\.1\.1 dev eth0/);
    expect(r.stdout).toContain('PING-OK');

    // --rm ran DEL: only the cnilab pod's lease is left, and only its veth.
    const leases = fs.readdirSync(path.join(dataDir, 'simplecni')).filter((f) => /^\d/.test(f));
    expect(leases).toEqual([webIp]);
    const links = await cluster.driver.exec('node1', ['ip', '-br', 'link', 'show', 'type', 'veth']);
    const podVeths = links.stdout.split('\n').filter((l) => l.startsWith('veth')); // eth1 is the underlay
    expect(podVeths).toHaveLength(1);
    await cluster.pods.del('node1', 'web');
  });

  it('keeps a running container wired while it lives (ctr run -d), and DEL frees it afterwards', async () => {
    const nodeNs = cluster.layout.nodeNs('node1');
    const dataDir = cluster.driver.paths('node1').dataDir;
    const run = await containerd.ctr(['run', '-d', '--cni', ref, 'ctr2', 'sleep', '60'], { netns: nodeNs });
    expect(run.code, run.stderr).toBe(0);
    const lease = fs.readdirSync(path.join(dataDir, 'simplecni')).filter((f) => /^\d/.test(f));
    expect(lease).toHaveLength(1);
    // ctr names the CNI container "<namespace>-<id>".
    expect(fs.readFileSync(path.join(dataDir, 'simplecni', lease[0]!), 'utf8')).toBe('default-ctr2\r\neth0');
    const inside = await containerd.ctr(['task', 'exec', '--exec-id', 'x', 'ctr2', 'ip', '-4', 'addr', 'show', 'eth0'], { netns: nodeNs });
    expect(inside.stdout).toContain(`inet ${lease[0]}/24`);
    // Lab 09's checks see the container: its lease, and its address answering from node1.
    const lab09 = findLab(loadCatalog(), '09');
    const env = cluster.env;
    const running = await runLabChecks(lab09, checkContext(env));
    expect(running.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.found}`)).toEqual([]);
    // And each of lab 09's checks fails on the breakage it exists to catch, while the container runs.
    const outcomes = await runBreakages(env, breakagesFor('netns').filter((b) => b.lab === '09'), logOutcome('netns'));
    expect(outcomes.map((o) => o.breakage.check).sort()).toEqual(lab09.checks.map((c) => c.id).sort());
    expect(problemsOf(outcomes)).toEqual([]);
    // `ctr run -d` never calls DEL (a known ctr gap): the runtime's GC or a DEL must free it.
    await containerd.ctr(['task', 'kill', '-s', 'SIGKILL', 'ctr2'], { netns: nodeNs });
    await new Promise((r) => setTimeout(r, 500));
    await containerd.ctr(['task', 'delete', '-f', 'ctr2'], { netns: nodeNs });
    await containerd.ctr(['container', 'delete', 'ctr2'], { netns: nodeNs });
    // Gone without a DEL: the lease is left, nothing answers, and lab 09's check says so.
    const leaked = await runLabChecks(lab09, checkContext(env));
    expect(leaked.checks.find((c) => c.id === 'ctr-wired')?.passed).toBe(false);
    expect(leaked.checks.find((c) => c.id === 'ctr-wired')?.hint).toMatch(/never calls DEL/);
    const del = await cluster.pods.runtime.exec(
      'node1',
      { ...(JSON.parse(fs.readFileSync(path.join(`/etc/netns/${nodeNs}/cni/net.d/10-simplecni.conflist`), 'utf8')).plugins[0]), name: 'simplecni', cniVersion: '1.1.0' },
      { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'default-ctr2', CNI_NETNS: '', CNI_IFNAME: 'eth0' },
    );
    expect(del.code, del.stdout).toBe(0);
    expect(fs.readdirSync(path.join(dataDir, 'simplecni')).filter((f) => /^\d/.test(f))).toEqual([]);
  });
});

function tryRmdir(d: string) {
  try {
    fs.rmdirSync(d); // only if empty: something else may have put files there meanwhile
  } catch {
    /* not empty or gone */
  }
}
