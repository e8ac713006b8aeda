// 00 · Setup and tour
import { underlayAddress, workers } from '../../cluster/topology.ts';
import { callPlugin, short } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';
import { list, msg } from '../../i18n/index.ts';

export const checks: Record<string, CheckFn> = {
  'cluster-up': async ({ driver }) => {
    const names = driver.topology.nodes.map((n) => n.name);
    // Ask the node's own network stack (a process that merely starts proves nothing on a simulated node).
    const answers = await Promise.all(names.map((n) => driver.exec(n, ['ip', 'link', 'show', 'lo'])));
    const missing = names.filter((_, i) => answers[i]!.code !== 0);
    const expected = msg('v.cluster-up.expected', { names: names.join(', ') });
    return missing.length === 0
      ? pass(expected)
      : fail(expected, msg('v.cluster-up.found', { names: missing.join(', ') }), msg('v.cluster-up.hint'));
  },

  underlay: async ({ driver }) => {
    const t = driver.topology;
    const others = t.nodes.filter((n) => n.name !== 'node1');
    const [route, ...pings] = await Promise.all([
      driver.exec('node1', ['ip', '-j', 'route', 'get', underlayAddress(t.nodes.find((n) => n.name === 'node3')!)]),
      ...others.map((to) => driver.exec('node1', ['ping', '-c1', '-W1', '-q', underlayAddress(to)])),
    ]);
    let ok = pings.every((r) => r.code === 0);
    const results = others.map((to, i) => msg(pings[i]!.code === 0 ? 'v.underlay.answers' : 'v.underlay.noAnswer', { node: to.name }));
    const via = route.code === 0 ? (JSON.parse(route.stdout)[0]?.gateway as string | undefined) : undefined;
    if (!via) ok = false;
    const found = msg('v.underlay.found', { results: list(results), how: via ? msg('v.underlay.via', { gw: via }) : msg('v.underlay.noGateway') });
    return ok
      ? pass(msg('v.underlay.expected'), found)
      : fail(msg('v.underlay.expected'), found, msg('v.underlay.hint'));
  },

  'plugin-installed': async (ctx) => {
    const answers = await Promise.all(
      workers(ctx.driver.topology).map(async (w) => {
        const r = await callPlugin(ctx, w.name, { type: 'simplecni' }, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
        return r.code !== 0 || !Array.isArray(r.json?.supportedVersions) ? [`${w.name}: ${short(r.stdout || r.stderr)}`] : [];
      }),
    );
    const bad = answers.flat();
    return bad.length === 0
      ? pass(msg('v.plugin-installed.expected'))
      : fail(msg('v.plugin-installed.expected'), bad.join('; '), msg('v.plugin-installed.hint'));
  },
};
