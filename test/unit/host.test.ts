// The plugin host's core against an in-memory file system and a fake command runner: a bundle
// runs as a process would (exit codes, output, crashes, files, /proc/sys, spawned commands).
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryFs, runBundle, startBundle, withProcSys, type HostCommandRunner, type HostFs, type RunResult } from '../../src/host/index.ts';

interface Call {
  argv: string[];
  stdin: string | undefined;
  env: Record<string, string>;
}

function fakeRunner(answer: (argv: readonly string[]) => RunResult | 'ENOENT' = () => ({ code: 0, stdout: '', stderr: '' })) {
  const calls: Call[] = [];
  const runner: HostCommandRunner = {
    async run(argv, opts) {
      calls.push({ argv: [...argv], stdin: opts.stdin, env: opts.env });
      const a = answer(argv);
      if (a === 'ENOENT') throw Object.assign(new Error(`spawn ${argv[0]} ENOENT`), { code: 'ENOENT' });
      return a;
    },
  };
  return { runner, calls };
}

const run = (source: string, over: { fs?: HostFs; runner?: HostCommandRunner; env?: Record<string, string>; stdin?: string; argv?: string[] } = {}) =>
  runBundle(source, { argv: over.argv ?? [], env: over.env ?? {}, stdin: over.stdin ?? '', fs: over.fs ?? new MemoryFs(), runner: over.runner ?? fakeRunner().runner });

