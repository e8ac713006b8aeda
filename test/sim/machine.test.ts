// The simulated machine (the page engine's cluster): its shells answer as the sim core does, lab 01
// typed into node1's shell passes lab 01's checks through the validators, ping and tcpdump stream
// and stop on Ctrl-C, programs bound to paths run, and a snapshot restores the cluster exactly.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildUnderlayWorld } from '../../src/cluster/sim/underlayWorld.ts';
import { loadTopology } from '../../src/cluster/topology.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { CniRuntime } from '../../src/runtime/cniRuntime.ts';
import { Pods } from '../../src/runtime/pods.ts';
import { runSimCommand } from '../../src/sim/core/commands.ts';
import { ShellFileAccess, type NodeFileAccess } from '../../src/cluster/fileAccess.ts';
import { MachineDriver } from '../../src/sim/machine/driver.ts';
import { SimMachine } from '../../src/sim/machine/machine.ts';
import { shQuote } from '../../src/sim/machine/commands.ts';
import { installBundles } from '../../src/sim/machine/hosted.ts';
import { applyDataplane } from '../../src/cluster/dataplane.ts';
import { traceInWorld } from '../../src/cluster/traceWorld.ts';
import { Pods as PodList } from '../../src/runtime/pods.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import type { CheckContext } from '../../src/validators/types.ts';

const topology = loadTopology();
const machine = (timeScale = 0) => SimMachine.create(topology, { timeScale });

