// ss on the simulated kernel: the VXLAN device's kernel socket and the listeners, laid out as
// iproute2's ss lays them out (the lines below are what Linux 6.1 / iproute2 printed in a
// namespace with a vxlan device on 8472 and `nc -l -p 80` running).
import { describe, expect, it } from 'vitest';
import { ss } from '../../src/sim/core/ss.ts';
import { listen } from '../../src/sim/core/tcp.ts';
import { labWorld } from './worlds.ts';

describe('ss', () => {
  it("a vxlan node: the kernel's UDP socket on 8472, in iproute2's columns", () => {
    const b = labWorld('vxlan');
    const r = ss({ world: b.world, ns: 'node1' }, ['-uln']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' + 'UNCONN 0      0            0.0.0.0:8472      0.0.0.0:*          \n',
    );
    // No listener over TCP: the header alone, its State column as narrow as the word.
    expect(ss({ world: b.world, ns: 'node1' }, ['-tln']).stdout).toBe('State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n');
    // A host-gw node has no vxlan device, so no socket.
    expect(ss({ world: labWorld('host-gw').world, ns: 'node1' }, ['-uln']).stdout.split('\n').filter(Boolean)).toHaveLength(1);
  });
  it('listeners too; Netid when both kinds are asked for; no connections, so nothing without -l', () => {
    const b = labWorld('vxlan');
    listen(b.world, 'node1', 'tcp', [80], 'nc:42');
    expect(ss({ world: b.world, ns: 'node1' }, ['-tuln']).stdout).toBe(
      'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' +
        'udp   UNCONN 0      0            0.0.0.0:8472      0.0.0.0:*          \n' +
        'tcp   LISTEN 0      1            0.0.0.0:80        0.0.0.0:*          \n',
    );
    expect(ss({ world: b.world, ns: 'node1' }, ['-Htn']).stdout).toBe('');
    const bad = ss({ world: b.world, ns: 'node1' }, ['-p']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/^ss: -p: not modelled by the simulated kernel/)]);
  });
});
