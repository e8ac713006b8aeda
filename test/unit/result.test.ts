import { describe, expect, it } from 'vitest';
import { formatResult, mergeResult } from '../../src/plugin/result.ts';
import { compareVersions, pickVersion, SUPPORTED_VERSIONS } from '../../src/plugin/version.ts';

const ours = {
  interfaces: [{ name: 'simplecni0', mac: 'aa' }, { name: 'veth1', mac: 'bb', mtu: 1450 }, { name: 'eth0', mac: 'cc', mtu: 1450, sandbox: '/ns' }],
  ips: [{ address: '10.244.1.2/24', gateway: '10.244.1.1', interface: 2 }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.244.1.1' }],
  dns: {},
};

describe('results per spec version', () => {
  it.each(SUPPORTED_VERSIONS)('%s', (v) => {
    const r = formatResult(mergeResult(undefined, ours, v), v);
    expect(r.cniVersion).toBe(v);
    expect(r.ips![0]!.interface).toBe(2);
    expect('version' in r.ips![0]!).toBe(compareVersions(v, '1.0.0') < 0);
    expect('mtu' in r.interfaces![2]!).toBe(v === '1.1.0');
    expect(r.interfaces![2]!.sandbox).toBe('/ns');
  });

  it('chaining appends to prevResult and shifts interface indexes', () => {
    const prev = { cniVersion: '1.0.0', interfaces: [{ name: 'x' }], ips: [{ address: '10.0.0.1/8', interface: 0 }], dns: { nameservers: ['1.1.1.1'] } };
    const r = mergeResult(prev, ours, '1.0.0');
    expect(r.interfaces!.map((i) => i.name)).toEqual(['x', 'simplecni0', 'veth1', 'eth0']);
    expect(r.ips!.map((i) => i.interface)).toEqual([0, 3]);
    expect(r.dns).toEqual({ nameservers: ['1.1.1.1'] });
  });
});

describe('versions', () => {
  it('compares numerically and picks the highest supported', () => {
    expect(compareVersions('0.10.0', '0.4.0')).toBe(1);
    expect(compareVersions('1.0.0', '1.0')).toBe(0);
    expect(pickVersion(['0.3.1', '1.1.0', '2.0.0'])).toBe('1.1.0');
    expect(pickVersion(['0.2.0'])).toBeUndefined();
  });
});
