import { describe, expect, it } from 'vitest';
import { loadTopology, podGateway, validateTopology, workers, type Topology } from '../../src/cluster/topology.ts';
import { renderConflist, renderIpamFile } from '../../src/cluster/nodeConfig.ts';
import { NetnsLayout } from '../../src/cluster/netns/layout.ts';
import { loadNetConf } from '../../src/plugin/config.ts';
import { parseIpamFile } from '../../src/plugin/ipam/ipamFile.ts';
import { injectConf, toNetworkList } from '../../src/runtime/cniRuntime.ts';

const t = loadTopology();

describe('topology', () => {
  it('is the design: three workers, a router, two segments', () => {
    expect(workers(t).map((w) => [w.name, w.interfaces[0]!.address, w.podSubnet, podGateway(w)])).toEqual([
      ['node1', '192.168.56.11', '10.244.1.0/24', '10.244.1.1'],
      ['node2', '192.168.56.12', '10.244.2.0/24', '10.244.2.1'],
      ['node3', '192.168.57.13', '10.244.3.0/24', '10.244.3.1'],
    ]);
    expect(t.nodes.find((n) => n.role === 'router')!.interfaces.map((i) => i.address)).toEqual(['192.168.56.254', '192.168.57.254']);
  });

  const broken = (patch: (t: Topology) => void) => {
    const copy = structuredClone(t);
    patch(copy);
    return () => validateTopology(copy, 'x.json');
  };
  it.each<[string, (t: Topology) => void, RegExp]>([
    ['duplicate node', (c) => c.nodes.push(structuredClone(c.nodes[0]!)), /listed twice/],
    ['pod subnet outside the cluster', (c) => (c.nodes[0]!.podSubnet = '10.245.1.0/24'), /outside clusterCidr/],
    ['overlapping pod subnets', (c) => (c.nodes[1]!.podSubnet = '10.244.1.0/25'), /overlap/],
    ['address outside its segment', (c) => (c.nodes[0]!.interfaces[0]!.address = '192.168.57.11'), /not inside segment "a"/],
    ['unknown segment', (c) => (c.nodes[0]!.interfaces[0]!.segment = 'z'), /unknown segment "z"/],
    ['long node name', (c) => (c.nodes[0]!.name = 'averylongnodename'), /1-9 lowercase/],
  ])('rejects %s', (_n, patch, msg) => {
    expect(broken(patch)).toThrow(msg);
  });
});

describe('node config', () => {
  const layout = new NetnsLayout('lab');
  it('renders the seed IPAM format, which the plugin parses back to the node subnet', () => {
    const n = workers(t)[1]!;
    const text = renderIpamFile(n);
    expect(JSON.parse(text)).toEqual({ Subnet: '10.244.2.0', SubnetPrefix: '10.244.2.', Gateway: '10.244.2.1', IPIndex: '1' });
    expect(parseIpamFile(text, 'f').subnet).toBe('10.244.2.0/24');
    expect(JSON.parse(renderIpamFile({ ...n, podSubnet: '10.244.2.0/25' }))).toEqual({ Subnet: '10.244.2.0/25', Gateway: '10.244.2.1' });
  });

  it('renders a conflist that the runtime loads and the plugin accepts, unchanged', () => {
    const list = toNetworkList(JSON.parse(renderConflist(t, layout.nodePaths('node1'), 'vxlan')), '/etc/cni/net.d/10-simplecni.conflist');
    expect(list.cniVersion).toBe('1.1.0'); // picked from cniVersions
    const conf = loadNetConf(JSON.stringify(injectConf(list, list.plugins[0]!, undefined)));
    expect(conf).toMatchObject({ name: 'simplecni', mode: 'vxlan', subnet: '10.244.0.0/16', bridge: 'simplecni0', mtu: 1500 });
    expect(conf.dataDir).toBe('/run/simplecni-lab/lab/nodes/node1/ipam');
  });

  it('names namespaces plainly for the default cluster and prefixed for others', () => {
    expect(layout.nodeNs('node1')).toBe('node1');
    expect(new NetnsLayout('t1').nodeNs('node1')).toBe('t1-node1');
    expect(() => new NetnsLayout('Bad-Name')).toThrow(/invalid cluster name/);
  });
});

describe('runtime config handling', () => {
  it('wraps a single .conf as a one-plugin list and strips capabilities', () => {
    const list = toNetworkList({ cniVersion: '0.4.0', name: 'n', type: 'simplecni', capabilities: { portMappings: true } }, 'f.conf');
    expect(list.plugins).toHaveLength(1);
    const c = injectConf(list, list.plugins[0]!, { cniVersion: '0.4.0' });
    expect(c).not.toHaveProperty('capabilities');
    expect(c).toMatchObject({ name: 'n', cniVersion: '0.4.0', prevResult: { cniVersion: '0.4.0' } });
  });
  it('ignores cniVersions newer than it speaks', () => {
    expect(toNetworkList({ cniVersion: '0.4.0', cniVersions: ['1.0.0', '1.1.0', '2.0.0'], name: 'n', plugins: [{ type: 'x' }] }, 'f').cniVersion).toBe('1.1.0');
  });
  it('rejects configs without name, version or plugin type', () => {
    expect(() => toNetworkList({ name: 'n', plugins: [{ type: 'x' }] }, 'f')).toThrow(/cniVersion/);
    expect(() => toNetworkList({ cniVersion: '1.0.0', plugins: [{ type: 'x' }] }, 'f')).toThrow(/name/);
    expect(() => toNetworkList({ cniVersion: '1.0.0', name: 'n', plugins: [{}] }, 'f')).toThrow(/type/);
  });
});
