// 04 · Bridge and veth: your first pod (pod "web" on node1)
import { podGateway, workerByName } from '../../cluster/topology.ts';
import { addrs, ipJson, isUp, ping, type IpLink } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';
import { msg, type Text } from '../../i18n/index.ts';

const NODE = 'node1';
const POD = 'web';

function expectations(ctx: CheckContext) {
  const w = workerByName(ctx.driver.topology, NODE);
  const gw = podGateway(w);
  return { gw, gwCidr: `${gw}/${w.podSubnet.split('/')[1]}`, bridge: ctx.driver.topology.bridge, subnet: w.podSubnet };
}

async function podExists(ctx: CheckContext) {
  return (await ctx.driver.listPodNetns(NODE)).some((p) => p.pod === POD);
}
const noPod = (expected: Text) => fail(expected, msg('v.pod.none', { pod: POD, node: NODE }), msg('v.pod.noneHint', { pod: POD, node: NODE }));
const upDown = (l: IpLink) => msg(isUp(l) ? 'word.up' : 'word.down');
const addrList = (l: IpLink) => (addrs(l).length ? addrs(l).join(', ') : msg('word.noIPv4'));

export const checks: Record<string, CheckFn> = {
  'pod-bridge': async (ctx) => {
    const e = expectations(ctx);
    const [br] = (await ipJson(ctx.driver, NODE, ['-d', 'addr', 'show', 'dev', e.bridge])) ?? [];
    const expected = msg('v.pod-bridge.expected', { bridge: e.bridge, cidr: e.gwCidr });
    if (!br) return fail(expected, msg('v.pod-bridge.missing', { bridge: e.bridge, node: NODE }), msg('v.pod-bridge.missingHint'));
    const found = msg('v.pod-bridge.found', { kind: `${br.linkinfo?.info_kind}`, bridge: e.bridge, state: upDown(br), addrs: addrList(br) });
    return br.linkinfo?.info_kind === 'bridge' && isUp(br) && addrs(br).includes(e.gwCidr)
      ? pass(expected, found)
      : fail(expected, found, msg('v.pod-bridge.hint'));
  },

  'pod-wired': async (ctx) => {
    const e = expectations(ctx);
    const expected = msg('v.pod-wired.expected', { pod: POD, subnet: e.subnet, node: NODE, bridge: e.bridge });
    if (!(await podExists(ctx))) return noPod(expected);
    const [eth0] = (await ipJson(ctx.driver, NODE, ['-d', 'addr', 'show', 'dev', 'eth0'], POD)) ?? [];
    if (!eth0) return fail(expected, msg('v.pod-wired.noEth0', { pod: POD }), msg('v.pod-wired.noEth0Hint'));
    const nodeLinks = (await ipJson(ctx.driver, NODE, ['link', 'show'])) ?? [];
    const peer = nodeLinks.find((l) => l.ifindex === eth0.link_index);
    const [net, len] = e.subnet.split('/') as [string, string];
    const inSubnet = addrs(eth0).some((a) => a.endsWith(`/${len}`) && a.split('.').slice(0, 3).join('.') === net.split('.').slice(0, 3).join('.'));
    const found = msg('v.pod-wired.found', {
      kind: eth0.linkinfo?.info_kind ?? '?',
      state: upDown(eth0),
      addrs: addrList(eth0),
      peer: peer ? msg('v.pod-wired.peer', { ifname: peer.ifname, master: peer.master ?? msg('word.noBridge') }) : msg('word.notFound'),
    });
    return eth0.linkinfo?.info_kind === 'veth' && isUp(eth0) && inSubnet && peer?.master === e.bridge
      ? pass(expected, found)
      : fail(expected, found, msg('v.pod-wired.hint'));
  },

  'pod-route': async (ctx) => {
    const e = expectations(ctx);
    const expected = `default via ${e.gw} dev eth0`;
    if (!(await podExists(ctx))) return noPod(expected);
    const routes = (await ipJson<{ dst: string; gateway?: string; dev?: string }[]>(ctx.driver, NODE, ['route', 'show'], POD)) ?? [];
    const found = routes.map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`).join('; ') || msg('word.noRoutes');
    return routes.some((r) => r.dst === 'default' && r.gateway === e.gw && r.dev === 'eth0')
      ? pass(expected, found)
      : fail(expected, found, msg('v.pod-route.hint'));
  },

  'pod-forward': async ({ driver }) => {
    const r = await driver.exec(NODE, ['sysctl', '-n', 'net.ipv4.ip_forward']);
    const v = r.stdout.trim();
    return v === '1'
      ? pass(msg('v.pod-forward.expected'))
      : fail(msg('v.pod-forward.expected'), `net.ipv4.ip_forward = ${v || '?'}`, msg('v.pod-forward.hint'));
  },

  'pod-result': async (ctx) => {
    const e = expectations(ctx);
    const expected = `interfaces [${e.bridge}, <host veth>, eth0 with sandbox], ips[0].interface = 2, gateway ${e.gw}`;
    const pod = (await ctx.driver.listPodNetns(NODE)).find((p) => p.pod === POD);
    if (!pod) return noPod(expected);
    const list = await ctx.runtime.loadNetwork(NODE);
    const cached = await ctx.runtime.readCache(NODE, list.name, { containerId: POD, ifname: 'eth0' });
    if (!cached) return fail(expected, msg('v.pod-result.noCache'), msg('v.pod-result.noCacheHint'));
    const r = cached.result;
    const ifs = r.interfaces ?? [];
    const found = `interfaces [${ifs.map((i) => `${i.name}${i.sandbox ? ` (sandbox ${i.sandbox})` : ''}`).join(', ')}], ips ${JSON.stringify(r.ips ?? [])}`;
    const ok = ifs.length === 3 && ifs[0]?.name === e.bridge && ifs[2]?.name === 'eth0' && ifs[2]?.sandbox === pod.netns && !ifs[0]?.sandbox && r.ips?.[0]?.interface === 2 && r.ips?.[0]?.gateway === e.gw;
    return ok ? pass(expected, found) : fail(expected, found, msg('v.pod-result.hint'));
  },

  'pod-ping': async (ctx) => {
    const e = expectations(ctx);
    const expected = msg('v.pod-ping.expected', { pod: POD, gw: e.gw });
    if (!(await podExists(ctx))) return noPod(expected);
    const r = await ping(ctx.driver, NODE, e.gw, { pod: POD });
    return r.ok ? pass(expected, msg('word.answered')) : fail(expected, r.out.split('\n').slice(-2).join(' '), msg('v.pod-ping.hint'));
  },
};
