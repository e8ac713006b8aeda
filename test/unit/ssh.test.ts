// The parts of the ssh and vagrant backends that need no remote machine: the inventory, the ssh
// config made from it, the remote command line, and the file writer the nodes run.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopology } from '../../src/cluster/topology.ts';
import { InventoryError, needsSudo, parseInventory, renderSshConfig } from '../../src/cluster/ssh/inventory.ts';
import { writerArgv, writeFailure, bundleWrites } from '../../src/cluster/ssh/remoteFiles.ts';
import { shellQuote, SshConnections } from '../../src/cluster/ssh/sshConnection.ts';
import { execCommand } from '../../src/shared/exec.ts';

const t = loadTopology();
const FILE = '/srv/workshop/alice.yaml';
const ALICE = `
defaults: { user: student, identityFile: keys/alice }
nodes:
  node1: { host: 10.0.0.11 }
  node2: 10.0.0.12
  node3: { host: 10.0.1.13, port: 2222, user: root }
  router: { host: 10.0.0.1, proxyJump: bastion.example.org, options: { ServerAliveInterval: 5 } }
`;

describe('inventory', () => {
  it('reads YAML: defaults apply to every node, a bare string is the host, key paths are relative to the file', () => {
    const inv = parseInventory(ALICE, FILE, t);
    expect(inv.nodes.node1).toEqual({ host: '10.0.0.11', user: 'student', identityFile: '/srv/workshop/keys/alice' });
    expect(inv.nodes.node2).toEqual({ host: '10.0.0.12', user: 'student', identityFile: '/srv/workshop/keys/alice' });
    expect(inv.nodes.node3).toMatchObject({ host: '10.0.1.13', port: 2222, user: 'root' });
    expect(inv.nodes.router).toMatchObject({ proxyJump: 'bastion.example.org', options: { ServerAliveInterval: 5 } });
    expect(needsSudo(inv.nodes.node1!)).toBe(true);
    expect(needsSudo(inv.nodes.node3!)).toBe(false);
  });

  it('reads JSON too', () => {
    const json = JSON.stringify({ nodes: Object.fromEntries(t.nodes.map((n, i) => [n.name, { host: `h${i}`, user: 'root' }])) });
    expect(parseInventory(json, 'i.json', t).nodes.router).toEqual({ host: 'h3', user: 'root' });
  });

  it.each([
    ['not YAML', 'nodes: [', /not valid YAML or JSON/],
    ['no nodes', 'defaults: {}', /needs a "nodes" map/],
    ['a node missing', 'nodes: { node1: a, node2: b, node3: c }', /no entry for router/],
    ['a node not in the topology', 'nodes: { node1: a, node2: b, node3: c, router: d, node4: e }', /nodes\.node4: not a node of the topology/],
    ['a typo in a setting', 'nodes: { node1: { host: a, usr: x }, node2: b, node3: c, router: d }', /nodes\.node1\.usr: unknown setting/],
    ['a bad port', 'nodes: { node1: { host: a, port: 99999 }, node2: b, node3: c, router: d }', /port must be a port number/],
    ['no host', 'nodes: { node1: { user: x }, node2: b, node3: c, router: d }', /nodes\.node1\.host is missing/],
    ['a host with a space (ssh_config injection)', 'nodes: { node1: "a ProxyCommand evil", node2: b, node3: c, router: d }', /without spaces/],
    ['a ProxyCommand over two lines', 'nodes: { node1: { host: a, options: { ProxyCommand: "nc %h %p\\nHost x" } }, node2: b, node3: c, router: d }', /options\.ProxyCommand/],
    ['another option with a space', 'nodes: { node1: { host: a, options: { User: "a b" } }, node2: b, node3: c, router: d }', /options\.User/],
    ['an unknown top-level key', 'nodes: { node1: a, node2: b, node3: c, router: d }\nnode5: x', /unknown key "node5"/],
  ])('%s is a clear error naming the file', (_what, text, msg) => {
    expect(() => parseInventory(text, 'bad.yaml', t)).toThrow(InventoryError);
    expect(() => parseInventory(text, 'bad.yaml', t)).toThrow(msg);
    expect(() => parseInventory(text, 'bad.yaml', t)).toThrow(/^bad\.yaml/);
  });

  it('takes a ProxyCommand as a command line (spaces, one line)', () => {
    const inv = parseInventory('nodes: { node1: { host: a, options: { ProxyCommand: "ip netns exec lab nc %h %p" } }, node2: b, node3: c, router: d }', 'i.yaml', t);
    expect(renderSshConfig(inv, '/k')).toContain('  ProxyCommand ip netns exec lab nc %h %p\n');
  });

  it('becomes an ssh config with one Host per node and the cluster\'s own known_hosts', () => {
    const cfg = renderSshConfig(parseInventory(ALICE, FILE, t), '/state/known_hosts');
    expect(cfg).toContain(['Host node3', '  HostName 10.0.1.13', '  User root', '  Port 2222', '  IdentityFile "/srv/workshop/keys/alice"', '  IdentitiesOnly yes'].join('\n'));
    expect(cfg).toContain('  ProxyJump bastion.example.org');
    expect(cfg).toContain('  ServerAliveInterval 5');
    expect(cfg.match(/^Host /gm)).toHaveLength(4);
    expect(cfg.match(/UserKnownHostsFile "\/state\/known_hosts"/g)).toHaveLength(4);
    expect(cfg).toContain('StrictHostKeyChecking accept-new');
  });
});

