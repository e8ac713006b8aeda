// The plugin against the real kernel, for every spec version it speaks: ADD/CHECK/DEL/STATUS/GC/VERSION,
// the errors a runtime must be able to rely on, rollback and crash safety.
// The same suite runs on a VM node: with SIMPLECNI_PLUGIN_TEST_SSH=<ssh_config_file>:<host alias>
// every node, command and file below is on that machine over ssh (the VM tier does this);
// without it, on this machine in throwaway namespaces.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as path from 'node:path';
import { SUPPORTED_VERSIONS, compareVersions } from '../../src/plugin/version.ts';
import { calcHostVethName } from '../../src/plugin/plugin.ts';
import { TestNode, testHostIsRemote, type PluginEnv } from '../helpers/plugin.ts';
import { uniqueName } from '../helpers/names.ts';

// Over ssh to an emulated VM every command is a round trip and node starts slowly: more time, same checks.
if (testHostIsRemote) vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const env = (command: string, netns: string, containerId = 'ctr1', ifname = 'eth0'): PluginEnv => ({
  CNI_COMMAND: command,
  CNI_CONTAINERID: containerId,
  CNI_NETNS: netns,
  CNI_IFNAME: ifname,
  CNI_PATH: '/opt/cni/bin',
});

describe.each(SUPPORTED_VERSIONS)('cniVersion %s', (version) => {
  let node: TestNode;
  beforeAll(async () => {
    node = await TestNode.create();
  });
  afterAll(async () => node?.close());

  it('ADD wires the pod, prints the versioned result, and DEL undoes it', async () => {
    const netns = await node.pod();
    const conf = node.conf({}, version);
    const add = await node.run(env('ADD', netns), conf);
    expect(add.code, add.stdout + add.stderr).toBe(0);
    const r = add.json;
    expect(r.cniVersion).toBe(version);
    expect(r.interfaces.map((i: { name: string }) => i.name)).toEqual(['simplecni0', calcHostVethName('testnet', 'ctr1', 'eth0'), 'eth0']);
    expect(r.interfaces[2].sandbox).toBe(netns);
    expect(r.interfaces[0].sandbox).toBeUndefined();
    expect(r.ips).toHaveLength(1);
    expect(r.ips[0]).toMatchObject({ address: '10.244.1.2/24', gateway: '10.244.1.1', interface: 2 });
    if (compareVersions(version, '1.0.0') < 0) expect(r.ips[0].version).toBe('4');
    else expect(r.ips[0]).not.toHaveProperty('version');
    if (version === '1.1.0') expect(r.interfaces[2].mtu).toBe(1500);
    else expect(r.interfaces[2]).not.toHaveProperty('mtu');
    expect(r.routes).toContainEqual({ dst: '0.0.0.0/0', gw: '10.244.1.1' });

    // The kernel agrees with the result.
    const [pod] = await node.ip(['addr', 'show', 'dev', 'eth0'], netns);
    expect(pod.operstate).toBe('UP');
    expect(pod.address).toBe(r.interfaces[2].mac);
    expect(pod.mtu).toBe(1500);
    expect(pod.addr_info.map((a: { local: string }) => a.local)).toContain('10.244.1.2');
    const routes = await node.ip(['route', 'show', 'default'], netns);
    expect(routes).toContainEqual(expect.objectContaining({ gateway: '10.244.1.1', dev: 'eth0' }));
    const [br] = await node.ip(['-d', 'addr', 'show', 'dev', 'simplecni0']);
    expect(br.linkinfo.info_kind).toBe('bridge');
    expect(br.addr_info).toContainEqual(expect.objectContaining({ local: '10.244.1.1', prefixlen: 24 }));
    expect(br.address).toBe(r.interfaces[0].mac);
    const [veth] = await node.ip(['-d', 'link', 'show', 'dev', r.interfaces[1].name]);
    expect(veth.master).toBe('simplecni0');
    expect((await node.mustExec(['ip', 'netns', 'exec', node.ns, 'cat', '/proc/sys/net/ipv4/ip_forward'])).trim()).toBe('1');
    expect(await node.readLeases()).toEqual(['10.244.1.2']);
    expect(await node.readFile(path.join(node.dataDir, 'testnet', '10.244.1.2'))).toBe('ctr1\r\neth0');

    // CHECK exists from 0.4.0 on.
    const check = await node.run(env('CHECK', netns), { ...conf, prevResult: r });
    if (compareVersions(version, '0.4.0') >= 0) {
      expect(check.code, check.stdout).toBe(0);
      expect(check.stdout).toBe('');
    } else {
      expect(check.code).not.toBe(0);
      expect(check.json.code).toBe(1);
    }

    const del = await node.run(env('DEL', netns), { ...conf, prevResult: r });
    expect(del.code, del.stdout + del.stderr).toBe(0);
    expect(del.stdout).toBe('');
    expect(await node.links()).not.toContain(r.interfaces[1].name);
    // Nothing left in the pod's netns but what a new netns is born with.
    expect((await node.ip(['link', 'show'], netns)).map((l: { ifname: string }) => l.ifname)).toEqual(node.freshNetnsLinks);
    expect(await node.readLeases()).toEqual([]);
    // DEL twice is fine.
    expect((await node.run(env('DEL', netns), conf)).code).toBe(0);
    await node.deletePod(netns);
  });

  it('STATUS and GC answer on 1.1.0 and are refused before it', async () => {
    const conf = node.conf({}, version);
    const status = await node.run({ CNI_COMMAND: 'STATUS' }, conf);
    const gc = await node.run({ CNI_COMMAND: 'GC' }, { ...conf, 'cni.dev/valid-attachments': [] });
    if (version === '1.1.0') {
      expect(status.code, status.stdout).toBe(0);
      expect(gc.code, gc.stdout).toBe(0);
    } else {
      expect(status.json).toMatchObject({ code: 1, cniVersion: version });
      expect(gc.json).toMatchObject({ code: 1, cniVersion: version });
    }
  });

  it('VERSION lists every supported version and echoes the config version', async () => {
    const r = await node.run({ CNI_COMMAND: 'VERSION' }, { cniVersion: version });
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ cniVersion: version, supportedVersions: [...SUPPORTED_VERSIONS] });
  });
});

