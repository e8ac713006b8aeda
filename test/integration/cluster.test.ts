// The netns cluster and the runtime side, driven through the real `cnilab` CLI as a person would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { execCommand, mustExec } from '../../src/shared/exec.ts';
import { NetnsLayout } from '../../src/cluster/netns/layout.ts';
import { cnilab } from '../helpers/cluster.ts';
import { uniqueName } from '../helpers/names.ts';

const nsList = async () => (await mustExec(['ip', 'netns', 'list'])).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);

describe('cnilab cluster and pods (netns backend)', () => {
  const name = uniqueName();
  const c = ['--cluster', name];
  const layout = new NetnsLayout(name);
  // A namespace that is not the cluster's: `down` must leave it alone.
  const bystander = `${name}-bystander`;

  beforeAll(async () => {
    await mustExec(['ip', 'netns', 'add', bystander]);
  });
  afterAll(async () => {
    await cnilab([...c, 'cluster', 'down']);
    await execCommand(['ip', 'netns', 'del', bystander]);
  });

  it('up builds the topology and reports it; a second up is a no-op', async () => {
    const up = await cnilab([...c, 'cluster', 'up', '--json']);
    expect(up.code, up.stderr).toBe(0);
    const st = JSON.parse(up.stdout);
    expect(st.created).toBe(true);
    expect(st.nodes.map((n: { name: string }) => n.name)).toEqual(['node1', 'node2', 'node3', 'router']);
    expect(st.underlay.every((p: { ok: boolean }) => p.ok)).toBe(true);
    const names = await nsList();
    for (const ns of ['node1', 'node2', 'node3', 'router', 'seg-a', 'seg-b']) expect(names).toContain(`${name}-${ns}`);

    const again = await cnilab([...c, 'cluster', 'up', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).created).toBe(false);
  });

  it('each node has its own /etc/cni, with the plugin, its conflist and its IPAM file', async () => {
    for (const [node, subnet] of [['node1', '10.244.1.'], ['node3', '10.244.3.']]) {
      const ipam = await cnilab([...c, 'exec', node!, '--', 'cat', '/etc/cni/ipam.config']);
      expect(JSON.parse(ipam.stdout)).toEqual({ Subnet: `${subnet}0`, SubnetPrefix: subnet, Gateway: `${subnet}1`, IPIndex: '1' });
      const ls = await cnilab([...c, 'exec', node!, '--', 'ls', '/etc/cni/net.d', '/etc/cni/bin']);
      expect(ls.stdout).toContain('10-simplecni.conflist');
      expect(ls.stdout).toContain('simplecni');
    }
    // The machine's own /etc/cni holds none of it.
    expect(fs.existsSync('/etc/cni/ipam.config')).toBe(false);
  });

  it('underlay: node1 reaches node2 directly, node3 only through the router', async () => {
    const direct = await cnilab([...c, 'exec', 'node1', '--', 'ip', '-j', 'route', 'get', '192.168.56.12']);
    expect(JSON.parse(direct.stdout)[0]).not.toHaveProperty('gateway');
    const routed = await cnilab([...c, 'exec', 'node1', '--', 'ip', '-j', 'route', 'get', '192.168.57.13']);
    expect(JSON.parse(routed.stdout)[0].gateway).toBe('192.168.56.254');
    const ping = await cnilab([...c, 'exec', 'node1', '--', 'ping', '-c1', '-W2', '192.168.57.13']);
    expect(ping.code, ping.stdout).toBe(0);
    const ttl = /ttl=(\d+)/.exec(ping.stdout);
    expect(Number(ttl?.[1])).toBe(63); // one hop: the router decremented it
  });

  it('exec passes a TERM on: `kill %1` of a `cnilab exec … &` ends the command on the node, not only the client', async () => {
    const client = spawn(path.resolve('bin/cnilab'), [...c, 'exec', 'node1', '--', 'sleep', '120'], { stdio: 'ignore' });
    const closed = new Promise<number | null>((r) => client.on('close', (code, signal) => r(code ?? (signal ? -1 : null))));
    // The node's command: the client's child (nsenter becomes it).
    let onNode = 0;
    for (let i = 0; i < 100 && !onNode; i++) {
      await new Promise((r) => setTimeout(r, 100));
      onNode = Number((await execCommand(['pgrep', '-P', String(client.pid), '-x', 'sleep'])).stdout.trim()) || 0;
    }
    expect(onNode, 'sleep 120 never started on node1').toBeGreaterThan(0);
    client.kill('SIGTERM');
    expect(await closed).toBe(143);
    const alive = () => {
      try {
        process.kill(onNode, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(alive(), 'the command on the node outlived its client').toBe(false);
  });

  it('pod add/list/check/del go through the node config, and pods of one name on two nodes do not clash', async () => {
    const a = await cnilab([...c, 'pod', 'add', 'node1', 'web', '--json']);
    expect(a.code, a.stderr).toBe(0);
    const b = await cnilab([...c, 'pod', 'add', 'node2', 'web', '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout).address).toBe('10.244.1.2/24');
    expect(JSON.parse(b.stdout).address).toBe('10.244.2.2/24');

    const list = JSON.parse((await cnilab([...c, 'pod', 'list', '--json'])).stdout);
    expect(list).toEqual([
      { node: 'node1', name: 'web', address: '10.244.1.2/24', netns: layout.podNetnsPath('node1', 'web') },
      { node: 'node2', name: 'web', address: '10.244.2.2/24', netns: layout.podNetnsPath('node2', 'web') },
    ]);
    const only2 = JSON.parse((await cnilab([...c, 'pod', 'list', 'node2', '--json'])).stdout);
    expect(only2.map((p: { node: string }) => p.node)).toEqual(['node2']);

    // The result is cached where libcni caches it, and CHECK uses it.
    const cache = layout.nodePaths('node1').cacheDir;
    expect(fs.readdirSync(cache)).toEqual(['simplecni-web-eth0']);
    expect((await cnilab([...c, 'pod', 'check', 'node1', 'web'])).code).toBe(0);

    const inPod = await cnilab([...c, 'exec', 'node1/web', '--', 'ip', '-4', '-o', 'addr', 'show', 'eth0']);
    expect(inPod.stdout).toContain('10.244.1.2/24');
    const gw = await cnilab([...c, 'exec', 'node1/web', '--', 'ping', '-c1', '-W2', '10.244.1.1']);
    expect(gw.code).toBe(0);

    const dup = await cnilab([...c, 'pod', 'add', 'node1', 'web']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toMatch(/already exists on node1/);

    expect((await cnilab([...c, 'pod', 'del', 'node1', 'web'])).code).toBe(0);
    expect((await cnilab([...c, 'pod', 'del', 'node1', 'web'])).code).toBe(0); // idempotent
    expect(fs.readdirSync(cache)).toEqual([]);
    expect(fs.existsSync(layout.podNetnsPath('node1', 'web'))).toBe(false);
    const leases = fs.readdirSync(`${layout.nodePaths('node1').dataDir}/simplecni`).filter((f) => /^\d/.test(f));
    expect(leases).toEqual([]);
  });

  it('cnilab cni runs one raw invocation with explicit env', async () => {
    const v = await cnilab([...c, 'cni', 'VERSION', '--node', 'node1']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout).supportedVersions).toContain('1.1.0');
    const bad = await cnilab([...c, 'cni', 'ADD', '--node', 'node1', '--netns', '/nonexistent', '--container-id', 'x']);
    expect(bad.code).not.toBe(0);
    expect(JSON.parse(bad.stdout)).toMatchObject({ code: 4 });
    const status = await cnilab([...c, 'cni', 'STATUS', '--node', 'node1', '--env', 'SIMPLECNI_DEBUG=1']);
    expect(status.code, status.stdout + status.stderr).toBe(0);
  });

  it('pod errors are explained, not dumped', async () => {
    const unknown = await cnilab([...c, 'pod', 'add', 'router', 'x']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/"router" is the router, not a worker node: pods run on node1, node2, node3/);
    const badName = await cnilab([...c, 'pod', 'add', 'node1', 'Bad_Name']);
    expect(badName.stderr).toMatch(/invalid pod name/);
    // Break the node's IPAM file: the plugin's error reaches the student with its code.
    const ipam = `/etc/netns/${layout.nodeNs('node2')}/cni/ipam.config`;
    const saved = fs.readFileSync(ipam, 'utf8');
    fs.writeFileSync(ipam, '{"Subnet": "10.244.2.0"');
    try {
      const r = await cnilab([...c, 'pod', 'add', 'node2', 'broken']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/CNI error 7: invalid IPAM file "\/etc\/cni\/ipam\.config"/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.existsSync(layout.podNetnsPath('node2', 'broken'))).toBe(false);
    } finally {
      fs.writeFileSync(ipam, saved);
    }
  });

  it('status, down and a second down; nothing else touched', async () => {
    const st = await cnilab([...c, 'cluster', 'status', '--json']);
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout)).toMatchObject({ healthy: true, backend: 'netns', mode: 'host-gw' });
    await cnilab([...c, 'pod', 'add', 'node3', 'left-running']);

    const down = await cnilab([...c, 'cluster', 'down', '--json']);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout).removed).toHaveLength(6);
    const names = await nsList();
    expect(names.filter((n) => n.startsWith(`${name}-`))).toEqual([bystander]);
    expect(fs.existsSync(layout.stateDir)).toBe(false);
    expect(fs.existsSync(`/etc/netns/${layout.nodeNs('node1')}`)).toBe(false);
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    expect(mounts).not.toContain(layout.stateDir);

    const again = await cnilab([...c, 'cluster', 'down']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/not up; nothing to remove/);
    const noCluster = await cnilab([...c, 'pod', 'list']);
    expect(noCluster.code).not.toBe(0);
    expect(noCluster.stderr).toMatch(new RegExp(`cluster "${name}" is not up`));
  });

  it('an up that was killed midway is finished by the next up', async () => {
    // What a killed `up` leaves: the plan recorded, only some namespaces made.
    fs.mkdirSync(layout.stateDir, { recursive: true });
    const planned = ['seg-a', 'seg-b', 'node1', 'node2', 'node3', 'router'].map((n) => `${name}-${n}`);
    fs.writeFileSync(
      layout.stateFile,
      JSON.stringify({ name, backend: 'netns', mode: 'host-gw', createdAt: '', complete: false, namespaces: planned, etcDirs: [] }),
    );
    await mustExec(['ip', 'netns', 'add', planned[0]!]);
    const up = await cnilab([...c, 'cluster', 'up', '--json']);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout).underlay.every((p: { ok: boolean }) => p.ok)).toBe(true);
    expect((await cnilab([...c, 'cluster', 'down'])).code).toBe(0);
    expect((await nsList()).filter((n) => n.startsWith(`${name}-`))).toEqual([bystander]);
  });

  it('without root: --backend netns says plainly why not; otherwise the simulated kernel takes over', async () => {
    // The same CLI bundles, run as the unprivileged "nobody" user from a copy it can read
    // (the checkout itself may sit in a directory only root can enter).
    const kit = fs.mkdtempSync('/tmp/sct-kit-');
    fs.chmodSync(kit, 0o755);
    const simRoot = path.join(kit, 'sim');
    fs.mkdirSync(simRoot);
    fs.chownSync(simRoot, 65534, 65534);
    for (const f of ['package.json', 'vm/topology.json', ...fs.readdirSync('dist').map((b) => `dist/${b}`)]) {
      fs.mkdirSync(path.dirname(path.join(kit, f)), { recursive: true });
      fs.copyFileSync(f, path.join(kit, f));
    }
    const asNobody = (...args: string[]) =>
      execCommand(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, `${kit}/dist/cnilab.mjs`, ...c, ...args], {
        env: { NO_COLOR: '1', SIMPLECNI_SIM_ROOT: simRoot, HOME: kit },
      });
    try {
      const r = await asNobody('cluster', 'up', '--backend', 'netns');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/the netns backend needs root: creating network namespaces does\. Run the command again with sudo\./);
      expect(r.stderr).not.toMatch(/\n\s+at /);

      const sim = await asNobody('cluster', 'up');
      expect(sim.code, sim.stderr).toBe(0);
      expect(sim.stderr).toMatch(/needs root[\s\S]*Using the simulated kernel instead \(--backend sim\)/);
      expect(sim.stdout).toMatch(/is up \(backend sim, mode host-gw\)/);
      expect((await asNobody('pod', 'add', 'node1', 'web')).code).toBe(0);
      const ping = await asNobody('exec', 'node1/web', '--', 'ping', '-c1', '-W1', '10.244.1.1');
      expect(ping.stdout).toMatch(/1 packets transmitted, 1 received/);
      expect((await asNobody('cluster', 'down')).code).toBe(0);
      expect(fs.existsSync(simRoot) ? fs.readdirSync(simRoot) : []).toEqual([]);
    } finally {
      fs.rmSync(kit, { recursive: true, force: true });
    }
    expect((await nsList()).filter((n) => n.startsWith(`${name}-`))).toEqual([bystander]);
  });

  it('refuses to adopt namespaces it did not make', async () => {
    const squatter = `${name}-node2`;
    await mustExec(['ip', 'netns', 'add', squatter]);
    try {
      const up = await cnilab([...c, 'cluster', 'up']);
      expect(up.code).not.toBe(0);
      expect(up.stderr).toMatch(new RegExp(`${squatter}.*already exist but were not made by this cluster`));
      expect(await nsList()).toContain(squatter);
    } finally {
      await cnilab([...c, 'cluster', 'down']);
      await execCommand(['ip', 'netns', 'del', squatter]);
    }
  });
});
