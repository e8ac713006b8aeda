import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { allocate, candidateAddresses } from '../../src/plugin/ipam/allocator.ts';
import { DiskStore } from '../../src/plugin/ipam/diskStore.ts';
import { parseIpamFile, usableCount } from '../../src/plugin/ipam/ipamFile.ts';
import { MemoryStore } from '../../src/plugin/ipam/memoryStore.ts';
import type { IpamStore } from '../../src/plugin/ipam/store.ts';
import { CniError } from '../../src/plugin/errors.ts';

const seed = '{"Subnet":"10.244.1.0","SubnetPrefix":"10.244.1.","Gateway":"10.244.1.1","IPIndex":"1"}';

describe('parseIpamFile', () => {
  it('reads the seed format as it is', () => {
    expect(parseIpamFile(seed, '/f')).toEqual({
      subnet: '10.244.1.0/24',
      network: '10.244.1.0',
      prefixLength: 24,
      gateway: '10.244.1.1',
      broadcast: '10.244.1.255',
    });
    expect(parseIpamFile('{"Subnet":"10.245.0.0","SubnetPrefix":"10.245.","Gateway":"10.245.0.1"}', '/f').prefixLength).toBe(16);
  });

  it('reads the CIDR form', () => {
    expect(parseIpamFile('{"Subnet":"10.244.1.0/25","Gateway":"10.244.1.126"}', '/f')).toMatchObject({ prefixLength: 25, broadcast: '10.244.1.127' });
  });

  it.each([
    ['not json', /not valid JSON/],
    ['{"Gateway":"10.244.1.1"}', /"Subnet" must be a string/],
    ['{"Subnet":"10.244.1.0/24"}', /"Gateway" must be a string/],
    ['{"Subnet":"10.244.1.0","Gateway":"10.244.1.1"}', /"SubnetPrefix" must give the fixed octets/],
    ['{"Subnet":"10.244.1.0","SubnetPrefix":"10.244.2.","Gateway":"10.244.1.1"}', /does not match/],
    ['{"Subnet":"10.244.1.7/24","Gateway":"10.244.1.1"}', /host bits set; the network address is 10\.244\.1\.0/],
    ['{"Subnet":"10.244.1.0/24","Gateway":"10.244.2.1"}', /outside the subnet/],
    ['{"Subnet":"10.244.1.0/24","Gateway":"10.244.1.255"}', /network or broadcast/],
    ['{"Subnet":"10.244.1.0/31","Gateway":"10.244.1.1"}', /too small/],
  ])('explains %s', (text, why) => {
    let err: CniError | undefined;
    try {
      parseIpamFile(text, '/etc/cni/ipam.config');
    } catch (e) {
      err = e as CniError;
    }
    expect(err?.code).toBe(7);
    expect(err?.message).toContain('"/etc/cni/ipam.config"');
    expect(err?.message).toMatch(why);
  });
});

describe('allocator', () => {
  const range = parseIpamFile('{"Subnet":"10.244.1.0/29","Gateway":"10.244.1.1"}', '/f');

  it('never offers network, gateway or broadcast', () => {
    const all = [...candidateAddresses(range)];
    expect(all).toEqual(['10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5', '10.244.1.6']);
    expect(all).toHaveLength(usableCount(range));
  });

  it('goes round-robin from the last one handed out, wrapping', () => {
    expect([...candidateAddresses(range, '10.244.1.5')]).toEqual(['10.244.1.6', '10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5']);
    // A gateway in the middle is skipped too.
    const mid = parseIpamFile('{"Subnet":"10.244.1.0/29","Gateway":"10.244.1.3"}', '/f');
    expect([...candidateAddresses(mid)]).not.toContain('10.244.1.3');
  });

  const stores: [string, () => IpamStore][] = [
    ['MemoryStore', () => new MemoryStore()],
    ['DiskStore', () => new DiskStore(fs.mkdtempSync(path.join(os.tmpdir(), 'sct-ipam-')))],
  ];

  describe.each(stores)('on %s', (_n, make) => {
    it('allocates, refuses a duplicate owner, releases, and says when the pool is empty', async () => {
      const store = make();
      const got = [];
      for (let i = 0; i < 5; i++) got.push(await allocate(store, range, { containerId: `c${i}`, ifname: 'eth0' }));
      expect(new Set(got).size).toBe(5);
      await expect(allocate(store, range, { containerId: 'c0', ifname: 'eth0' })).rejects.toMatchObject({ code: 101 });
      await expect(allocate(store, range, { containerId: 'c9', ifname: 'eth0' })).rejects.toMatchObject({ code: 100 });
      expect(await store.releaseByOwner({ containerId: 'c2', ifname: 'eth0' })).toEqual([got[2]]);
      expect(await store.releaseByOwner({ containerId: 'c2', ifname: 'eth0' })).toEqual([]);
      // The freed address comes back only after the others (round-robin), here at once as it is the only one.
      expect(await allocate(store, range, { containerId: 'c9', ifname: 'eth0' })).toBe(got[2]);
      // Same container, other interface: a separate lease.
      await expect(allocate(store, range, { containerId: 'c0', ifname: 'net1' })).rejects.toMatchObject({ code: 100 });
    });
  });

  it('DiskStore writes host-local-compatible lease files and ignores unrelated files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-ipam-'));
    const store = new DiskStore(dir);
    await allocate(store, range, { containerId: 'abc', ifname: 'eth0' });
    expect(fs.readFileSync(path.join(dir, '10.244.1.2'), 'utf8')).toBe('abc\r\neth0');
    expect(fs.readFileSync(path.join(dir, 'last_reserved_ip'), 'utf8')).toBe('10.244.1.2');
    fs.writeFileSync(path.join(dir, 'README'), 'hello');
    fs.writeFileSync(path.join(dir, '10.244.1.3'), 'old-id'); // an id-only record (very old host-local)
    expect((await store.list()).sort((a, b) => a.ip.localeCompare(b.ip))).toEqual([
      { ip: '10.244.1.2', containerId: 'abc', ifname: 'eth0' },
      { ip: '10.244.1.3', containerId: 'old-id', ifname: '' },
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  it('DiskStore.sweep removes temp files of dead processes only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-ipam-'));
    const dead = spawnSync('true').pid!; // exited: its PID is free
    fs.writeFileSync(path.join(dir, `.tmp-${dead}-abc`), 'x\r\neth0');
    fs.writeFileSync(path.join(dir, `.tmp-${process.pid}-def`), 'y\r\neth0');
    expect(await new DiskStore(dir).sweep()).toBe(1);
    expect(fs.readdirSync(dir)).toEqual([`.tmp-${process.pid}-def`]);
    fs.rmSync(dir, { recursive: true });
  });

  it('DiskStore never gives one address to two processes racing for it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-ipam-'));
    // 8 processes each try to reserve the same 20 addresses; every address must end with one owner.
    const script = `
      import { DiskStore } from ${JSON.stringify(path.resolve('src/plugin/ipam/diskStore.ts'))};
      const s = new DiskStore(${JSON.stringify(dir)});
      let won = 0;
      for (let i = 2; i < 22; i++) if (await s.reserve('10.0.0.' + i, { containerId: 'p' + process.pid, ifname: 'eth0' })) won++;
      console.log(won);`;
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
        let out = '';
        child.stdout.on('data', (b: Buffer) => (out += b));
        child.on('close', () => resolve(Number(out.trim())));
      })),
    );
    expect(runs.reduce((a, b) => a + b, 0)).toBe(20);
    expect((await new DiskStore(dir).list()).length).toBe(20);
    fs.rmSync(dir, { recursive: true });
  });
});
