// The CLI in Chinese: `check 04 --lang zh-CN` speaks Chinese to a person, and its --json has the same
// structure and ids as in English (only the human texts differ). LANG alone picks the language too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCommand } from '../../src/shared/exec.ts';
import { uniqueName } from '../helpers/names.ts';

const CLI = path.resolve('bin/cnilab');

/** The JSON's shape: keys and ids and verdicts, with every human text blanked. */
function shape(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => shape(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x, k)]));
  return ['title', 'expected', 'found', 'hint'].includes(key) ? typeof v : v;
}

describe('cnilab in Chinese', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-i18n-'));
  const cluster = uniqueName();
  const env = { NO_COLOR: '1', SIMPLECNI_SIM_ROOT: tmp, LANG: 'C', LC_ALL: '' };
  const cli = (args: string[], extra: Record<string, string> = {}) => execCommand([CLI, ...args, '--cluster', cluster], { env: { ...env, ...extra } });
  beforeAll(async () => {
    const up = await cli(['cluster', 'up', '--backend', 'sim', '--mode', 'host-gw']);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli(['cluster', 'down']);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('check 04 --lang zh-CN: Chinese lab title, check titles, labels, found and hint', async () => {
    const r = await cli(['check', '04', '--lang', 'zh-CN']);
    expect(r.code).toBe(1); // no pod "web" yet: the lab fails
    const out = r.stdout;
    expect(out).toContain('实验 04 · 网桥与 veth：你的第一个 Pod');
    expect(out).toContain('✗ node1 上的 Pod web 有一个 up 的 eth0，带着自己的地址，并接到了网桥上');
    expect(out).toMatch(/预期\s+web 里的 eth0：是 veth/);
    expect(out).toMatch(/实际\s+node1 上没有 Pod “web”/);
    expect(out).toMatch(/提示\s+检查看的是 node1 上名为 web 的 Pod/);
    expect(out).toMatch(/6 项检查中通过 \d 项。/);
    expect(out).toContain('卡住了？');
    expect(out).not.toMatch(/\bexpected\b|\bfound\b|checks pass/);
  });

  it('LANG=zh_CN.UTF-8 alone picks Chinese; --lang en wins over it', async () => {
    const zh = await cli(['check', '04'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.stdout).toContain('实验 04 · 网桥与 veth');
    const en = await cli(['check', '04', '--lang', 'en'], { LANG: 'zh_CN.UTF-8' });
    expect(en.stdout).toContain('Lab 04 · Bridge and veth: your first pod');
    expect(en.stdout).toMatch(/expected\s+eth0 in web: a veth/);
  });

  it('an unknown --lang is a clear error that names the choices', async () => {
    const r = await cli(['check', '04', '--lang', 'fr']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown language "fr": use en or zh-CN');
  });

  it('--json: the same structure, ids and verdicts in both languages; only the texts differ', async () => {
    const en = JSON.parse((await cli(['check', '04', '--json', '--lang', 'en'])).stdout);
    const zh = JSON.parse((await cli(['check', '04', '--json', '--lang', 'zh-CN'])).stdout);
    expect(shape(zh)).toEqual(shape(en));
    expect(zh.checks.map((c: { id: string }) => c.id)).toEqual(['pod-bridge', 'pod-wired', 'pod-route', 'pod-forward', 'pod-result', 'pod-ping']);
    expect(Object.keys(zh.checks[0]).sort()).toEqual(['expected', 'found', 'hint', 'id', 'passed', 'title']);
    expect(zh.checks[1].title).toBe('node1 上的 Pod web 有一个 up 的 eth0，带着自己的地址，并接到了网桥上');
    expect(en.checks[1].title).toBe('Pod web on node1 has eth0 up with its address, wired to the bridge');
  });
  // What the other commands say to a person follows --lang too; English stays as it was.
  const cjk = /[\u4e00-\u9fff]/;

  it('solve --lang zh-CN: the steps in Chinese; --json keeps its shape, English steps without --lang', async () => {
    const zh = await cli(['solve', '04', '--yes', '--lang', 'zh-CN']);
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout).toContain('✓ 已用参考答案完成实验 04：已在每个节点上部署参考插件；node1 上的 Pod web 已就绪');
    expect(zh.stdout).toContain('看它通过：');
    expect(zh.stdout).not.toMatch(/solved with the reference|see it pass/);
    const en = JSON.parse((await cli(['solve', '04', '--yes', '--json'])).stdout);
    expect(en).toEqual({ lab: '04', done: ['reference plugin deployed on every node', 'pod web on node1'] });
  });

  it('trace --lang zh-CN: every hop and the verdict in Chinese; --json carries the message ids beside the English', async () => {
    const zh = await cli(['trace', 'node1/web', 'node2', '--lang', 'zh-CN']);
    expect(zh.code, zh.stderr).toBe(0);
    expect(zh.stdout).toContain('✓ 收到来自 192.168.56.12 的应答');
    expect(zh.stdout).toContain('echo 请求');
    expect(zh.stdout).toContain('返回发送方');
    const hops = zh.stdout.split('\n').filter((l) => /^\s+\d+ \w+\s/.test(l));
    expect(hops.length).toBeGreaterThan(5);
    for (const l of hops) expect(l).toMatch(cjk);
    expect(zh.stdout).not.toMatch(/the echo request|back to the sender|reply received|the default route|longest match|neighbour entry/);
    const json = JSON.parse((await cli(['trace', 'node1/web', 'node2', '--json', '--lang', 'zh-CN'])).stdout);
    expect(json.summary).toBe('reply received from 192.168.56.12');
    expect(json.msg).toEqual({ id: 'trace.sum.reply', params: { src: '192.168.56.12' } });
    expect(json.hops[0]).toMatchObject({ direction: 'request', where: 'node1/web', step: 'send', msg: { id: 'trace.hop.send' } });
    expect(json.hops[0].detail).toMatch(/^ICMP echo request 10\.244\.1\.\d+ → 192\.168\.56\.12/);
  });

  it("the cluster layer's errors and commander's own speak Chinese with --lang zh-CN, English as before without", async () => {
    const taken = await cli(['cluster', 'up', '--backend', 'netns', '--lang', 'zh-CN']);
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain(`名字“${cluster}”在这台机器上已经是一个 sim 集群`);
    expect(taken.stderr).toContain(`cnilab cluster down --cluster ${cluster} --backend sim`);
    const takenEn = await cli(['cluster', 'up', '--backend', 'netns']);
    expect(takenEn.stderr).toContain(`the name "${cluster}" is already a sim cluster on this machine: one name, one cluster`);

    const noNode = await cli(['pod', 'add', 'node9', 'web', '--lang', 'zh-CN']);
    expect(noNode.code).not.toBe(0);
    expect(noNode.stderr).toContain('拓扑里没有节点“node9”');
    const noNodeEn = await cli(['pod', 'add', 'node9', 'web']);
    expect(noNodeEn.stderr).toContain('no node "node9" in the topology; nodes are: ');

    const unknown = await cli(['pod', 'add', 'node1', 'web', '--bogus', '--lang', 'zh-CN']);
    expect(unknown.stderr).toContain("错误：没有这个选项 '--bogus'");
    const unknownEn = await cli(['pod', 'add', 'node1', 'web', '--bogus']);
    expect(unknownEn.stderr).toContain("error: unknown option '--bogus'");
  });

  it('a NetworkPolicy outside the subset and a label that is not key=value: the field named in Chinese, in English as before', async () => {
    const file = path.join(tmp, 'egress.yaml');
    fs.writeFileSync(file, 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec:\n  podSelector: {}\n  egress: []\n');
    const zh = await cli(['policy', 'apply', file, '--lang', 'zh-CN']);
    expect(zh.code).not.toBe(0);
    expect(zh.stderr).toContain(`${file}：NetworkPolicy "p"：不支持 spec.egress：SimpleCNI 只实现 spec.podSelector.matchLabels、policyTypes [Ingress]`);
    expect(zh.stderr).toContain('什么都没有应用');
    const en = await cli(['policy', 'apply', file]);
    expect(en.stderr).toContain(`${file}: NetworkPolicy "p": spec.egress is not supported: SimpleCNI enforces spec.podSelector.matchLabels, policyTypes [Ingress]`);

    const label = await cli(['pod', 'add', 'node1', 'web', '--label', 'app', '--lang', 'zh-CN']);
    expect(label.code).not.toBe(0);
    expect(label.stderr).toContain('标签“app”不是 key=value 的形式（例如 app=web）');
    const labelEn = await cli(['pod', 'add', 'node1', 'web', '--label', 'app']);
    expect(labelEn.stderr).toContain('label "app" is not key=value (for example app=web)');
  });

  it('reset, labs, policy, cni, exec and --help speak Chinese with --lang zh-CN or LANG', async () => {
    const ws = path.join(tmp, 'ws');
    const reset = await cli(['reset', '04', '--yes', '--dir', ws, '--lang', 'zh-CN']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('✓ 实验 04 已重置：已删除所有 Pod；已在每个节点上关闭 ip_forward；已在每个节点上部署插件');

    const labs = await cli(['labs', '--lang', 'zh-CN']);
    expect(labs.stdout).toMatch(/实验\s+标题\s+时长\s+需要/);
    expect(labs.stdout).toContain('下一步：');
    expect(labs.stdout).toContain('lab.zh-CN.mdx');
    expect(labs.stdout).not.toMatch(/\bNext:|\d+ min\b/);

    const policy = await cli(['policy', 'list', '--lang', 'zh-CN']);
    expect(policy.stdout).toContain('没有 NetworkPolicy：每个 Pod 都接受所有流量');

    const cni = await cli(['cni', 'FOO', '--node', 'node1', '--lang', 'zh-CN']);
    expect(cni.code).not.toBe(0);
    expect(cni.stderr).toContain('未知的 CNI 命令“FOO”');
    expect(cni.stderr).toContain('请用其中之一：ADD, DEL, CHECK');

    // exec hands everything after the target to the node: the language comes from LANG here.
    const exec = await execCommand([CLI, 'exec', 'node1/nope', '--cluster', cluster, '--', 'true'], { env: { ...env, LANG: 'zh_CN.UTF-8' } });
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain('node1 上没有 Pod“nope”');
    expect(exec.stderr).toContain('用 cnilab pod list node1 查看 Pod');

    const help = await cli(['trace', '--help', '--lang', 'zh-CN']);
    expect(help.stdout).toMatch(/^用法：/);
    expect(help.stdout).toContain('逐跳跟踪一次 ping');
    expect(help.stdout).toContain('（默认值："56"）');
    const enHelp = await cli(['trace', '--help']);
    expect(enHelp.stdout).toMatch(/^Usage: cnilab trace \[options\] <from> <to>/);
    expect(enHelp.stdout).toContain('(default: "56")');
  });
});
