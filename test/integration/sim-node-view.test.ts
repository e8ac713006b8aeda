// A simulated node's view of the lab texts' paths (/etc/cni, /run/simplecni-lab, /var/lib/cni):
// each is that node's own directory, the rest of the machine's /etc, /run and /var/lib are seen as
// they are, and the view holds while a netns cluster on the same machine makes and removes its
// /etc/cni — the kernel detaches a mount whose mount point is removed, in every namespace, so the
// view's mount points must be its own.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeViewAvailable, viewArgv } from '../../src/cluster/sim/nodeView.ts';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { startSimCluster, type Cluster } from '../helpers/cluster.ts';
import { uniqueName } from '../helpers/names.ts';

describe("a simulated node's view of the lab paths", () => {
  let c: Cluster<SimBackend>;
  beforeAll(async () => {
    // The kit's view needs user namespaces; on this Linux test machine they must be there.
    expect(nodeViewAvailable(), 'unshare -rm fails here: a node shell would show the real paths only').toBe(true);
    c = await startSimCluster('host-gw');
  });
  afterAll(async () => {
    await c?.down();
  });

  it("a node's command sees its own /etc/cni, /run/simplecni-lab and /var/lib/cni, and the machine's /etc as it is", async () => {
    const paths = c.driver.paths('node1');
    const script = [
      'cat /etc/cni/ipam.config',
      'echo ---; head -n 1 /etc/passwd',
      'echo ---; readlink /etc/mtab',
      `echo ---; ls /run/simplecni-lab/${c.name}/nodes/node1`,
      'echo ---; ls -d /var/lib/cni/results /var/lib/cni/simplecni',
      `echo ---; ls "$0"`,
    ].join('\n');
    const r = await execCommand(c.driver.nodeExecArgv('node1', ['sh', '-c', script, paths.confDir]));
    expect(r.stderr).toBe('');
    const [ipam, passwd, mtab, runDir, varLib, conf] = r.stdout.split('---\n');
    expect(ipam).toBe(fs.readFileSync(paths.ipamFile, 'utf8').replace(/\n?$/, '\n'));
    expect(passwd).toBe(`${fs.readFileSync('/etc/passwd', 'utf8').split('\n')[0]}\n`);
    expect(mtab).toBe(fs.existsSync('/etc/mtab') ? `${fs.readlinkSync('/etc/mtab')}\n` : '');
    expect(runDir!.split('\n')).toEqual(expect.arrayContaining(['ipam', 'netns']));
    expect(varLib).toBe('/var/lib/cni/results\n/var/lib/cni/simplecni\n');
    expect(conf!.trim().split('\n')).toEqual(fs.readdirSync(paths.confDir).sort());
  });

  it("a plugin the kit runs in its plugin host sees the same paths: an IPAM config naming /etc/cni and /run/simplecni-lab leases there", async () => {
    const paths = c.driver.paths('node1');
    const conf = JSON.stringify({
      cniVersion: '1.1.0',
      name: 'viewnet',
      type: 'simplecni-ipam',
      ipamFile: '/etc/cni/ipam.config',
      dataDir: `/run/simplecni-lab/${c.name}/nodes/node1/view-leases`,
    });
    const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'viewc1', CNI_IFNAME: 'eth0', CNI_NETNS: '/nonexistent', CNI_PATH: paths.binDir };
    const r = await c.driver.exec('node1', [path.join(paths.binDir, 'simplecni-ipam')], { input: conf, env });
    expect(r.code, r.stderr).toBe(0);
    const ip = JSON.parse(r.stdout).ips[0].address.split('/')[0];
    // The lease is in the cluster's state, under the node's directory: where the view's path points.
    const leases = path.join(c.backend.layout.root, c.name, 'nodes', 'node1', 'view-leases', 'viewnet');
    expect(fs.readdirSync(leases)).toContain(ip);
    const bad = await c.driver.exec('node1', [path.join(paths.binDir, 'simplecni-ipam')], { input: conf.replace('/etc/cni/ipam.config', '/etc/cni/no-such.config'), env: { ...env, CNI_CONTAINERID: 'viewc2' } });
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toContain('/etc/cni/no-such.config');
    expect(bad.stdout).not.toContain(c.backend.layout.root);
  });

  it("a namespace the node's shell made with `ip netns add` is a CNI_NETNS the plugin takes, by its /run/netns path, as on a real node", async () => {
    const paths = c.driver.paths('node1');
    const conf = JSON.stringify({ cniVersion: '1.1.0', name: 'simplecni', type: 'simplecni', bridge: 'simplecni0', subnet: '10.244.0.0/16', ipamFile: paths.ipamFile, dataDir: paths.dataDir, mtu: 1500 });
    const plugin = path.join(paths.binDir, 'simplecni');
    const env = (cmd: string, netns: string) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: 'nsadd1', CNI_IFNAME: 'eth0', CNI_NETNS: netns, CNI_PATH: paths.binDir });
    expect((await execCommand(c.driver.nodeExecArgv('node1', ['ip', 'netns', 'add', 'ct1']))).code).toBe(0);
    try {
      const add = await c.driver.exec('node1', [plugin], { input: conf, env: env('ADD', '/run/netns/ct1') });
      expect(add.code, add.stdout + add.stderr).toBe(0);
      const ip = JSON.parse(add.stdout).ips[0].address as string;
      const seen = await execCommand(c.driver.nodeExecArgv('node1', ['ip', '-n', 'ct1', '-br', 'addr', 'show', 'dev', 'eth0']));
      expect(seen.stdout).toContain(ip);
      // A name no `ip netns add` made is still no namespace.
      const none = await c.driver.exec('node1', [plugin], { input: conf, env: { ...env('ADD', '/run/netns/ct2'), CNI_CONTAINERID: 'nsadd2' } });
      expect(none.code).not.toBe(0);
      expect(none.stdout).toContain('/run/netns/ct2');
      const del = await c.driver.exec('node1', [plugin], { input: conf, env: env('DEL', '/run/netns/ct1') });
      expect(del.code, del.stdout + del.stderr).toBe(0);
    } finally {
      await execCommand(c.driver.nodeExecArgv('node1', ['ip', 'netns', 'del', 'ct1']));
    }
  });

  it('holds while the machine removes the directory under a mount point, and follows what changes beside it', async () => {
    const dir = path.join(os.tmpdir(), uniqueName());
    try {
      const parent = path.join(dir, 'machine');
      const source = path.join(dir, 'node-cni');
      fs.mkdirSync(path.join(parent, 'cni'), { recursive: true });
      fs.mkdirSync(source);
      fs.writeFileSync(path.join(source, 'ipam.config'), 'the node\n');
      fs.writeFileSync(path.join(parent, 'kept'), 'the machine\n');
      fs.symlinkSync('kept', path.join(parent, 'relative-link'));
      const argv = viewArgv([[path.join(parent, 'cni'), source]], ['sh', '-c', 'echo ready; read go; cat "$0"/cni/ipam.config "$0"/kept "$0"/relative-link', parent]);
      const view = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      view.stderr.on('data', (d) => (err += d));
      const done = new Promise<number | null>((resolve) => view.on('close', resolve));
      await new Promise<void>((resolve) =>
        view.stdout.on('data', (d) => {
          out += d;
          if (out.includes('ready\n')) resolve();
        }),
      );
      // What a netns cluster going down does to /etc/cni; and a file of the machine's changed.
      fs.rmdirSync(path.join(parent, 'cni'));
      fs.writeFileSync(path.join(parent, 'kept'), 'the machine, changed\n');
      view.stdin.end('go\n');
      expect(await done, err).toBe(0);
      expect(out).toBe('ready\nthe node\nthe machine, changed\nthe machine, changed\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