describe('a bundle as a process', () => {
  it('exit code, stdout and stderr as the program sets and writes them', async () => {
    const r = await run(`process.stdout.write('out\\n'); console.log('n=%d', 7); process.stderr.write('err\\n'); console.error({ a: 1 }); process.exitCode = 3;`);
    expect(r).toEqual({ code: 3, stdout: 'out\nn=7\n', stderr: 'err\n{ a: 1 }\n' });
  });

  it('process.exit ends the program at once: nothing after it runs or is printed', async () => {
    const r = await run(`console.log('before'); setTimeout(() => console.log('timer'), 5); process.exit(4); console.log('after');`);
    expect(r).toEqual({ code: 4, stdout: 'before\n', stderr: '' });
  });

  it("'exit' listeners run once, and may change the code", async () => {
    const r = await run(`process.on('exit', (c) => { console.log('exit', c); process.exit(6); }); process.exitCode = 2;`);
    expect(r).toEqual({ code: 6, stdout: 'exit 2\n', stderr: '' });
  });

  it('stays alive while a timer is pending, and ends when nothing is left (a pending promise alone does not keep it)', async () => {
    const r = await run(`new Promise(() => {}); setTimeout(() => { console.log('late'); process.exitCode = 2; }, 30);`);
    expect(r).toEqual({ code: 2, stdout: 'late\n', stderr: '' });
  });

  it('an uncaught exception: exit code 1 and the stack on stderr, as Node prints it', async () => {
    const r = await run(`console.log('start'); throw new TypeError('boom');`);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('start\n');
    expect(r.stderr).toMatch(/^TypeError: boom\n {4}at .*bundle\.cjs:1:/);
    expect(r.stderr).toMatch(/\n\nNode\.js v\d+/);
  });

  it('an exception in a timer callback is uncaught too', async () => {
    const r = await run(`setTimeout(() => { throw new Error('later'); }, 1); setTimeout(() => console.log('never'), 50);`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: later');
    expect(r.stdout).toBe('');
  });

  it('a rejection the platform reports as unhandled ends the program with code 1', async () => {
    const p = startBundle(`setTimeout(() => {}, 1000);`, { argv: [], env: {}, stdin: '', fs: new MemoryFs(), runner: fakeRunner().runner });
    p.reportUnhandledRejection(new Error('nobody caught me'));
    const r = await p.result;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: nobody caught me');
  });

  it("process.on('uncaughtException') handles the exception instead, as in Node", async () => {
    const r = await run(`process.on('uncaughtException', (e) => { console.log('caught', e.message); process.exitCode = 5; }); setTimeout(() => { throw new Error('x'); }, 1);`);
    expect(r).toEqual({ code: 5, stdout: 'caught x\n', stderr: '' });
  });

  it('kill() stops a program that waits forever, with the signal exit code', async () => {
    const p = startBundle(`setInterval(() => {}, 1 << 30);`, { argv: [], env: {}, stdin: '', fs: new MemoryFs(), runner: fakeRunner().runner });
    p.kill('SIGINT');
    expect((await p.result).code).toBe(130);
  });

  it('env, argv, stdin (read once, like a pipe), pid and platform', async () => {
    const src = `const fs = require('node:fs');
      const a = fs.readFileSync(0, 'utf8'); const b = fs.readFileSync(0, 'utf8');
      console.log(JSON.stringify({ a, b, env: process.env.CNI_COMMAND, argv: process.argv.slice(2), pid: process.pid, platform: process.platform, tty: require('tty').isatty(0) }));`;
    const r = await runBundle(src, { argv: ['apply', '--json'], env: { CNI_COMMAND: 'ADD' }, stdin: '{"x":1}', fs: new MemoryFs(), runner: fakeRunner().runner, pid: 777 });
    expect(JSON.parse(r.stdout)).toEqual({ a: '{"x":1}', b: '', env: 'ADD', argv: ['apply', '--json'], pid: 777, platform: 'linux', tty: false });
  });

  it('require of a module the host does not provide fails as in Node', async () => {
    const r = await run(`require('node:net')`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Cannot find module 'node:net'");
  });
});

describe('files: node:fs onto the caller’s file system', () => {
  it('errors carry the codes programs test: ENOENT, EEXIST (mkdir, link), ENOTDIR, EISDIR', async () => {
    const mem = new MemoryFs({ '/d/file': 'x' });
    const src = `const fs = require('fs'); const codes = {};
      const code = (k, f) => { try { f(); codes[k] = 'ok'; } catch (e) { codes[k] = e.code; } };
      code('read missing', () => fs.readFileSync('/d/none', 'utf8'));
      code('mkdir existing', () => fs.mkdirSync('/d'));
      code('mkdir -p existing', () => fs.mkdirSync('/d', { recursive: true }));
      code('under a file', () => fs.readFileSync('/d/file/x'));
      code('read a dir', () => fs.readFileSync('/d'));
      fs.writeFileSync('/d/tmp', 'lease');
      code('link', () => fs.linkSync('/d/tmp', '/d/10.0.0.2'));
      code('link taken', () => fs.linkSync('/d/tmp', '/d/10.0.0.2'));
      code('rm -f missing', () => fs.rmSync('/d/none', { force: true }));
      code('rm missing', () => fs.rmSync('/d/none'));
      code('rmdir non-empty', () => fs.rmdirSync('/d'));
      console.log(JSON.stringify(codes));`;
    const r = await run(src, { fs: mem });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      'read missing': 'ENOENT',
      'mkdir existing': 'EEXIST',
      'mkdir -p existing': 'ok',
      'under a file': 'ENOTDIR',
      'read a dir': 'EISDIR',
      link: 'ok',
      'link taken': 'EEXIST',
      'rm -f missing': 'ok',
      'rm missing': 'ENOENT',
      'rmdir non-empty': 'ENOTEMPTY',
    });
    expect(mem.readFileSync('/d/10.0.0.2')).toBe('lease');
    expect(mem.statSync('/d/10.0.0.2').nlink).toBe(2);
  });

  it('messages read as Node’s', async () => {
    const r = await run(`require('fs').readFileSync('/nope')`);
    expect(r.stderr).toContain("Error: ENOENT: no such file or directory, open '/nope'");
  });

  it('fs.promises, readdir withFileTypes, append, rename over a file', async () => {
    const mem = new MemoryFs({ '/a/x': '1' });
    const src = `const fs = require('node:fs');
      (async () => {
        await fs.promises.writeFile('/a/y', 'y');
        fs.appendFileSync('/a/y', '+');
        fs.renameSync('/a/y', '/a/x');
        const ents = fs.readdirSync('/a', { withFileTypes: true }).map((d) => d.name + (d.isFile() ? ':f' : ':d'));
        console.log(JSON.stringify({ x: await fs.promises.readFile('/a/x', 'utf8'), ents, buf: fs.readFileSync('/a/x').toString() }));
      })();`;
    const r = await run(src, { fs: mem });
    expect(JSON.parse(r.stdout)).toEqual({ x: 'y+', ents: ['x:f'], buf: 'y+' });
  });
});

