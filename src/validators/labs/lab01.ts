// 01 · Namespaces, veth and a bridge by hand (on node1)
import { addrs, describeAddrs, ipJson, isUp, type IpLink } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';
import { list, msg, type Text } from '../../i18n/index.ts';

const NODE = 'node1';
const BRIDGE = 'lab1br';
export const BYHAND = { bridge: BRIDGE, bridgeAddr: '172.16.1.1/24', pods: [['lab1-a', '172.16.1.2/24'], ['lab1-b', '172.16.1.3/24']] as const };

const inNs = (ns: string, args: string[]) => ['-n', ns, ...args];
const upDown = (l: IpLink) => msg(isUp(l) ? 'word.up' : 'word.down');
const answers = (code: number) => msg(code === 0 ? 'word.answers' : 'word.fails');

export const checks: Record<string, CheckFn> = {
  'byhand-bridge': async ({ driver }) => {
    const [br] = (await ipJson(driver, NODE, ['-d', 'addr', 'show', 'dev', BRIDGE])) ?? [];
    const expected = msg('v.byhand-bridge.expected', { bridge: BRIDGE, cidr: BYHAND.bridgeAddr });
    if (!br) return fail(expected, msg('v.byhand-bridge.missing', { bridge: BRIDGE }), msg('v.byhand-bridge.missingHint'));
    const found = msg('v.pod-bridge.found', { kind: br.linkinfo?.info_kind ?? 'unknown', bridge: br.ifname, state: upDown(br), addrs: describeAddrs(br) });
    const ok = br.linkinfo?.info_kind === 'bridge' && isUp(br) && addrs(br).includes(BYHAND.bridgeAddr);
    return ok ? pass(expected, found) : fail(expected, found, msg('v.byhand-bridge.hint'));
  },

  'byhand-pods': async (ctx) => {
    const problems: string[] = [];
    const found: Text[] = [];
    for (const [name, addr] of BYHAND.pods) {
      const [eth0] = (await ipJson(ctx.driver, NODE, inNs(name, ['addr', 'show', 'dev', 'eth0']))) ?? [];
      if (!eth0) {
        problems.push(name);
        found.push(msg('v.byhand-pods.noEth0', { ns: name }));
        continue;
      }
      found.push(msg('v.byhand-pods.found', { ns: name, state: upDown(eth0), addrs: describeAddrs(eth0) }));
      if (!isUp(eth0) || !addrs(eth0).includes(addr)) problems.push(name);
    }
    const expected = list(BYHAND.pods.map(([n, a]) => msg('v.byhand-pods.expected', { ns: n, cidr: a })), 'semi');
    return problems.length === 0
      ? pass(expected, list(found, 'semi'))
      : fail(expected, list(found, 'semi'), msg('v.byhand-pods.hint'));
  },

  'byhand-wired': async (ctx) => {
    const nodeLinks = (await ipJson(ctx.driver, NODE, ['-d', 'link', 'show'])) ?? [];
    const found: Text[] = [];
    let ok = true;
    for (const [name] of BYHAND.pods) {
      const [eth0] = (await ipJson(ctx.driver, NODE, inNs(name, ['-d', 'link', 'show', 'dev', 'eth0']))) ?? [];
      const peer: IpLink | undefined = nodeLinks.find((l) => l.ifindex === eth0?.link_index);
      const wired = eth0?.linkinfo?.info_kind === 'veth' && peer?.master === BRIDGE;
      if (!wired) ok = false;
      found.push(
        eth0
          ? msg('v.byhand-wired.found', {
              ns: name,
              kind: eth0.linkinfo?.info_kind ?? '?',
              peer: peer ? msg('v.pod-wired.peer', { ifname: peer.ifname, master: peer.master ?? msg('word.noBridge') }) : msg('v.byhand-wired.peerMissing'),
            })
          : msg('v.byhand-wired.noEth0', { ns: name }),
      );
    }
    const expected = msg('v.byhand-wired.expected', { bridge: BRIDGE });
    return ok ? pass(expected, list(found, 'semi')) : fail(expected, list(found, 'semi'), msg('v.byhand-wired.hint'));
  },

  'byhand-ping': async (ctx) => {
    const a = 'lab1-a';
    const toB = await ctx.driver.exec(NODE, ['ip', 'netns', 'exec', a, 'ping', '-c1', '-W1', '172.16.1.3']);
    const toBr = await ctx.driver.exec(NODE, ['ip', 'netns', 'exec', a, 'ping', '-c1', '-W1', '172.16.1.1']);
    const found = msg('v.byhand-ping.found', { toB: answers(toB.code), toBridge: answers(toBr.code) });
    return toB.code === 0 && toBr.code === 0
      ? pass(msg('v.byhand-ping.expected'), found)
      : fail(msg('v.byhand-ping.expected'), found, msg('v.byhand-ping.hint'));
  },
};
