// 04 · Bridge and veth: your first pod (pod "web" on node1)
import { podGateway, workerByName } from '../../cluster/topology.ts';
import { addrs, describeAddrs, ipJson, isUp, ping } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';

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
const noPod = (expected: string) => fail(expected, `no pod "${POD}" on ${NODE}`, `The checks look at a pod named ${POD} on ${NODE}; the pod commands create one through your plugin.`);

export const checks: Record<string, CheckFn> = {
  'pod-bridge': async (ctx) => {
    const e = expectations(ctx);
    const [br] = (await ipJson(ctx.driver, NODE, ['-d', 'addr', 'show', 'dev', e.bridge])) ?? [];
    const expected = `bridge ${e.bridge} up with ${e.gwCidr}`;
    if (!br) return fail(expected, `no ${e.bridge} on ${NODE}`, 'ADD creates the bridge when it is missing: the first pod on a node finds none.');
    const found = `${br.linkinfo?.info_kind} ${e.bridge}, ${isUp(br) ? 'up' : 'down'}, ${describeAddrs(br)}`;
    return br.linkinfo?.info_kind === 'bridge' && isUp(br) && addrs(br).includes(e.gwCidr)
      ? pass(expected, found)
      : fail(expected, found, 'The gateway address of the node’s pod subnet lives on the bridge: it is the pods’ way out.');
  },

  'pod-wired': async (ctx) => {
    const e = expectations(ctx);
    const expected = `eth0 in ${POD}: a veth, up, with an address in ${e.subnet}; its ${NODE} end a port of ${e.bridge}`;
    if (!(await podExists(ctx))) return noPod(expected);
    const [eth0] = (await ipJson(ctx.driver, NODE, ['-d', 'addr', 'show', 'dev', 'eth0'], POD)) ?? [];
    if (!eth0) return fail(expected, `no eth0 in ${POD}`, 'The pod end of the veth must be created inside CNI_NETNS, named CNI_IFNAME.');
    const nodeLinks = (await ipJson(ctx.driver, NODE, ['link', 'show'])) ?? [];
    const peer = nodeLinks.find((l) => l.ifindex === eth0.link_index);
    const [net, len] = e.subnet.split('/') as [string, string];
    const inSubnet = addrs(eth0).some((a) => a.endsWith(`/${len}`) && a.split('.').slice(0, 3).join('.') === net.split('.').slice(0, 3).join('.'));
    const found = `eth0 ${eth0.linkinfo?.info_kind ?? '?'}, ${isUp(eth0) ? 'up' : 'down'}, ${describeAddrs(eth0)}; node end ${peer ? `${peer.ifname} on ${peer.master ?? 'no bridge'}` : 'not found'}`;
    return eth0.linkinfo?.info_kind === 'veth' && isUp(eth0) && inSubnet && peer?.master === e.bridge
      ? pass(expected, found)
      : fail(expected, found, 'Check each end of the cable: the pod end (state, address) and the node end (which bridge it is plugged into).');
  },

  'pod-route': async (ctx) => {
    const e = expectations(ctx);
    const expected = `default via ${e.gw} dev eth0`;
    if (!(await podExists(ctx))) return noPod(expected);
    const routes = (await ipJson<{ dst: string; gateway?: string; dev?: string }[]>(ctx.driver, NODE, ['route', 'show'], POD)) ?? [];
    const found = routes.map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}`).join('; ') || 'no routes';
    return routes.some((r) => r.dst === 'default' && r.gateway === e.gw && r.dev === 'eth0')
      ? pass(expected, found)
      : fail(expected, found, 'Without a default route a pod can only talk to its own subnet. Through which address does it leave?');
  },

  'pod-forward': async ({ driver }) => {
    const r = await driver.exec(NODE, ['sysctl', '-n', 'net.ipv4.ip_forward']);
    const v = r.stdout.trim();
    return v === '1'
      ? pass('net.ipv4.ip_forward = 1 on node1')
      : fail('net.ipv4.ip_forward = 1 on node1', `net.ipv4.ip_forward = ${v || '?'}`, 'A node that does not forward drops every packet that is not for itself, including its pods’ traffic to other networks.');
  },

  'pod-result': async (ctx) => {
    const e = expectations(ctx);
    const expected = `interfaces [${e.bridge}, <host veth>, eth0 with sandbox], ips[0].interface = 2, gateway ${e.gw}`;
    const pod = (await ctx.driver.listPodNetns(NODE)).find((p) => p.pod === POD);
    if (!pod) return noPod(expected);
    const list = await ctx.runtime.loadNetwork(NODE);
    const cached = await ctx.runtime.readCache(NODE, list.name, { containerId: POD, ifname: 'eth0' });
    if (!cached) return fail(expected, 'no cached ADD result for the pod', 'The runtime caches what ADD printed on stdout; if nothing was cached, ADD printed no result.');
    const r = cached.result;
    const ifs = r.interfaces ?? [];
    const found = `interfaces [${ifs.map((i) => `${i.name}${i.sandbox ? ` (sandbox ${i.sandbox})` : ''}`).join(', ')}], ips ${JSON.stringify(r.ips ?? [])}`;
    const ok = ifs.length === 3 && ifs[0]?.name === e.bridge && ifs[2]?.name === 'eth0' && ifs[2]?.sandbox === pod.netns && !ifs[0]?.sandbox && r.ips?.[0]?.interface === 2 && r.ips?.[0]?.gateway === e.gw;
    return ok ? pass(expected, found) : fail(expected, found, 'The result describes what ADD made, in order: bridge, host end, pod end. `interface` is an index into that list; `sandbox` says which interface lives in the pod.');
  },

  'pod-ping': async (ctx) => {
    const e = expectations(ctx);
    const expected = `${POD} pings ${e.gw}`;
    if (!(await podExists(ctx))) return noPod(expected);
    const r = await ping(ctx.driver, NODE, e.gw, { pod: POD });
    return r.ok ? pass(expected, 'answered') : fail(expected, r.out.split('\n').slice(-2).join(' '), 'A ping crosses every piece you built: pod interface, veth, bridge and its address. Which one is down or missing?');
  },
};
