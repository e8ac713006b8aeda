// The plugin host's view of a node's paths: a program asks for /etc/cni/…, the file system answers
// from where the node's files are, and an error names the path the program asked for.
import { describe, expect, it } from 'vitest';
import { MemoryFs } from '../../src/host/index.ts';
import { withMounts } from '../../src/host/mounts.ts';

describe('withMounts', () => {
  const base = () => new MemoryFs({ '/state/n1/etc/ipam.config': '{"Subnet":"10.244.1.0/24"}', '/state/root/lab/leases/keep': 'x', '/etc/hostname': 'machine' });
  const fs = () => withMounts(base(), [['/etc/cni', '/state/n1/etc'], ['/run/simplecni-lab', '/state/root'], ['/run/simplecni-lab/lab/leases', '/state/root/lab/leases']]);

  it('serves a target from its source, leaves other paths alone, and the longest target wins', () => {
    const f = fs();
    expect(f.readFileSync('/etc/cni/ipam.config')).toBe('{"Subnet":"10.244.1.0/24"}');
    expect(f.readFileSync('/etc/cni/../hostname')).toBe('machine');
    expect(f.readdirSync('/run/simplecni-lab/lab/leases')).toEqual(['keep']);
    f.mkdirSync('/run/simplecni-lab/lab/ipam', { recursive: true });
    f.writeFileSync('/run/simplecni-lab/lab/ipam/10.244.1.2', 'c1');
    f.linkSync('/run/simplecni-lab/lab/ipam/10.244.1.2', '/run/simplecni-lab/lab/ipam/10.244.1.3');
    expect(f.readdirSync('/state/root/lab/ipam').sort()).toEqual(['10.244.1.2', '10.244.1.3']);
    expect(f.existsSync('/etc/cni')).toBe(true);
    expect(f.existsSync('/etc/cnix')).toBe(false);
  });

  it("an error names the node's path, with the code a program tests", () => {
    const f = fs();
    expect(() => f.readFileSync('/etc/cni/missing.conf')).toThrow(expect.objectContaining({ code: 'ENOENT', path: '/etc/cni/missing.conf', message: expect.stringContaining("'/etc/cni/missing.conf'") }));
    f.writeFileSync('/etc/cni/a', '1');
    f.writeFileSync('/etc/cni/b', '2');
    expect(() => f.linkSync('/etc/cni/a', '/etc/cni/b')).toThrow(expect.objectContaining({ code: 'EEXIST', path: '/etc/cni/a', dest: '/etc/cni/b' }));
  });
});
