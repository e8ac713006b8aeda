// 02 · The CNI contract: the plugin run with crafted input on node1
import { SUPPORTED_VERSIONS } from '../../shared/cniSpec.ts';
import { callPlugin, short, type PluginCall } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';
import { list, msg } from '../../i18n/index.ts';

const NODE = 'node1';

async function nodeConf(ctx: CheckContext) {
  const list = await ctx.runtime.loadNetwork(NODE);
  return { ...list.plugins[0]!, name: list.name, cniVersion: '1.1.0' };
}

const isErrorObject = (r: PluginCall) =>
  r.code !== 0 && r.json && typeof r.json.code === 'number' && typeof r.json.msg === 'string' && 'cniVersion' in r.json && 'details' in r.json;

const describe = (r: PluginCall) => msg('v.plugin.exitStdout', { code: r.code, stdout: short(r.stdout.trim()) });

export const checks: Record<string, CheckFn> = {
  'contract-version': async (ctx) => {
    const r = await callPlugin(ctx, NODE, { type: 'simplecni' }, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}');
    const expected = msg('v.contract-version.expected', { json: `{"cniVersion":"0.4.0","supportedVersions":[${SUPPORTED_VERSIONS.map((v) => `"${v}"`).join(',')}]}` });
    const ok = r.code === 0 && r.json?.cniVersion === '0.4.0' && SUPPORTED_VERSIONS.every((v) => r.json?.supportedVersions?.includes(v));
    return ok ? pass(expected, r.stdout.trim()) : fail(expected, describe(r), msg('v.contract-version.hint'));
  },

  'contract-errors-stdout': async (ctx) => {
    const r = await callPlugin(ctx, NODE, await nodeConf(ctx), { CNI_COMMAND: 'ADD', CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' });
    const ok = isErrorObject(r);
    return ok
      ? pass(msg('v.contract-errors-stdout.expected'), r.stdout.trim())
      : fail(msg('v.contract-errors-stdout.expected'), describe(r), msg('v.contract-errors-stdout.hint'));
  },

  'contract-env': async (ctx) => {
    const conf = await nodeConf(ctx);
    const answers = await Promise.all(
      ['CNI_CONTAINERID', 'CNI_IFNAME'].map(async (missing) => {
        const env: Record<string, string> = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'chk', CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' };
        delete env[missing];
        const r = await callPlugin(ctx, NODE, conf, env);
        return isErrorObject(r) && r.json.code === 4 && String(r.json.msg).includes(missing) ? [] : [msg('v.contract-env.without', { name: missing, result: describe(r) })];
      }),
    );
    const problems = answers.flat();
    return problems.length === 0
      ? pass(msg('v.contract-env.expected'))
      : fail(msg('v.contract-env.expected'), list(problems, 'semi'), msg('v.contract-env.hint'));
  },

  'contract-decode': async (ctx) => {
    const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'chk', CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' };
    const [garbled, old] = await Promise.all([
      callPlugin(ctx, NODE, { type: 'simplecni' }, env, '{"cniVersion": '),
      nodeConf(ctx).then((conf) => callPlugin(ctx, NODE, { ...conf, cniVersion: '0.2.0' }, env)),
    ]);
    const ok = isErrorObject(garbled) && garbled.json.code === 6 && isErrorObject(old) && old.json.code === 1;
    // The code as the plugin printed it (a JSON value: a number, or whatever else it wrote there).
    const code = (r: PluginCall) => (r.json?.code !== undefined && r.json?.code !== null ? `${r.json.code}` : describe(r));
    const found = msg('v.contract-decode.found', { garbled: code(garbled), old: code(old) });
    return ok ? pass(msg('v.contract-decode.expected'), found) : fail(msg('v.contract-decode.expected'), found, msg('v.contract-decode.hint'));
  },
};
