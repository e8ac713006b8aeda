// The spec: "plugins must handle being executed concurrently". 100 ADDs at once must get 100
// different addresses (the seed's IPIndex counter would not), and 100 DELs must leave nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestNode } from '../helpers/plugin.ts';

const N = 100;

describe(`${N} concurrent ADDs and DELs`, () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await TestNode.create();
  });
  afterAll(async () => node?.close());

  it('hands out distinct addresses, then leaves no veth and no lease', async () => {
    const pods = await Promise.all(Array.from({ length: N }, (_, i) => node.pod(`p${i}`)));
    const env = (cmd: string, i: number) => ({ CNI_COMMAND: cmd, CNI_CONTAINERID: `c${i}`, CNI_NETNS: pods[i]!, CNI_IFNAME: 'eth0' });

    const adds = await Promise.all(pods.map((_, i) => node.run(env('ADD', i), node.conf())));
    const failed = adds.filter((r) => r.code !== 0);
    expect(failed.map((r) => r.stdout), 'every ADD succeeds').toEqual([]);
    const fromResults = adds.map((r) => r.json.ips[0].address as string);
    expect(new Set(fromResults).size).toBe(N);

    // What the kernel says, not only what the plugin printed.
    const onWire = await Promise.all(
      pods.map(async (p) => ((await node.ip(['-4', 'addr', 'show', 'dev', 'eth0'], p))[0].addr_info[0].local as string) + '/24'),
    );
    expect(onWire.sort()).toEqual([...fromResults].sort());
    expect(onWire).not.toContain('10.244.1.1/24');
    expect(node.leases()).toHaveLength(N);
    expect((await node.links()).filter((l) => l.startsWith('veth'))).toHaveLength(N);

    const dels = await Promise.all(pods.map((_, i) => node.run(env('DEL', i), node.conf())));
    expect(dels.filter((r) => r.code !== 0).map((r) => r.stdout)).toEqual([]);
    expect((await node.links()).filter((l) => l.startsWith('veth'))).toEqual([]);
    expect(node.leases()).toEqual([]);
  });

  it('the bridge is created once even when the first ADDs race for it', async () => {
    const fresh = await TestNode.create();
    try {
      const pods = await Promise.all(Array.from({ length: 10 }, (_, i) => fresh.pod(`r${i}`)));
      const adds = await Promise.all(
        pods.map((p, i) => fresh.run({ CNI_COMMAND: 'ADD', CNI_CONTAINERID: `r${i}`, CNI_NETNS: p, CNI_IFNAME: 'eth0' }, fresh.conf())),
      );
      expect(adds.filter((r) => r.code !== 0).map((r) => r.stdout)).toEqual([]);
      expect((await fresh.links()).filter((l) => l === 'simplecni0')).toHaveLength(1);
      expect(new Set(adds.map((r) => r.json.interfaces[0].mac)).size).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});
