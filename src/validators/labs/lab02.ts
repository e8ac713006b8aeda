// 02 · The CNI contract: the plugin run with crafted input on node1
import { SUPPORTED_VERSIONS } from '../../shared/cniSpec.ts';
import { callPlugin, short, type PluginCall } from '../probe.ts';
import { fail, pass, type CheckContext, type CheckFn } from '../types.ts';

const NODE = 'node1';

async function nodeConf(ctx: CheckContext) {
  const list = await ctx.runtime.loadNetwork(NODE);
  return { ...list.plugins[0]!, name: list.name, cniVersion: '1.1.0' };
}

const isErrorObject = (r: PluginCall) =>
  r.code !== 0 && r.json && typeof r.json.code === 'number' && typeof r.json.msg === 'string' && 'cniVersion' in r.json && 'details' in r.json;

const describe = (r: PluginCall) => `exit ${r.code}, stdout ${short(r.stdout.trim())}`;

export const checks: Record<string, CheckFn> = {
  'contract-version': async (ctx) => {
    const r = await callPlugin(ctx, NODE, { type: 'simplecni' }, { CNI_COMMAND: 'VERSION' }, '{"cniVersion":"0.4.0"}');
    const expected = `{"cniVersion":"0.4.0","supportedVersions":[${SUPPORTED_VERSIONS.map((v) => `"${v}"`).join(',')}]} and exit 0`;
    const ok = r.code === 0 && r.json?.cniVersion === '0.4.0' && SUPPORTED_VERSIONS.every((v) => r.json?.supportedVersions?.includes(v));
    return ok ? pass(expected, r.stdout.trim()) : fail(expected, describe(r), 'VERSION answers in the version the runtime asked with, and lists every version the plugin speaks.');
  },

  'contract-errors-stdout': async (ctx) => {
    const r = await callPlugin(ctx, NODE, await nodeConf(ctx), { CNI_COMMAND: 'ADD', CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' });
    const ok = isErrorObject(r);
    return ok
      ? pass('a non-zero exit and {cniVersion, code, msg, details} on stdout', r.stdout.trim())
      : fail('a non-zero exit and {cniVersion, code, msg, details} on stdout', describe(r), 'The runtime parses stdout as JSON when the exit code is not 0. Messages for humans belong on stderr.');
  },

  'contract-env': async (ctx) => {
    const conf = await nodeConf(ctx);
    const answers = await Promise.all(
      ['CNI_CONTAINERID', 'CNI_IFNAME'].map(async (missing) => {
        const env: Record<string, string> = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'chk', CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' };
        delete env[missing];
        const r = await callPlugin(ctx, NODE, conf, env);
        return isErrorObject(r) && r.json.code === 4 && String(r.json.msg).includes(missing) ? [] : [`without ${missing}: ${describe(r)}`];
      }),
    );
    const problems = answers.flat();
    return problems.length === 0
      ? pass('code 4 with a message naming the missing variable')
      : fail('code 4 with a message naming the missing variable', problems.join('; '), 'Code 4 means "invalid environment variables"; the message should tell the runtime which one.');
  },

  'contract-decode': async (ctx) => {
    const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'chk', CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0' };
    const [garbled, old] = await Promise.all([
      callPlugin(ctx, NODE, { type: 'simplecni' }, env, '{"cniVersion": '),
      nodeConf(ctx).then((conf) => callPlugin(ctx, NODE, { ...conf, cniVersion: '0.2.0' }, env)),
    ]);
    const ok = isErrorObject(garbled) && garbled.json.code === 6 && isErrorObject(old) && old.json.code === 1;
    const found = `not JSON → ${garbled.json?.code ?? describe(garbled)}; cniVersion 0.2.0 → ${old.json?.code ?? describe(old)}`;
    return ok
      ? pass('not JSON → code 6; an unsupported cniVersion → code 1', found)
      : fail('not JSON → code 6; an unsupported cniVersion → code 1', found, 'Decide what went wrong before doing anything: could the config be read at all, and is its version one the plugin speaks?');
  },
};
