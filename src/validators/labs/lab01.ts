// 01 · Namespaces, veth and a bridge by hand (on node1)
import { addrs, describeAddrs, ipJson, isUp, type IpLink } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';

const NODE = 'node1';
const BRIDGE = 'lab1br';
export const BYHAND = { bridge: BRIDGE, bridgeAddr: '172.16.1.1/24', pods: [['lab1-a', '172.16.1.2/24'], ['lab1-b', '172.16.1.3/24']] as const };

const inNs = (ns: string, args: string[]) => ['-n', ns, ...args];

export const checks: Record<string, CheckFn> = {
  'byhand-bridge': async ({ driver }) => {
    const [br] = (await ipJson(driver, NODE, ['-d', 'addr', 'show', 'dev', BRIDGE])) ?? [];
    const expected = `bridge ${BRIDGE} on node1, up, with ${BYHAND.bridgeAddr}`;
    if (!br) return fail(expected, `no interface ${BRIDGE} on node1`, 'The bridge is the switch both namespaces plug into; it lives on node1 itself.');
    const found = `${br.linkinfo?.info_kind ?? 'unknown'} ${br.ifname}, ${isUp(br) ? 'up' : 'down'}, ${describeAddrs(br)}`;
    const ok = br.linkinfo?.info_kind === 'bridge' && isUp(br) && addrs(br).includes(BYHAND.bridgeAddr);
    return ok ? pass(expected, found) : fail(expected, found, 'A link has a type, a state and addresses: check all three on the bridge.');
  },

  'byhand-pods': async (ctx) => {
    const problems: string[] = [];
    const found: string[] = [];
    for (const [name, addr] of BYHAND.pods) {
      const [eth0] = (await ipJson(ctx.driver, NODE, inNs(name, ['addr', 'show', 'dev', 'eth0']))) ?? [];
      if (!eth0) {
        problems.push(name);
        found.push(`${name}: no eth0 (or no such namespace)`);
        continue;
      }
      found.push(`${name}: eth0 ${isUp(eth0) ? 'up' : 'down'}, ${describeAddrs(eth0)}`);
      if (!isUp(eth0) || !addrs(eth0).includes(addr)) problems.push(name);
    }
    const expected = BYHAND.pods.map(([n, a]) => `${n}: eth0 up with ${a}`).join('; ');
    return problems.length === 0
      ? pass(expected, found.join('; '))
      : fail(expected, found.join('; '), 'Inside a namespace an interface is named as you choose when you move it in; and it starts down.');
  },

  'byhand-wired': async (ctx) => {
    const nodeLinks = (await ipJson(ctx.driver, NODE, ['-d', 'link', 'show'])) ?? [];
    const found: string[] = [];
    let ok = true;
    for (const [name] of BYHAND.pods) {
      const [eth0] = (await ipJson(ctx.driver, NODE, inNs(name, ['-d', 'link', 'show', 'dev', 'eth0']))) ?? [];
      const peer: IpLink | undefined = nodeLinks.find((l) => l.ifindex === eth0?.link_index);
      const wired = eth0?.linkinfo?.info_kind === 'veth' && peer?.master === BRIDGE;
      if (!wired) ok = false;
      found.push(`${name}: ${eth0 ? `${eth0.linkinfo?.info_kind ?? '?'} eth0, node end ${peer ? `${peer.ifname} on ${peer.master ?? 'no bridge'}` : 'not found on node1'}` : 'no eth0'}`);
    }
    return ok
      ? pass(`each eth0 is a veth whose node1 end is a port of ${BRIDGE}`, found.join('; '))
      : fail(`each eth0 is a veth whose node1 end is a port of ${BRIDGE}`, found.join('; '), 'Follow the cable: the other end of each veth is on node1. Is it plugged into the bridge?');
  },

  'byhand-ping': async (ctx) => {
    const a = 'lab1-a';
    const toB = await ctx.driver.exec(NODE, ['ip', 'netns', 'exec', a, 'ping', '-c1', '-W1', '172.16.1.3']);
    const toBr = await ctx.driver.exec(NODE, ['ip', 'netns', 'exec', a, 'ping', '-c1', '-W1', '172.16.1.1']);
    const found = `lab1-a → 172.16.1.3 ${toB.code === 0 ? 'answers' : 'fails'}, → 172.16.1.1 ${toBr.code === 0 ? 'answers' : 'fails'}`;
    return toB.code === 0 && toBr.code === 0
      ? pass('lab1-a reaches lab1-b and the bridge', found)
      : fail('lab1-a reaches lab1-b and the bridge', found, 'Every hop must be up: both veth ends, the bridge, and loopback inside each namespace.');
  },
};