describe('remote command line', () => {
  const conn = new SshConnections('/x/ssh_config');

  it('quotes every word for the remote shell', () => {
    expect(shellQuote('ip')).toBe('ip');
    expect(shellQuote('10.244.1.0/24')).toBe('10.244.1.0/24');
    expect(shellQuote("it's a $HOME; rm -rf /")).toBe(`'it'\\''s a $HOME; rm -rf /'`);
    expect(shellQuote('')).toBe("''");
  });

  it('puts env before the command and sudo -n first when the login user is not root', () => {
    expect(conn.remoteCommand({ alias: 'node1', sudo: false }, ['ip', '-j', 'addr'])).toBe('ip -j addr');
    expect(conn.remoteCommand({ alias: 'node1', sudo: true }, ['sh', '-c', 'echo $0', 'a b'], { CNI_COMMAND: 'ADD', CNI_ARGS: '' })).toBe(
      "sudo -n env CNI_COMMAND=ADD CNI_ARGS= sh -c 'echo $0' 'a b'",
    );
  });

  it('the remote shell gets back exactly the argv it was given', async () => {
    const argv = ['printf', '%s|', "it's", 'a b', '$HOME', '"q"', '*', ''];
    const line = conn.remoteCommand({ alias: 'n', sudo: false }, argv);
    const r = await execCommand(['sh', '-c', line]);
    expect(r.stdout).toBe(`it's|a b|$HOME|"q"|*||`);
  });

  it('shares one connection per node (ControlMaster) and never prompts', () => {
    const argv = conn.sshArgv().join(' ');
    expect(argv).toMatch(/-F \/x\/ssh_config/);
    expect(argv).toMatch(/ControlMaster=auto/);
    expect(argv).toMatch(/ControlPath=\S+\/[0-9a-f]{8}-%C/);
    expect(argv).toMatch(/BatchMode=yes/);
    // A unix socket path is at most 108 bytes: the dir plus a 40-char hash must fit.
    expect(SshConnections.controlDir().length + 41).toBeLessThan(108);
  });
});

describe('the file writer a node runs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simplecni-writer-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (batch: object) => execCommand(writerArgv(), { input: JSON.stringify(batch) });

  it('writes files and bundles with their shims, then changes nothing the second time', async () => {
    const bin = path.join(dir, 'bin');
    const bundle = path.join(dir, 'b.cjs');
    fs.writeFileSync(bundle, 'console.log("hi")\n');
    const batch = {
      dirs: [path.join(dir, 'data')],
      files: [{ path: path.join(dir, 'net.d', 'a.conflist'), content: '{"x":1}\n' }],
      bundles: bundleWrites(bin, { simplecni: bundle, 'simplecni-ipam': bundle, 'simplecni-node': bundle }),
    };
    const first = await run(batch);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('7');
    expect(fs.readFileSync(path.join(dir, 'net.d', 'a.conflist'), 'utf8')).toBe('{"x":1}\n');
    expect(fs.statSync(path.join(dir, 'data')).isDirectory()).toBe(true);
    const shim = fs.readFileSync(path.join(bin, 'simplecni'), 'utf8');
    expect(shim).toBe(`#!/bin/sh\n# simplecni: one bundled JavaScript file, run by the node's Node.js.\nexec ${process.execPath} --enable-source-maps ${bin}/simplecni.cjs "$@"\n`);
    expect(fs.statSync(path.join(bin, 'simplecni')).mode & 0o777).toBe(0o755);
    expect((await execCommand([path.join(bin, 'simplecni')])).stdout).toBe('hi\n');
    expect((await run(batch)).stdout).toBe('0');
  });

  it('leaves an installed plugin in place when asked (the reference never replaces a deployed build)', async () => {
    const bin = path.join(dir, 'bin2');
    const a = path.join(dir, 'a.cjs');
    const b = path.join(dir, 'b2.cjs');
    fs.writeFileSync(a, 'student\n');
    fs.writeFileSync(b, 'reference\n');
    await run({ bundles: bundleWrites(bin, { simplecni: a } as never) });
    const r = await run({ bundles: bundleWrites(bin, { simplecni: b } as never, true) });
    expect(r.stdout).toBe('0');
    expect(fs.readFileSync(path.join(bin, 'simplecni.cjs'), 'utf8')).toBe('student\n');
  });

  it("links the texts' paths to the standard places: made, pointed anew, a real folder left alone", async () => {
    const target = path.join(dir, 'var-lib-cni');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, '10.244.1.2'), 'c1');
    const link = path.join(dir, 'run', 'lab', 'nodes', 'node1', 'ipam');
    const real = path.join(dir, 'real');
    fs.mkdirSync(real);
    const batch = { links: [{ path: link, target }, { path: real, target }] };
    const first = await run(batch);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('1');
    expect(fs.readFileSync(path.join(link, '10.244.1.2'), 'utf8')).toBe('c1');
    expect(fs.lstatSync(real).isSymbolicLink()).toBe(false);
    expect(first.stderr).toContain(`left ${real} as it is`);
    expect((await run(batch)).stdout).toBe('0');
    const moved = await run({ links: [{ path: link, target: real }] });
    expect(moved.stdout).toBe('1');
    expect(fs.readlinkSync(link)).toBe(real);
  });

  it('explains a node without Node.js', () => {
    expect(writeFailure('node1', { code: 127, stdout: '', stderr: 'sh: 1: node: not found' })).toMatch(/node1 has no Node\.js.*apt-get install -y nodejs/);
    expect(writeFailure('node1', { code: 0, stdout: '3', stderr: '' })).toBeUndefined();
  });
});
