// 00 · Setup and tour
import { underlayAddress, workers } from '../../cluster/topology.ts';
import { callPlugin, short } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';

export const checks: Record<string, CheckFn> = {
  'cluster-up': async ({ driver }) => {
    const names = driver.topology.nodes.map((n) => n.name);
    // Ask the node's own network stack (a process that merely starts proves nothing on a simulated node).
    const answers = await Promise.all(names.map((n) => driver.exec(n, ['ip', 'link', 'show', 'lo'])));
    const missing = names.filter((_, i) => answers[i]!.code !== 0);
    const expected = `nodes ${names.join(', ')} running`;
    return missing.length === 0
      ? pass(expected)
      : fail(expected, `not reachable: ${missing.join(', ')}`, 'A node that does not answer was never built or was removed. Rebuilding the cluster brings it back.');
  },

  underlay: async ({ driver }) => {
    const t = driver.topology;
    const others = t.nodes.filter((n) => n.name !== 'node1');
    const [route, ...pings] = await Promise.all([
      driver.exec('node1', ['ip', '-j', 'route', 'get', underlayAddress(t.nodes.find((n) => n.name === 'node3')!)]),
      ...others.map((to) => driver.exec('node1', ['ping', '-c1', '-W1', '-q', underlayAddress(to)])),
    ]);
    let ok = pings.every((r) => r.code === 0);
    const results = others.map((to, i) => `${to.name} ${pings[i]!.code === 0 ? 'answers' : 'does not answer'}`);
    const via = route.code === 0 ? (JSON.parse(route.stdout)[0]?.gateway as string | undefined) : undefined;
    if (!via) ok = false;
    const found = `${results.join(', ')}; node1 reaches node3 ${via ? `via ${via}` : 'without a gateway'}`;
    return ok
      ? pass('node1 reaches every node; node3 through the router', found)
      : fail('node1 reaches every node; node3 through the router', found, 'The underlay is the nodes’ own network. Look at each node’s address and default route, and at whether the router forwards.');
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
      ? pass('every worker answers VERSION with a list of supported versions')
      : fail('every worker answers VERSION with a list of supported versions', bad.join('; '), 'Each node runs the plugin it finds in its own CNI bin dir. Is it there, and does it start?');
  },
};
