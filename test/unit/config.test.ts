import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadNetConf, podMtu } from '../../src/plugin/config.ts';
import { CniError } from '../../src/plugin/errors.ts';
import { parseEnv } from '../../src/plugin/env.ts';

const base = { cniVersion: '1.1.0', name: 'net', type: 'simplecni' };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { code: (err as CniError).code, msg: (err as CniError).message };
  }
  return undefined;
};

describe('loadNetConf', () => {
  it('fills the defaults of DESIGN.md', () => {
    const c = loadNetConf(JSON.stringify(base));
    expect(c).toMatchObject({ ...DEFAULTS, bridge: 'simplecni0', subnet: '10.244.0.0/16', ipamFile: '/etc/cni/ipam.config', dataDir: '/var/lib/cni/simplecni', mtu: 1500, ipMasq: false, mode: 'host-gw' });
  });

  it('ignores unknown keys: the config is read the same as without them, and the raw config is left as it was', () => {
    const raw = { ...base, somethingNew: [1, 2], 'x.io/y': {} };
    const text = JSON.stringify(raw);
    expect(loadNetConf(text)).toEqual(loadNetConf(JSON.stringify(base)));
    expect(JSON.parse(text)).toEqual(raw);
  });

  it.each([
    ['bridge', 'this-name-is-too-long'],
    ['bridge', 'a/b'],
    ['subnet', '10.0.0.0'],
    ['subnet', 'fd00::/64'],
    ['ipamFile', 'relative/path'],
    ['dataDir', ''],
    ['mtu', 1500.5],
    ['mtu', 100],
    ['ipMasq', 'true'],
    ['mode', 'calico'],
    ['logFile', 'x.log'],
    ['debug', 1],
  ])('names the key "%s" when it is invalid (%j)', (key, value) => {
    const e = codeOf(() => loadNetConf(JSON.stringify({ ...base, [key]: value })));
    expect(e?.code).toBe(7);
    expect(e?.msg).toContain(`"${key}"`);
  });

  it('rejects an MTU that leaves too little room after encapsulation', () => {
    expect(codeOf(() => loadNetConf(JSON.stringify({ ...base, mtu: 600, mode: 'vxlan' })))?.code).toBe(7);
  });

  it('derives the pod MTU from the mode', () => {
    expect(podMtu({ mtu: 1500, mode: 'host-gw' })).toBe(1500);
    expect(podMtu({ mtu: 1500, mode: 'ipip' })).toBe(1480);
    expect(podMtu({ mtu: 1500, mode: 'vxlan' })).toBe(1450);
    expect(podMtu({ mtu: 9000, mode: 'vxlan' })).toBe(8950);
  });

  it('decode failures are code 6, bad versions code 1, a bad name code 7', () => {
    expect(codeOf(() => loadNetConf('not json'))?.code).toBe(6);
    expect(codeOf(() => loadNetConf('[1]'))?.code).toBe(6);
    expect(codeOf(() => loadNetConf(JSON.stringify({ ...base, cniVersion: '0.2.0' })))?.code).toBe(1);
    expect(codeOf(() => loadNetConf(JSON.stringify({ ...base, cniVersion: undefined })))?.code).toBe(7);
    expect(codeOf(() => loadNetConf(JSON.stringify({ ...base, name: 'has space' })))?.code).toBe(7);
  });

  it('honours cniVersions when no cniVersion is given', () => {
    const c = loadNetConf(JSON.stringify({ ...base, cniVersion: undefined, cniVersions: ['0.4.0', '1.0.0', '9.9.9'] }));
    expect(c.cniVersion).toBe('1.0.0');
    expect(codeOf(() => loadNetConf(JSON.stringify({ ...base, cniVersion: undefined, cniVersions: ['0.1.0'] })))?.code).toBe(1);
  });

  it('reads GC attachments under both keys', () => {
    const a = [{ containerID: 'c', ifname: 'eth0' }];
    expect(loadNetConf(JSON.stringify({ ...base, 'cni.dev/valid-attachments': a })).validAttachments).toEqual(a);
    expect(loadNetConf(JSON.stringify({ ...base, 'cni.dev/attachments': a })).validAttachments).toEqual(a);
    expect(codeOf(() => loadNetConf(JSON.stringify({ ...base, 'cni.dev/attachments': [{ id: 1 }] })))?.code).toBe(7);
  });
});

describe('parseEnv', () => {
  const ok = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/run/netns/x', CNI_IFNAME: 'eth0' };
  it('accepts a full environment', () => {
    expect(parseEnv(ok)).toMatchObject({ command: 'ADD', containerId: 'c1', netns: '/run/netns/x', ifname: 'eth0', args: '' });
  });
  it.each([
    ['CNI_COMMAND', { ...ok, CNI_COMMAND: 'add' }],
    ['CNI_CONTAINERID', { ...ok, CNI_CONTAINERID: undefined }],
    ['CNI_CONTAINERID', { ...ok, CNI_CONTAINERID: '_x' }],
    ['CNI_IFNAME', { ...ok, CNI_IFNAME: '' }],
    ['CNI_IFNAME', { ...ok, CNI_IFNAME: 'a-very-long-ifname' }],
    ['CNI_IFNAME', { ...ok, CNI_IFNAME: '..' }],
    ['CNI_NETNS', { ...ok, CNI_NETNS: '' }],
  ])('code 4 naming %s', (name, env) => {
    const e = codeOf(() => parseEnv(env));
    expect(e?.code).toBe(4);
    expect(e?.msg).toContain(name);
  });
  it('DEL may come without CNI_NETNS; VERSION, STATUS and GC need no container', () => {
    expect(parseEnv({ ...ok, CNI_COMMAND: 'DEL', CNI_NETNS: '' }).netns).toBe('');
    for (const c of ['VERSION', 'STATUS', 'GC']) expect(parseEnv({ CNI_COMMAND: c }).command).toBe(c);
  });
});