describe('/proc/sys: the simulated kernel’s sysctls as files', () => {
  const sysctls = () => {
    const values: Record<string, string> = { 'net.ipv4.ip_forward': '0', 'net.ipv4.conf.all.rp_filter': '0', 'net.ipv4.conf.vlan/10.rp_filter': '0' };
    return {
      values,
      fs: withProcSys(new MemoryFs({ '/etc/x': 'y' }), {
        keys: () => Object.keys(values),
        read: (k) => values[k],
        write: (k, v) => {
          if (!(k in values)) return 'ENOENT';
          if (!/^\s*\d+\s*$/.test(v)) return 'EINVAL';
          values[k] = v.trim();
          return undefined;
        },
      }),
    };
  };

  it('reads and writes go to the sysctls; a bad value is EINVAL, an unknown key ENOENT; the rest of the fs is untouched', async () => {
    const s = sysctls();
    const src = `const fs = require('fs'); const out = {};
      out.before = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
      fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
      out.after = fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
      out.dotted = fs.readFileSync('/proc/sys/net/ipv4/conf/vlan.10/rp_filter', 'utf8');
      for (const [k, f] of Object.entries({ bad: () => fs.writeFileSync('/proc/sys/net/ipv4/ip_forward', 'yes'), unknown: () => fs.readFileSync('/proc/sys/net/ipv4/nope'), rm: () => fs.rmSync('/proc/sys/net/ipv4/ip_forward'), other: () => fs.readFileSync('/proc/net/dev') })) {
        try { f(); out[k] = 'ok'; } catch (e) { out[k] = e.code; }
      }
      out.list = fs.readdirSync('/proc/sys/net/ipv4/conf');
      out.dir = fs.statSync('/proc/sys/net').isDirectory();
      out.etc = fs.readFileSync('/etc/x', 'utf8');
      console.log(JSON.stringify(out));`;
    const r = await run(src, { fs: s.fs });
    expect(JSON.parse(r.stdout)).toEqual({ before: '0\n', after: '1\n', dotted: '0\n', bad: 'EINVAL', unknown: 'ENOENT', rm: 'EPERM', other: 'ENOENT', list: ['all', 'vlan.10'], dir: true, etc: 'y' });
    expect(s.values['net.ipv4.ip_forward']).toBe('1');
  });
});

