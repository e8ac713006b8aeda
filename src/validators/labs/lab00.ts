// 00 · Setup and tour
import { underlayAddress, workers } from '../../cluster/topology.ts';
import { callPlugin, short } from '../probe.ts';
import { fail, pass, type CheckFn } from '../types.ts';

export const checks: Record<string, CheckFn> = {
  'cluster-up': async ({ driver }) => {
    const names = driver.topology.nodes.map((n) => n.name);
    const missing: string[] = [];
    // Ask the node's own network stack (a process that merely starts proves nothing on a simulated node).
    for (const n of names) if ((await driver.exec(n, ['ip', 'link', 'show', 'lo'])).code !== 0) missing.push(n);
    const expected = `nodes ${names.join(', ')} running`;
    return missing.length === 0
      ? pass(expected)
      : fail(expected, `not reachable: ${missing.join(', ')}`, 'A node that does not answer was never built or was removed. Rebuilding the cluster brings it back.');
  },

  underlay: async ({ driver }) => {
    const t = driver.topology;
    const results: string[] = [];
    let ok = true;
    for (const to of t.nodes.filter((n) => n.name !== 'node1')) {
      const r = await driver.exec('node1', ['ping', '-c1', '-W1', '-q', underlayAddress(to)]);
      if (r.code !== 0) ok = false;
      results.push(`${to.name} ${r.code === 0 ? 'answers' : 'does not answer'}`);
    }
    const route = await driver.exec('node1', ['ip', '-j', 'route', 'get', underlayAddress(t.nodes.find((n) => n.name === 'node3')!)]);
    const via = route.code === 0 ? (JSON.parse(route.stdout)[0]?.gateway as string | undefined) : undefined;
    if (!via) ok = false;
    const found = `${results.join(', ')}; node1 reaches node3 ${via ? `via ${via}` : 'without a gateway'}`;
    return ok
      ? pass('node1 reaches every node; node3 through the router', found)
      : fail('node1 reaches every node; node3 through the router', found, 'The underlay is the nodes’ own network. Look at each node’s address and default route, and at whether the router forwards.');
  },

  'plugin-installed': async (ctx) => {
    const bad: string[] = [];
    for (const w of workers(ctx.driver.topology)) {
      const r = await callPlugin(ctx, w.name, { type: 'simplecni' }, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"1.0.0"}');
      if (r.code !== 0 || !Array.isArray(r.json?.supportedVersions)) bad.push(`${w.name}: ${short(r.stdout || r.stderr)}`);
    }
    return bad.length === 0
      ? pass('every worker answers VERSION with a list of supported versions')
      : fail('every worker answers VERSION with a list of supported versions', bad.join('; '), 'Each node runs the plugin it finds in its own CNI bin dir. Is it there, and does it start?');
  },
};