/** The commands a lab's text shows typed at node1's prompt, in order. */
function typedCommands(lab: string): string[] {
  const text = fs.readFileSync(path.join('labs', lab, 'lab.mdx'), 'utf8');
  return [...text.matchAll(/^node1:~# (.+)$/gm)].map((m) => m[1]!.trim());
}

function checkContext(driver: MachineDriver): CheckContext {
  return { driver, runtime: new CniRuntime(driver), pods: new Pods(driver), mode: 'host-gw' };
}

describe('lab 01 on the simulated machine', () => {
  it("typed as the lab text shows them, node1's commands pass the lab's checks; a deleted address fails one", async () => {
    const m = await machine();
    const commands = typedCommands('01-by-hand');
    expect(commands.length).toBeGreaterThan(15);
    for (const c of commands) {
      const r = await m.exec('node1', c);
      // The lab's deliberate break (veth-b down) makes one ping fail; everything else succeeds.
      if (!c.includes('-W1')) expect({ c, code: r.code, stderr: r.stderr }).toEqual({ c, code: 0, stderr: '' });
    }
    const lab = findLab(loadCatalog(), '01');
    const report = await runLabChecks(lab, checkContext(new MachineDriver(m)));
    expect(report.checks.map((c) => [c.id, c.passed, c.found])).toEqual(report.checks.map((c) => [c.id, true, c.found]));
    expect(report.passed).toBe(true);
    // The driver answers the model's programs without the shell: the same answer as through it.
    const driver = new MachineDriver(m);
    for (const argv of [['ip', '-j', '-d', 'addr'], ['ip', 'netns', 'exec', 'lab1-a', 'ip', '-br', 'addr'], ['ip', 'netns', 'exec', 'lab1-a', 'cat', '/etc/hostname'], ['bridge', 'fdb', 'show', 'br', 'lab1br']]) {
      const viaShell = await m.exec('node1', argv);
      expect(await driver.exec('node1', argv)).toEqual({ code: viaShell.code, stdout: viaShell.stdout, stderr: viaShell.stderr });
    }

    expect((await m.exec('node1', 'ip -n lab1-b addr del 172.16.1.3/24 dev eth0')).code).toBe(0);
    const broken = await runLabChecks(lab, checkContext(new MachineDriver(m)));
    expect(broken.checks.filter((c) => !c.passed).map((c) => c.id)).toEqual(['byhand-pods', 'byhand-ping']);
  });
});

/** A sample of test/sim's ip and bridge steps, in namespaces made on node1 with `ip netns add`. */
const CORPUS: string[][] = [
  ['ip', 'netns', 'add', 'sa'],
  ['ip', 'netns', 'add', 'sb'],
  ['ip', '-n', 'sa', 'link', 'set', 'lo', 'up'],
  ['ip', '-n', 'sa', 'link', 'add', 'br0', 'address', '02:5c:00:00:01:01', 'mtu', '1400', 'type', 'bridge'],
  ['ip', '-n', 'sa', 'addr', 'add', '10.244.1.1/24', 'dev', 'br0'],
  ['ip', '-n', 'sa', 'link', 'set', 'br0', 'up'],
  ['ip', '-n', 'sa', '-j', '-d', 'addr', 'show', 'dev', 'br0'],
  ['ip', '-n', 'sa', 'link', 'add', 'veth1', 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'eth0', 'mtu', '1400', 'netns', 'sb'],
  ['ip', '-n', 'sa', 'link', 'set', 'veth1', 'master', 'br0', 'up'],
  ['ip', '-n', 'sb', 'link', 'set', 'eth0', 'up'],
  ['ip', '-n', 'sb', 'addr', 'add', '10.244.1.2/24', 'dev', 'eth0'],
  ['ip', '-n', 'sb', 'route', 'add', 'default', 'via', '10.244.1.1', 'dev', 'eth0'],
  ['ip', '-n', 'sb', '-j', '-d', 'addr', 'show', 'dev', 'eth0'],
  ['ip', '-n', 'sb', '-j', 'route', 'show', 'default'],
  ['ip', '-n', 'sa', '-j', '-d', 'link', 'show'],
  ['ip', '-n', 'sa', 'route'],
  ['ip', '-n', 'sa', '-j', 'route', 'show', 'table', 'local'],
  ['ip', '-n', 'sb', 'route', 'get', '10.244.1.1'],
  ['ip', '-n', 'sb', '-j', 'route', 'get', '8.8.8.8'],
  ['ip', '-n', 'sa', 'link', 'add', 'br0', 'type', 'bridge'],
  ['ip', '-n', 'sa', '-br', 'addr'],
  ['ip', '-n', 'sa', 'link', 'show'],
  ['ip', '-n', 'sb', 'addr'],
  ['ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb'],
  ['ip', 'addr', 'add', '10.1.0.1/24', 'dev', 'va'],
  ['ip', 'addr', 'add', '10.1.0.1/24', 'dev', 'va'],
  ['ip', 'route', 'add', '10.9.0.0/16', 'via', '10.1.0.254'],
  ['ip', 'link', 'set', 'va', 'up'],
  ['ip', '-j', 'route'],
  ['ip', 'netns', 'list'],
  ['ip', 'netns', 'exec', 'sb', 'ip', '-br', 'link'],
  ['ip', 'link', 'add', 'flannel.1', 'address', '0e:53:c0:a8:38:0b', 'mtu', '1450', 'type', 'vxlan', 'id', '1', 'local', '192.168.56.11', 'dev', 'eth1', 'dstport', '8472', 'nolearning'],
  ['ip', 'link', 'set', 'flannel.1', 'up'],
  ['bridge', 'fdb', 'replace', '0e:53:c0:a8:38:0c', 'dev', 'flannel.1', 'dst', '192.168.56.12', 'self', 'permanent'],
  ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', 'flannel.1', 'dst', '192.168.57.13'],
  ['bridge', 'fdb', 'show', 'dev', 'flannel.1'],
  ['bridge', '-j', 'fdb', 'show', 'dev', 'flannel.1'],
  ['bridge', '-n', 'sa', 'link', 'show'],
  ['bridge', '-n', 'sa', '-j', 'link', 'show'],
  ['bridge', 'fdb', 'del', '0e:53:c0:a8:38:0c', 'dev', 'flannel.1', 'dst', '192.168.56.12', 'self'],
  ['bridge', 'fdb', 'del', '0e:53:c0:a8:38:0c', 'dev', 'flannel.1', 'dst', '192.168.56.12', 'self'],
  ['ip', 'link', 'del', 'nosuch'],
];

describe("the machine's shell answers as the sim core", () => {
  it('a sample of the ip/bridge corpus typed into node1 gives the same code, stdout and stderr', async () => {
    const m = await machine();
    const world = buildUnderlayWorld(topology);
    const viaShell: unknown[] = [];
    const direct: unknown[] = [];
    for (const argv of CORPUS) {
      const r = await m.exec('node1', argv.map(shQuote).join(' '));
      viaShell.push({ argv: argv.join(' '), code: r.code, stdout: r.stdout, stderr: r.stderr });
      let d = runSimCommand({ world, ns: 'node1', node: 'node1' }, argv);
      if (d.spawn && d.code === 0) d = runSimCommand({ world, ns: d.spawn.ns, node: 'node1' }, d.spawn.argv);
      direct.push({ argv: argv.join(' '), code: d.code, stdout: d.stdout, stderr: d.stderr });
    }
    expect(viaShell).toEqual(direct);
    // The corpus exercised both success and failure, text and JSON.
    expect(direct.filter((d) => (d as { code: number }).code !== 0).length).toBeGreaterThan(2);
    expect(world).toEqual(m.world);
  });

  it('pipes, functions, arithmetic and sed -i work on the node files', async () => {
    const m = await machine();
    const r = await m.exec('node1', `n() { ip -j addr show dev "$1" | jq -r '.[0].addr_info[0].local'; }; n eth1; echo $(( 6 * 7 )); sed -i 's/"IPIndex":"1"/"IPIndex":"5"/' /etc/cni/ipam.config; cat /etc/cni/ipam.config; ip -br link | grep -c UP`); // lo and eth1
    expect(r.stdout).toBe('192.168.56.11\n42\n{"Subnet":"10.244.1.0","SubnetPrefix":"10.244.1.","Gateway":"10.244.1.1","IPIndex":"5"}\n2\n');
    expect(r.code).toBe(0);
  });

  it('a job started with & says that it runs to its end first (no background jobs in the page)', async () => {
    const m = await machine();
    const err: string[] = [];
    const r = await m.exec('node1', 'echo a & echo b', { onStdout: () => {}, onStderr: (s) => err.push(s) });
    expect(r.stdout).toBe('a\nb\n');
    expect(err.join('')).toMatch(/^note: this shell runs a job started with & to its end before the next command/);
    expect((await m.exec('node1', 'echo a & echo b')).stderr).toBe(''); // a program's run (no terminal) gets no note
  });

  it('timeout runs its command in the namespace the shell is in, and stops it with exit 124', async () => {
    const m = await machine();
    await m.exec('node1', 'ip netns add sa; ip -n sa link add only-in-sa type dummy');
    const r = await m.exec('node1', 'ip netns exec sa timeout 5 ip -br link');
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toContain('only-in-sa');
    const t = await m.exec('node1', 'ip netns exec sa timeout 0.3 tcpdump -l -n -i any icmp');
    expect(t).toMatchObject({ code: 124 });
    expect(t.stderr).not.toContain('aborted');
    expect((await m.exec('node1', 'timeout x ip link')).code).toBe(125);
  });

  it('tools the model lacks say what to use instead', async () => {
    const m = await machine();
    const r = await m.exec('node1', 'ifconfig');
    expect(r).toMatchObject({ code: 127, stderr: 'ifconfig: not in the simulated kernel; use ip addr / ip link\n' });
  });
});

describe('streaming, Ctrl-C, programs, snapshots', () => {
  it('ping -c 3 prints each reply as it goes; in a pipe its output arrives whole', async () => {
    const m = await machine(0.02);
    const chunks: string[] = [];
    const r = await m.exec('node1', 'ping -c 3 -i 1 192.168.56.12', { onStdout: (s) => chunks.push(s) });
    expect(r.code).toBe(0);
    expect(chunks[0]).toMatch(/^PING 192.168.56.12/);
    expect(chunks.filter((c) => /icmp_seq=\d/.test(c))).toHaveLength(3);
    expect(chunks.join('')).toBe(r.stdout);
    const piped: string[] = [];
    const p = await m.exec('node1', 'ping -c 3 192.168.56.12 | grep -c icmp_seq', { onStdout: (s) => piped.push(s) });
    expect(piped).toEqual(['3\n']);
    expect(p.stdout).toBe('3\n');
  });

  it('Ctrl-C stops a ping (exit 130, statistics of what went out) and a tcpdump that showed the traffic', async () => {
    const m = await machine(1);
    const ac = new AbortController();
    const out: string[] = [];
    const run = m.exec('node1', 'ping -c 50 192.168.56.12', { signal: ac.signal, onStdout: (s) => out.push(s) });
    await new Promise((r) => setTimeout(r, 1500));
    ac.abort();
    const r = await run;
    expect(r.code).toBe(130); // stopped by Ctrl-C, as the shell reports it
    const replies = out.filter((c) => /icmp_seq/.test(c)).length;
    expect(replies).toBeGreaterThanOrEqual(1);
    expect(replies).toBeLessThan(50);
    expect(out.join('')).toContain(`${replies} packets transmitted, ${replies} received`);

    const cap = new AbortController();
    const lines: string[] = [];
    const dump = m.exec('node2', 'tcpdump -ni eth1 icmp', { signal: cap.signal, onStdout: (s) => lines.push(s) });
    await new Promise((r) => setTimeout(r, 100));
    await m.exec('node1', 'ping -c 2 192.168.56.12');
    await new Promise((r) => setTimeout(r, 200));
    cap.abort();
    const d = await dump;
    expect({ code: d.code, stderr: d.stderr.split('\n')[0] }).toEqual({ code: 130, stderr: 'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode' });
    expect(lines.filter((l) => /ICMP echo request/.test(l))).toHaveLength(2);
    expect(m.world.captures).toEqual([]);
  });

  it('programs bound to paths run from the shell and from sh -c, with stdin, env and the namespace', async () => {
    const m = await machine();
    m.registerProgram('/opt/cni/bin/simplecni', async (ctx) => ({ code: 3, stdout: `${ctx.argv.join(' ')}|${ctx.stdin}|${ctx.env.CNI_COMMAND}|${ctx.netns}|${ctx.node}\n`, stderr: '' }));
    m.registerCommand('cnilab', async (ctx) => ({ code: 0, stdout: `cnilab ${ctx.argv.slice(1).join(' ')} on ${ctx.node}\n`, stderr: '' }));
    const d = new MachineDriver(m);
    const pod = await d.createPodNetns('node1', 'web');
    expect(pod).toBe('/run/simplecni-lab/pods/node1/web');
    const r = await d.exec('node1', ['sh', '-c', 'IFS=:; for d in $CNI_PATH; do if [ -x "$d/$0" ]; then exec "$d/$0"; exit $?; fi; done; exit 127', 'simplecni'], {
      input: '{"cniVersion":"1.0.0"}',
      env: { CNI_PATH: '/nowhere:/opt/cni/bin', CNI_COMMAND: 'ADD' },
    });
    expect(r).toEqual({ code: 3, stdout: '/opt/cni/bin/simplecni|{"cniVersion":"1.0.0"}|ADD|node1|node1\n', stderr: '' });
    const inPod = await d.execPod('node1', 'web', ['/opt/cni/bin/simplecni', 'x']);
    expect(inPod.stdout).toBe(`/opt/cni/bin/simplecni x||undefined|${pod}|node1\n`);
    expect((await m.exec('node2', 'cnilab pod list')).stdout).toBe('cnilab pod list on node2\n');
    expect(await d.listPodNetns('node1')).toEqual([{ pod: 'web', netns: pod }]);
    await expect(d.createPodNetns('node1', 'web')).rejects.toThrow('already exists');
    await d.deletePodNetns('node1', 'web');
    expect(await d.listPodNetns('node1')).toEqual([]);
    expect(m.world.namespaces[pod]).toBeUndefined();
  });

  it('a snapshot (through JSON) restores the world and every file exactly', async () => {
    const m = await machine();
    await m.exec('node1', 'ip netns add lab1-a; ip link add lab1br type bridge; echo hello > /root/notes.txt; mkdir -p /root/empty');
    await new MachineDriver(m).createPodNetns('node2', 'db');
    m.setMode('vxlan');
    expect(JSON.parse((await m.exec('node3', 'cat /etc/cni/net.d/10-simplecni.conflist')).stdout).plugins[0].mode).toBe('vxlan');
    expect(JSON.parse((await m.exec('node3', 'cat /etc/cni/simplecni-cluster.json')).stdout).mode).toBe('vxlan');
    const snap = await m.snapshot();
    expect(snap.mode).toBe('vxlan');
    const back = await SimMachine.restore(JSON.parse(JSON.stringify(snap)));
    expect(back.world).toEqual(m.world);
    expect(back.mode).toBe('vxlan');
    expect(await back.snapshot()).toEqual(snap);
    expect((await back.exec('node1', 'cat /root/notes.txt; ip netns list; ip -br link show lab1br; [ -d /root/empty ] && echo dir')).stdout).toMatch(/^hello\nlab1-a\nlab1br +DOWN .*\ndir\n$/);
    expect(await new MachineDriver(back).listPodNetns('node2')).toEqual([{ pod: 'db', netns: '/run/simplecni-lab/pods/node2/db' }]);
  });

  it('trace follows a ping through the machine\'s world, and sees a link taken down', async () => {
    const m = await machine();
    const pods = await new PodList(new MachineDriver(m)).list();
    const t = traceInWorld(m.world, topology, pods, 'node1', 'node3');
    expect(t).toMatchObject({ ok: true, dst: '192.168.57.13' });
    expect(t.hops.map((h) => h.where)).toContain('router');
    await m.exec('node3', 'ip link set eth1 down');
    expect(traceInWorld(m.world, topology, pods, 'node1', 'node3').ok).toBe(false);
    expect(() => traceInWorld(m.world, topology, pods, 'node1/web', 'node2')).toThrow('no pod "web" on node1');
  });

  it("the plugin host's synchronous file view and the node's shell see the same files", async () => {
    const m = await machine();
    const f = m.syncFs('node1');
    expect(JSON.parse(f.readFileSync('/etc/cni/ipam.config'))).toMatchObject({ Gateway: '10.244.1.1' });
    f.mkdirSync('/var/lib/cni/simplecni/simplecni', { recursive: true });
    f.writeFileSync('/var/lib/cni/simplecni/simplecni/10.244.1.2', 'c1\neth0\n', { flag: 'wx' });
    expect((await m.exec('node1', 'cat /var/lib/cni/simplecni/simplecni/10.244.1.2; echo gone > /tmp/x')).stdout).toBe('c1\neth0\n');
    expect(f.readFileSync('/tmp/x')).toBe('gone\n');
    expect(() => f.readFileSync('/nope')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('the reference plugin, hosted in-process, adds a pod on the machine and lab 04 passes; DEL cleans up', async () => {
    const m = await machine();
    const read = (f: string) => fs.readFileSync(path.join('dist', f), 'utf8');
    installBundles(m, { simplecni: read('simplecni.cjs'), 'simplecni-ipam': read('simplecni-ipam.cjs'), 'simplecni-node': read('simplecni-node.cjs') });
    const driver = new MachineDriver(m);
    const version = await m.exec('node1', 'echo \'{"cniVersion":"1.0.0"}\' | CNI_COMMAND=VERSION /opt/cni/bin/simplecni');
    expect(version).toMatchObject({ code: 0 });
    expect(JSON.parse(version.stdout).supportedVersions).toContain('1.1.0');
    const pods = new Pods(driver);
    const web = await pods.add('node1', 'web');
    expect(web.address).toBe('10.244.1.2/24');
    const ping = await m.exec('node1', 'ping -c1 10.244.1.2');
    expect(ping.code).toBe(0);
    expect((await m.exec('node1', 'ls /var/lib/cni/simplecni; ip -br link show simplecni0')).stdout).toMatch(/simplecni0 +UP/);
    const report = await runLabChecks(findLab(loadCatalog(), '04'), checkContext(driver));
    expect(report.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.found}`)).toEqual([]);
    await pods.del('node1', 'web');
    expect(await driver.listPodNetns('node1')).toEqual([]);
    expect((await m.exec('node1', 'ip -br link show master simplecni0')).stdout).toBe(''); // the pod's veth went with its namespace
  });

  it('vxlan across the router: the hosted node agent programs every worker, pods on node1 and node3 reach each other, lab 08 passes', async () => {
    const m = await machine();
    const read = (f: string) => fs.readFileSync(path.join('dist', f), 'utf8');
    installBundles(m, { simplecni: read('simplecni.cjs'), 'simplecni-ipam': read('simplecni-ipam.cjs'), 'simplecni-node': read('simplecni-node.cjs') });
    const driver = new MachineDriver(m);
    m.setMode('vxlan');
    const applied = await applyDataplane(driver);
    expect(applied.map((a) => [a.node, a.mode, a.unreachable.length])).toEqual([['node1', 'vxlan', 0], ['node2', 'vxlan', 0], ['node3', 'vxlan', 0]]);
    const pods = new Pods(driver);
    for (const n of ['node1', 'node2', 'node3']) await pods.add(n, 'web');
    const r = await m.exec('node1', `ip netns exec ${driver.podNetnsPath('node1', 'web')} ping -c1 10.244.3.2`);
    expect(r.stdout).toMatch(/1 received/);
    const ctx = { ...checkContext(driver), mode: 'vxlan' };
    const report = await runLabChecks(findLab(loadCatalog(), '08'), ctx);
    expect(report.checks.filter((c) => !c.passed).map((c) => `${c.id}: ${c.found}`)).toEqual([]);
  });
});


describe("the kit's own file access on the page's nodes", () => {
  it('reads and writes the in-memory files as the node shell does', async () => {
    const m = await machine();
    const direct = new MachineDriver(m).files;
    const viaShell = new ShellFileAccess((node, argv, opts) => new MachineDriver(m).exec(node, argv, opts));
    await m.exec('node1', `mkdir -p /tmp/fa/sub && printf '%s' '{"a":1}' > /tmp/fa/10-x.conflist && printf 'two\\nlines' > '/tmp/fa/with space' && : > /tmp/fa/empty && echo h > /tmp/fa/.hidden`);
    const ask = async (f: NodeFileAccess) => ({
      list: await f.list('node1', '/tmp/fa'),
      none: await f.list('node1', '/tmp/nope'),
      read: await f.read('node1', '/tmp/fa/with space'),
      all: await f.readAll('node1', '/tmp/fa'),
      conf: await f.readAll('node1', '/etc/cni/net.d'),
    });
    const a = await ask(direct);
    expect(a).toEqual(await ask(viaShell));
    expect(a.list).toEqual(['10-x.conflist', 'empty', 'sub', 'with space']);
    expect(a.none).toBeUndefined();
    expect(a.all!.map((f) => [f.name, f.text])).toEqual([['10-x.conflist', '{"a":1}'], ['empty', ''], ['with space', 'two\nlines']]);
    expect(a.conf!.length).toBe(1);
    // What one writes, the other (and the node's shell) reads.
    const dir = await direct.makeTempDir('node1', '/tmp/cnilab-check-');
    await direct.write('node1', `${dir}/deep/ipam.config`, '{"Subnet": ');
    expect((await m.exec('node1', `cat ${dir}/deep/ipam.config`)).stdout).toBe('{"Subnet": ');
    await viaShell.write('node1', `${dir}/deep/two`, 'x');
    expect(await direct.read('node1', `${dir}/deep/two`)).toBe('x');
    await direct.remove('node1', dir);
    expect((await m.exec('node1', `ls ${dir}`)).code).not.toBe(0);
  });
});