describe('plugin behaviour (1.1.0)', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await TestNode.create();
  });
  afterAll(async () => node?.close());

  it('two pods on one node ping each other and their gateway', async () => {
    const a = await node.pod();
    const b = await node.pod();
    const ra = await node.run(env('ADD', a, 'pod-a'), node.conf());
    const rb = await node.run(env('ADD', b, 'pod-b'), node.conf());
    expect(ra.code, ra.stdout).toBe(0);
    expect(rb.code, rb.stdout).toBe(0);
    const ipB = rb.json.ips[0].address.split('/')[0];
    expect(ra.json.ips[0].address).not.toBe(rb.json.ips[0].address);
    for (const target of [ipB, '10.244.1.1']) {
      const ping = await node.exec(['nsenter', `--net=${a}`, 'ping', '-c1', '-W2', target]);
      expect(ping.code, `ping ${target}: ${ping.stdout}${ping.stderr}`).toBe(0);
    }
    for (const [ns, id] of [[a, 'pod-a'], [b, 'pod-b']] as const) expect((await node.run(env('DEL', ns, id), node.conf())).code).toBe(0);
  });

  it('accepts any netns path: /var/run/netns/NAME, a bind-mounted file, /proc/PID/ns/net', async () => {
    const named = uniqueName();
    await node.mustExec(['ip', 'netns', 'add', named]);
    const holder = node.start(['unshare', '--net', 'sleep', '60']);
    try {
      const pid = await holder.pid;
      await new Promise((r) => setTimeout(r, 300)); // let unshare enter its new netns before exec'ing sleep
      const paths = [`/var/run/netns/${named}`, await node.pod(), `/proc/${pid}/ns/net`];
      for (const [i, netns] of paths.entries()) {
        const add = await node.run(env('ADD', netns, `p${i}`), node.conf());
        expect(add.code, `${netns}: ${add.stdout}`).toBe(0);
        const [eth0] = await node.ip(['addr', 'show', 'dev', 'eth0'], netns);
        expect(eth0.addr_info.some((a: { local: string }) => a.local === add.json.ips[0].address.split('/')[0])).toBe(true);
        expect((await node.run(env('DEL', netns, `p${i}`), node.conf())).code).toBe(0);
      }
    } finally {
      await holder.kill();
      await node.exec(['ip', 'netns', 'del', named]);
    }
  });

  it('ADD onto an existing interface name fails, and a second ADD for the same container fails; neither leaks', async () => {
    const netns = await node.pod();
    const first = await node.run(env('ADD', netns, 'dup'), node.conf());
    expect(first.code).toBe(0);
    const again = await node.run(env('ADD', netns, 'dup'), node.conf());
    expect(again.code).not.toBe(0);
    expect(again.json.msg).toMatch(/already has address .* a second ADD needs a DEL first/);
    const clash = await node.run(env('ADD', netns, 'other'), node.conf());
    expect(clash.code).not.toBe(0);
    expect(clash.json.msg).toMatch(/interface "eth0" already exists in netns/);
    expect(await node.readLeases()).toEqual([first.json.ips[0].address.split('/')[0]]);
    expect((await node.links()).filter((l) => l.startsWith('veth'))).toEqual([first.json.interfaces[1].name]);
    expect((await node.run(env('DEL', netns, 'dup'), node.conf())).code).toBe(0);
    expect(await node.readLeases()).toEqual([]);
  });

  it('DEL succeeds without CNI_NETNS and after the netns is gone, and frees the lease', async () => {
    const netns = await node.pod();
    const add = await node.run(env('ADD', netns, 'gone'), node.conf());
    expect(add.code).toBe(0);
    await node.deletePod(netns); // the netns dies, taking its veth end (and so the pair) with it
    const noNetns = await node.run({ ...env('DEL', '', 'gone') }, node.conf());
    expect(noNetns.code, noNetns.stdout).toBe(0);
    expect(await node.readLeases()).toEqual([]);
    const missingPath = await node.run(env('DEL', netns, 'gone'), node.conf());
    expect(missingPath.code, missingPath.stdout).toBe(0);
  });

  it('CHECK names what drifted', async () => {
    const netns = await node.pod();
    const add = await node.run(env('ADD', netns, 'drift'), node.conf());
    await node.mustExec(['nsenter', `--net=${netns}`, 'ip', 'addr', 'flush', 'dev', 'eth0']);
    const check = await node.run(env('CHECK', netns, 'drift'), { ...node.conf(), prevResult: add.json });
    expect(check.code).not.toBe(0);
    expect(check.json.msg).toMatch(/lacks address 10\.244\.1\.\d+\/24/);
    expect(check.json.msg).toMatch(/no default route via 10\.244\.1\.1/);
    const noPrev = await node.run(env('CHECK', netns, 'drift'), node.conf());
    expect(noPrev.json.code).toBe(7);
    expect(noPrev.json.msg).toMatch(/prevResult/);
    await node.run(env('DEL', netns, 'drift'), node.conf());
  });

  it('GC frees leases (and veths) that are not in cni.dev/valid-attachments', async () => {
    const keep = await node.pod();
    const drop = await node.pod();
    const rk = await node.run(env('ADD', keep, 'keep'), node.conf());
    const rd = await node.run(env('ADD', drop, 'drop'), node.conf());
    expect(rk.code + rd.code).toBe(0);
    const gc = await node.run({ CNI_COMMAND: 'GC' }, { ...node.conf(), 'cni.dev/valid-attachments': [{ containerID: 'keep', ifname: 'eth0' }] });
    expect(gc.code, gc.stdout).toBe(0);
    expect(await node.readLeases()).toEqual([rk.json.ips[0].address.split('/')[0]]);
    expect(await node.links()).not.toContain(rd.json.interfaces[1].name);
    expect(await node.links()).toContain(rk.json.interfaces[1].name);
    // The older key works too.
    const gc2 = await node.run({ CNI_COMMAND: 'GC' }, { ...node.conf(), 'cni.dev/attachments': [] });
    expect(gc2.code).toBe(0);
    expect(await node.readLeases()).toEqual([]);
    const noKey = await node.run({ CNI_COMMAND: 'GC' }, node.conf());
    expect(noKey.json.code).toBe(7);
    expect(noKey.json.msg).toMatch(/cni\.dev\/valid-attachments/);
  });

  it('a failure midway undoes what ADD made (lease, veth)', async () => {
    for (const step of ['ipam-reserved', 'veth-created', 'addr-configured']) {
      const netns = await node.pod();
      const before = await node.links();
      const r = await node.run(env('ADD', netns, 'rollback'), node.conf(), { SIMPLECNI_TEST_FAIL_AT: step });
      expect(r.code, step).not.toBe(0);
      expect(r.json.code, step).toBe(999);
      expect(r.stdout, 'no stack trace on stdout').not.toMatch(/\n\s+at /);
      expect(await node.readLeases(), step).toEqual([]);
      expect((await node.links()).filter((l) => !before.includes(l) && l !== 'simplecni0'), step).toEqual([]);
      expect((await node.ip(['link', 'show'], netns)).map((l: { ifname: string }) => l.ifname), step).toEqual(node.freshNetnsLinks);
      await node.deletePod(netns);
    }
  });

  it('a plugin killed at any step leaves nothing that DEL (or GC) cannot reclaim', async () => {
    for (const [step, cleanup] of [
      ['ipam-reserved', 'DEL'],
      ['veth-created', 'DEL'],
      ['addr-configured', 'GC'],
      ['veth-created', 'GC'],
    ] as const) {
      const netns = await node.pod();
      const plugin = node.spawn(env('ADD', netns, 'killed'), node.conf(), { SIMPLECNI_TEST_PAUSE_AT: step });
      await new Promise<void>((resolve) => {
        plugin.child.stderr.on('data', (b: Buffer) => b.toString().includes('paused at') && resolve());
      });
      // ip netns exec execs node in place, so this PID is the plugin itself.
      // A paused plugin stays paused (a plugin that quit at its pause point would have exited 0 by now).
      await new Promise((r) => setTimeout(r, 300));
      await plugin.kill();
      // Killed while paused, not exited: no exit code 0 (locally null, the signal; over ssh 137).
      expect(await plugin.closed, `${step}: the plugin was still running when killed`).not.toBe(0);
      expect((await node.readLeases()).length, `${step}: the lease exists before cleanup`).toBe(1);
      const r =
        cleanup === 'DEL'
          ? await node.run(env('DEL', netns, 'killed'), node.conf())
          : await node.run({ CNI_COMMAND: 'GC' }, { ...node.conf(), 'cni.dev/valid-attachments': [] });
      expect(r.code, `${step}/${cleanup}: ${r.stdout}`).toBe(0);
      expect(await node.readLeases(), `${step}/${cleanup}`).toEqual([]);
      expect((await node.links()).filter((l) => l.startsWith('veth')), `${step}/${cleanup}`).toEqual([]);
      expect((await node.listDir(path.join(node.dataDir, 'testnet'))).filter((f) => f.startsWith('.tmp')), `${step}/${cleanup}`).toEqual([]);
      await node.deletePod(netns);
    }
  });

  it('never leases network, gateway or broadcast, and says so when the subnet is full', async () => {
    const small = await TestNode.create({ Subnet: '10.244.9.0/29', Gateway: '10.244.9.1' });
    try {
      const got: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await small.run(env('ADD', await small.pod(), `c${i}`), small.conf());
        expect(r.code, r.stdout).toBe(0);
        got.push(r.json.ips[0].address);
      }
      expect(got.sort()).toEqual(['10.244.9.2/29', '10.244.9.3/29', '10.244.9.4/29', '10.244.9.5/29', '10.244.9.6/29']);
      const full = await small.run(env('ADD', await small.pod(), 'c5'), small.conf());
      expect(full.json.code).toBe(100);
      expect(full.json.msg).toMatch(/no free addresses left in 10\.244\.9\.0\/29/);
      const status = await small.run({ CNI_COMMAND: 'STATUS' }, small.conf());
      expect(status.json.code).toBe(50);
      expect(await small.readLeases()).toHaveLength(5);
    } finally {
      await small.close();
    }
  });
});