describe('child_process onto the command runner', () => {
  it('spawn: argv, stdin, env reach the runner; stdout data and the close code come back', async () => {
    const { runner, calls } = fakeRunner((argv) => (argv[0] === 'ip' ? { code: 0, stdout: '[{"ifname":"lo"}]', stderr: '' } : { code: 2, stdout: '', stderr: 'bad\n' }));
    const src = `const { spawn } = require('node:child_process');
      const go = (argv, input) => new Promise((resolve) => {
        const c = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        const out = []; const err = [];
        c.stdout.on('data', (b) => out.push(b)); c.stderr.on('data', (b) => err.push(b));
        c.on('close', (code) => resolve({ code, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() }));
        c.stdin.end(input);
      });
      (async () => { console.log(JSON.stringify([await go(['ip', '-j', 'link'], ''), await go(['nft', '-f', '-'], 'flush ruleset\\n')])); })();`;
    const r = await run(src, { runner, env: { PATH: '/bin' } });
    expect(JSON.parse(r.stdout)).toEqual([{ code: 0, out: '[{"ifname":"lo"}]', err: '' }, { code: 2, out: '', err: 'bad\n' }]);
    expect(calls.map((c) => [c.argv, c.stdin, c.env.PATH])).toEqual([[['ip', '-j', 'link'], '', '/bin'], [['nft', '-f', '-'], 'flush ruleset\n', '/bin']]);
  });

  it("a program that does not exist: spawn emits 'error' with code ENOENT; execFile's callback gets it", async () => {
    const { runner } = fakeRunner(() => 'ENOENT');
    const src = `const cp = require('child_process');
      cp.spawn('nope', []).on('error', (e) => console.log('spawn', e.code, e.message));
      cp.execFile('nope', ['a'], (e) => console.log('execFile', e.code));`;
    const r = await run(src, { runner });
    expect(r.stdout).toBe('spawn ENOENT spawn nope ENOENT\nexecFile ENOENT\n');
  });

  it('util.promisify(execFile) rejects with the exit code on failure', async () => {
    const { runner } = fakeRunner(() => ({ code: 3, stdout: 'o', stderr: 'e' }));
    const src = `const { promisify } = require('util'); const { execFile } = require('child_process');
      promisify(execFile)('ip', ['x']).catch((e) => { console.log(e.code, e.stdout, e.stderr); });`;
    expect((await run(src, { runner })).stdout).toBe('3 o e\n');
  });
});