describe('bad input gets the right code and changes nothing', () => {
  let node: TestNode;
  let netns: string;
  let snapshot: () => Promise<string>;
  beforeAll(async () => {
    node = await TestNode.create();
    netns = await node.pod();
    snapshot = async () =>
      JSON.stringify([await node.links(), await node.readLeases(), (await node.ip(['link', 'show'], netns)).map((l: { ifname: string }) => l.ifname)]);
  });
  afterAll(async () => node?.close());

  const cases: [string, (n: TestNode, ns: string) => [PluginEnv, string | object], number, RegExp][] = [
    ['stdin is not JSON', (_n, ns) => [env('ADD', ns), '{"cniVersion": '], 6, /could not decode/],
    ['unsupported version', (n, ns) => [env('ADD', ns), n.conf({}, '0.2.0')], 1, /config is "0\.2\.0", plugin supports/],
    ['bad name', (n, ns) => [env('ADD', ns), n.conf({ name: '-bad name' })], 7, /"name"/],
    ['bad mtu', (n, ns) => [env('ADD', ns), n.conf({ mtu: 'big' })], 7, /"mtu"/],
    ['bad mode', (n, ns) => [env('ADD', ns), n.conf({ mode: 'bgp' })], 7, /"mode" must be one of/],
    ['bad subnet', (n, ns) => [env('ADD', ns), n.conf({ subnet: '10.244.0.0/33' })], 7, /"subnet"/],
    ['bad bridge name', (n, ns) => [env('ADD', ns), n.conf({ bridge: 'a-bridge-name-too-long' })], 7, /"bridge"/],
    ['ipMasq not boolean', (n, ns) => [env('ADD', ns), n.conf({ ipMasq: 'yes' })], 7, /"ipMasq"/],
    ['missing CNI_CONTAINERID', (n, ns) => [{ ...env('ADD', ns), CNI_CONTAINERID: undefined }, n.conf()], 4, /CNI_CONTAINERID/],
    ['missing CNI_NETNS on ADD', (n) => [env('ADD', ''), n.conf()], 4, /CNI_NETNS/],
    ['missing CNI_IFNAME', (n, ns) => [{ ...env('ADD', ns), CNI_IFNAME: undefined }, n.conf()], 4, /CNI_IFNAME/],
    ['bad CNI_IFNAME', (n, ns) => [env('ADD', ns, 'c', 'eth0:1'), n.conf()], 4, /CNI_IFNAME/],
    ['bad CNI_CONTAINERID', (n, ns) => [env('ADD', ns, '-x y'), n.conf()], 4, /CNI_CONTAINERID/],
    ['unknown CNI_COMMAND', (n, ns) => [env('FROB', ns), n.conf()], 4, /CNI_COMMAND/],
    ['CNI_NETNS does not exist', (n) => [env('ADD', '/run/no-such-netns'), n.conf()], 4, /CNI_NETNS "\/run\/no-such-netns" does not exist/],
    ['IPAM file missing', (n, ns) => [env('ADD', ns), n.conf({ ipamFile: '/nonexistent/ipam.config' })], 5, /"\/nonexistent\/ipam\.config"/],
    // Found by fuzzing (test/integration/fuzz.test.ts):
    ['a bridge name of 8 characters but 16 bytes', (n, ns) => [env('ADD', ns), n.conf({ bridge: 'üüüüüüüü' })], 7, /"bridge"/],
    ['a CNI_IFNAME of 8 characters but 16 bytes', (n, ns) => [env('ADD', ns, 'c', 'éééééééé'), n.conf()], 4, /CNI_IFNAME/],
    ['CNI_NETNS a relative path (ip would read a number as a PID)', (n) => [env('ADD', '.'), n.conf()], 4, /CNI_NETNS "\." does not exist/],
    ['CNI_NETNS a file that is no namespace', (n) => [env('ADD', '/dev/null'), n.conf()], 4, /CNI_NETNS "\/dev\/null" is not a namespace/],
    ['prevResult.interfaces not a list', (n, ns) => [env('ADD', ns), n.conf({ prevResult: { cniVersion: '1.1.0', interfaces: 5 } })], 7, /"prevResult\.interfaces" must be a list of objects/],
    ['prevResult.ips[0].interface not an index', (n, ns) => [env('ADD', ns), n.conf({ prevResult: { cniVersion: '1.1.0', ips: [{ address: '10.1.1.1/24', interface: 'eth0' }] } })], 7, /"prevResult\.ips\[0\]\.interface"/],
  ];

  it.each(cases)('%s', async (_name, make, code, msg) => {
    const before = await snapshot();
    const [e, stdin] = make(node, netns);
    const r = await node.run(e, stdin);
    expect(r.code).not.toBe(0);
    expect(r.json, `stdout must hold the error JSON, got ${JSON.stringify(r.stdout)}`).toBeDefined();
    expect(Object.keys(r.json).sort()).toEqual(['cniVersion', 'code', 'details', 'msg']);
    expect(r.json.code).toBe(code);
    expect(r.json.msg).toMatch(msg);
    expect(r.stderr, 'no stack traces for user errors').not.toMatch(/\n\s+at /);
    expect(await snapshot()).toBe(before);
  });

  it('a lease dir whose last_reserved_ip cannot be written still leases, and DEL leaves nothing (found by fuzzing)', async () => {
    const dir = path.join(node.dir, 'odd-data');
    await node.mustExec(['mkdir', '-p', path.join(dir, 'testnet', 'last_reserved_ip')]);
    const conf = node.conf({ dataDir: dir });
    const add = await node.run(env('ADD', netns, 'oddhint'), conf);
    expect(add.code, add.stdout).toBe(0);
    const del = await node.run(env('DEL', netns, 'oddhint'), conf);
    expect(del.code, del.stdout).toBe(0);
    expect(await node.listDir(path.join(dir, 'testnet'))).toEqual(['last_reserved_ip']);
  });

  it('GC leaves alone a directory named like a stale temp lease (found by fuzzing)', async () => {
    const dir = path.join(node.dir, 'odd-temp');
    await node.mustExec(['mkdir', '-p', path.join(dir, 'testnet', '.tmp-99999999-x')]);
    const gc = await node.run({ CNI_COMMAND: 'GC' }, node.conf({ dataDir: dir, 'cni.dev/valid-attachments': [] }));
    expect(gc.code, gc.stdout).toBe(0);
    expect(await node.listDir(path.join(dir, 'testnet'))).toEqual(['.tmp-99999999-x']);
  });

  it('a malformed IPAM file is an error naming the file', async () => {
    const bad = path.join(node.dir, 'bad-ipam.config');
    for (const content of ['{"Subnet": "10.244.1.0", "Gateway"', '{"Subnet":"10.244.1.0","SubnetPrefix":"10.244.","Gateway":"10.244.1.1"}', '{"Subnet":"10.244.1.0/24","Gateway":"10.245.0.1"}']) {
      await node.writeFile(bad, content);
      const before = await snapshot();
      const r = await node.run(env('ADD', netns), node.conf({ ipamFile: bad }));
      expect(r.json.code).toBe(7);
      expect(r.json.msg).toContain(`"${bad}"`);
      expect(await snapshot()).toBe(before);
      const status = await node.run({ CNI_COMMAND: 'STATUS' }, node.conf({ ipamFile: bad }));
      expect(status.json.code).toBe(50);
    }
  });

  it('unknown keys pass through unharmed and the plugin works in a conflist with prevResult', async () => {
    const prevResult = { cniVersion: '1.1.0', interfaces: [{ name: 'lo0' }], ips: [], routes: [], dns: { nameservers: ['10.96.0.10'] } };
    const r = await node.run(env('ADD', netns, 'chained'), { ...node.conf({ futureKey: { a: 1 }, 'example.com/thing': true }), prevResult });
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.interfaces[0]).toEqual({ name: 'lo0' });
    expect(r.json.ips[0].interface).toBe(3); // shifted past the previous plugin's interface
    expect(r.json.dns).toEqual({ nameservers: ['10.96.0.10'] });
    expect((await node.run(env('DEL', netns, 'chained'), node.conf())).code).toBe(0);
  });

  it('prints about text with no CNI_COMMAND', async () => {
    const r = await node.run({ CNI_COMMAND: '' }, '');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/CNI protocol versions supported: 0\.3\.0, 0\.3\.1, 0\.4\.0, 1\.0\.0, 1\.1\.0/);
  });

  it('debug mode prints every command as a shell line on stderr, never on stdout', async () => {
    const pod = await node.pod();
    const r = await node.run(env('ADD', pod, 'dbg'), node.conf({ debug: true }));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\+ ip link add veth[0-9a-f]{8} mtu 1500 address [0-9a-f:]+ type veth peer name eth0 mtu 1500 address [0-9a-f:]+ netns \S+$/m);
    expect(r.stderr).toMatch(/^\+ nsenter --net=\S+ ip addr add 10\.244\.1\.\d+\/24 dev eth0$/m);
    expect(JSON.parse(r.stdout).cniVersion).toBe('1.1.0');
    const logFile = path.join(node.dir, 'plugin.log');
    const d = await node.run(env('DEL', pod, 'dbg'), node.conf({ logFile }));
    expect(d.code).toBe(0);
    expect(await node.readFile(logFile)).toMatch(/DEL dbg\/eth0: deleted veth[0-9a-f]{8}, freed 10\.244\.1\.\d+/);
  });
});