describe('the reference bundles', () => {
  const bundle = (name: string) => fs.readFileSync(`dist/${name}.cjs`, 'utf8');

  it('simplecni answers VERSION from stdin’s cniVersion', async () => {
    const r = await run(bundle('simplecni'), { env: { CNI_COMMAND: 'VERSION' }, stdin: '{"cniVersion":"1.0.0"}' });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ cniVersion: '1.0.0', supportedVersions: expect.arrayContaining(['1.1.0']) });
  });

  it('simplecni-ipam leases addresses as files (link(2) claims them), skips a taken one, frees on DEL', async () => {
    const mem = new MemoryFs({ '/etc/cni/ipam.config': JSON.stringify({ Subnet: '10.99.0.0/29', Gateway: '10.99.0.1' }), '/leases/n/10.99.0.2': 'someone\r\neth0' });
    const conf = JSON.stringify({ cniVersion: '1.1.0', name: 'n', type: 'simplecni-ipam', subnet: '10.99.0.0/16', ipamFile: '/etc/cni/ipam.config', dataDir: '/leases' });
    const env = (cmd: string, id: string) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: id, CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' });
    const a = await run(bundle('simplecni-ipam'), { fs: mem, env: env('ADD', 'c1'), stdin: conf });
    const b = await run(bundle('simplecni-ipam'), { fs: mem, env: env('ADD', 'c2'), stdin: conf });
    expect([a.code, b.code]).toEqual([0, 0]);
    expect([JSON.parse(a.stdout).ips[0].address, JSON.parse(b.stdout).ips[0].address]).toEqual(['10.99.0.3/29', '10.99.0.4/29']);
    expect(mem.readFileSync('/leases/n/10.99.0.3')).toBe('c1\r\neth0');
    expect(mem.readdirSync('/leases/n').filter((n) => n.startsWith('.tmp'))).toEqual([]);
    const d = await run(bundle('simplecni-ipam'), { fs: mem, env: env('DEL', 'c1'), stdin: conf });
    expect(d.code).toBe(0);
    expect(mem.existsSync('/leases/n/10.99.0.3')).toBe(false);
  });

  it('simplecni sets ip_forward through /proc/sys and runs iproute2 through the runner', async () => {
    const values: Record<string, string> = { 'net.ipv4.ip_forward': '0' };
    const mem = withProcSys(new MemoryFs({ '/etc/cni/ipam.config': JSON.stringify({ Subnet: '10.244.1.0/24', Gateway: '10.244.1.1' }), '/run/netns/p': '' }), {
      keys: () => Object.keys(values),
      read: (k) => values[k],
      write: (k, v) => void (values[k] = v.trim()),
    }, () => ['/run/netns/p']);
    const { runner, calls } = fakeRunner((argv) => ({ code: 0, stdout: argv.includes('-j') ? '[]' : '', stderr: '' }));
    const conf = { cniVersion: '1.1.0', name: 'n', type: 'simplecni', bridge: 'simplecni0', subnet: '10.244.0.0/16', ipamFile: '/etc/cni/ipam.config', dataDir: '/var/lib/cni', mtu: 1500 };
    const r = await run(bundle('simplecni'), { fs: mem, runner, env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_NETNS: '/run/netns/p', CNI_IFNAME: 'eth0' }, stdin: JSON.stringify(conf) });
    // The fake runner makes no links, so the plugin stops when it reads the pod's back; what it did before is the point.
    expect(values['net.ipv4.ip_forward']).toBe('1');
    expect(calls.some((c) => c.argv[0] === 'ip' && c.stdin?.includes('simplecni0'))).toBe(true);
    expect(calls.some((c) => c.argv[0] === 'nsenter' && c.argv[1] === '--net=/run/netns/p')).toBe(true);
    expect(r.stdout).not.toBe('');
  });

  it('a pinned namespace file is on nsfs, as /proc/self/ns/net is: the plugin accepts it as CNI_NETNS and refuses a plain file', async () => {
    const sysctls = { keys: () => ['net.ipv4.ip_forward'], read: () => '1', write: () => undefined };
    const mem = withProcSys(new MemoryFs({ '/etc/cni/ipam.config': JSON.stringify({ Subnet: '10.244.1.0/24', Gateway: '10.244.1.1' }), '/run/netns/p': '', '/tmp/plain': '' }), sysctls, () => ['/run/netns/p']);
    expect(mem.statSync('/proc/self/ns/net').dev).toBe(mem.statSync('/run/netns/p').dev);
    expect(mem.statSync('/tmp/plain').dev).not.toBe(mem.statSync('/run/netns/p').dev);
    const conf = JSON.stringify({ cniVersion: '1.1.0', name: 'n', type: 'simplecni', bridge: 'simplecni0', subnet: '10.244.0.0/16', ipamFile: '/etc/cni/ipam.config', dataDir: '/var/lib/cni', mtu: 1500 });
    const { runner } = fakeRunner(() => ({ code: 0, stdout: '[]', stderr: '' }));
    const r = await run(bundle('simplecni'), { fs: mem, runner, env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c', CNI_NETNS: '/tmp/plain', CNI_IFNAME: 'eth0' }, stdin: conf });
    expect(r.code).not.toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: 4, msg: expect.stringContaining('is not a namespace') });
  });

  it("a namespace the model pins with no file behind it (a node's `ip netns add` name) is there, on nsfs; other missing paths stay missing", () => {
    const sysctls = { keys: () => [], read: () => undefined, write: () => undefined };
    const mem = withProcSys(new MemoryFs({ '/tmp/plain': '' }), sysctls, () => ['/run/netns/ct1']);
    expect(mem.existsSync('/run/netns/ct1')).toBe(true);
    expect(mem.statSync('/run/netns/ct1').dev).toBe(mem.statSync('/proc/self/ns/net').dev);
    expect(mem.lstatSync('/run/netns/ct1').isFile()).toBe(true);
    expect(mem.existsSync('/run/netns/ct2')).toBe(false);
    expect(() => mem.statSync('/run/netns/ct2')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('simplecni-node parses its flags with util.parseArgs as Node does', async () => {
    const r = await run(bundle('simplecni-node'), { argv: ['apply', '--bogus'] });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^simplecni-node: Unknown option '--bogus'/);
  });
});
