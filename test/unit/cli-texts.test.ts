// The CLI's messages to a person in the chosen language, and its tables lined up in terminal cells
// when a heading is Chinese (two cells per character).
import { afterEach, describe, expect, it } from 'vitest';
import { cliT, setCliLang } from '../../src/cli/lang.ts';
import { table } from '../../src/cli/output.ts';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/cli.ts';
import { en } from '../../src/i18n/en.ts';
import { zhCN } from '../../src/i18n/zh-CN.ts';
import { mapLiterals, msg, t } from '../../src/i18n/index.ts';
import { english } from '../../src/i18n/text.ts';
import { toApiDone } from '../../src/server/api.ts';
import { tracePacket } from '../../src/sim/core/trace.ts';
import { labWorld, podIp, podNs } from '../sim/worlds.ts';
import { insideNodeMessage } from '../../src/cli/insideNode.ts';
import { cliErr } from '../../src/cli/lang.ts';
import { chooseBackend, parseBackend } from '../../src/cluster/backends.ts';
import { validateClusterName } from '../../src/cluster/netns/layout.ts';
import { validatePodName } from '../../src/cluster/podName.ts';
import { loadTopology, nodeByName, validateTopology, type Topology } from '../../src/cluster/topology.ts';
import { SshUnreachable } from '../../src/cluster/ssh/sshConnection.ts';
import { parseInventory } from '../../src/cluster/ssh/inventory.ts';

afterEach(() => void setCliLang('en', {}));

describe('CLI texts', () => {
  it('says the same thing in English as before, and in Chinese with --lang zh-CN', () => {
    setCliLang(undefined, { LANG: 'C.UTF-8' });
    expect(cliT('cli.pod.up', { pod: 'node1/web', address: '10.244.1.2/24' })).toBe('pod node1/web is up: 10.244.1.2/24');
    expect(cliT('cli.down.done', { cluster: 'x', what: cliT('cli.down.namespaces', { n: 6 }) })).toBe('cluster "x" removed (6 namespaces)');
    setCliLang('zh-CN', {});
    expect(cliT('cli.pod.up', { pod: 'node1/web', address: '10.244.1.2/24' })).toBe('Pod node1/web 已就绪：10.244.1.2/24');
    expect(cliT('cli.down.done', { cluster: 'x', what: cliT('cli.down.namespaces', { n: 6 }) })).toBe('集群“x”已删除（6 个命名空间）');
  });

  it('lines up a table whose heading is Chinese under its rows', () => {
    const lines = table([
      ['节点', '地址'],
      ['node1', '10.244.1.2/24'],
    ]).split('\n');
    // "节点" takes 4 cells, "node1" 5: the second column starts at cell 7 on both lines.
    expect(lines[0]).toBe('节点   地址');
    expect(lines[1]).toBe('node1  10.244.1.2/24');
  });
});

// ---------------------------------------------------------------------------------------------
// Everything else a person reads from the CLI, the trace and reset/solve, in Chinese.

const CJK = /[\u4e00-\u9fff]/;

describe('the catalogue for the CLI, the trace and the lab steps', () => {
  it('has Chinese words in every Chinese text of these parts (none left in English)', () => {
    const prefixes = ['cli.', 'err.', 'cmdr.', 'inv.', 'help.', 'step.', 'reset.', 'trace.hop.', 'trace.why.', 'trace.sum.', 'trace.err.', 'term.'];
    // Texts with no word to translate: parameters and punctuation, API object names (Pod), commands' words (netns, DF).
    const wordless = new Set(['term.tabTitle', 'term.srStatus', 'cli.col.pod', 'cli.col.netns', 'trace.hop.df', 'cli.policy.pods', 'cmdr.withSuggestion', 'inv.err.at', 'err.policy.in', 'cli.policy.invalid', 'err.class.at', 'err.class.atKey', 'err.runtime.badConfig']);
    const english = Object.entries(zhCN).filter(([id, zh]) => prefixes.some((p) => id.startsWith(p)) && !wordless.has(id) && !CJK.test(zh));
    expect(english.map(([id]) => id)).toEqual([]);
  });
});

describe('--help in Chinese', () => {
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  // Options whose description is the environment variable they set: the same in every language.
  const NAMES = new Set(['CNI_NETNS', 'CNI_CONTAINERID', 'CNI_IFNAME']);

  it('describes every command and option in Chinese, and commander\'s own words too', () => {
    const program = buildProgram(['--lang', 'zh-CN']);
    const english: string[] = [];
    for (const c of all(program)) {
      if (!CJK.test(c.description())) english.push(`${c.name()}: ${c.description()}`);
      for (const o of c.options) if (!o.hidden && !NAMES.has(o.description) && !CJK.test(o.description)) english.push(`${c.name()} ${o.flags}: ${o.description}`);
      const help = c.helpInformation();
      expect(help, c.name()).toMatch(/^用法：/);
      expect(help, c.name()).toContain('选项：');
      expect(help, c.name()).toContain('显示命令的帮助');
      expect(help, c.name()).not.toMatch(/\(default: |display help for command/);
    }
    expect(english).toEqual([]);
  });

  it('keeps the English help as commander writes it, with the English catalogue texts', () => {
    const program = buildProgram(['--lang', 'en']);
    const help = program.helpInformation();
    expect(help).toMatch(/^Usage: cnilab \[options\] \[command\]\n\nSimpleCNI Lab: build a real CNI plugin/);
    expect(help).toContain('  -h, --help                            display help for command');
    expect(help).toContain('--cluster <name>                      which cluster (several can exist side');
    expect(program.commands.find((c) => c.name() === 'trace')!.description()).toBe(en['help.trace']);
  });

  it('reads --lang from the line before parsing, up to the `--` that starts an exec command', () => {
    expect(CJK.test(buildProgram(['trace', '--lang=zh-CN', '--help']).commands.find((c) => c.name() === 'trace')!.description())).toBe(true);
    expect(CJK.test(buildProgram(['exec', 'node1', '--', 'cmd', '--lang', 'zh-CN']).description())).toBe(false);
    expect(CJK.test(buildProgram(['--lang', 'xx']).description())).toBe(false); // reported when a command runs
  });
});

describe('reset and solve steps', () => {
  it('travel as English lines and as messages the site shows in its language', () => {
    const done = toApiDone('08', [msg('reset.pods'), msg('step.modeMtuPods', { mode: 'vxlan', mtu: 1450 }), msg('step.containersStopped.one', { n: 1 })]);
    expect(done.done).toEqual(['all pods deleted', 'mode vxlan; every pod at MTU 1450; pod web on every node', 'containerd stopped, 1 container lease freed']);
    expect(done.msg!.map((m) => t('zh-CN', m))).toEqual(['已删除所有 Pod', '模式 vxlan；每个 Pod 的 MTU 都是 1450；每个节点上都有 Pod web', '已停止 containerd，释放了 1 个容器租约']);
  });
});

describe('trace texts', () => {
  /** Traces that pass every kind of hop the labs show: routed, tunnelled both ways, dropped on the way or on the way back. */
  function traces() {
    const out = [];
    for (const mode of ['host-gw', 'ipip', 'vxlan'] as const) out.push(tracePacket(labWorld(mode).world, podNs(1), podIp(3)));
    out.push(tracePacket(labWorld('vxlan').world, podNs(1), podIp(2), { size: 1472, df: true }));
    const off = labWorld('host-gw');
    off.ns('node2').sysctl['net.ipv4.ip_forward'] = '0';
    out.push(tracePacket(off.world, podNs(1), podIp(2)));
    out.push(tracePacket(labWorld('host-gw').world, podNs(1), '10.244.1.99'));
    return out;
  }

  it('every hop and every verdict is a message whose English is the detail line, and whose Chinese is Chinese', () => {
    const ids = new Set<string>();
    for (const tr of traces()) {
      expect(english(tr.msg)).toBe(tr.summary);
      expect(t('zh-CN', tr.msg)).toMatch(CJK);
      for (const h of tr.hops) {
        expect(h.msg, `${h.step}: ${h.detail}`).toBeDefined();
        ids.add(h.msg!.id);
        expect(english(h.msg!)).toBe(h.detail);
        const zh = t('zh-CN', h.msg!);
        expect(zh, h.detail).toMatch(CJK);
        expect(zh, h.detail).not.toMatch(/\{\w+\}/);
      }
    }
    // The walk's common decisions were all seen (so this test looks at what students see).
    for (const id of ['trace.hop.send', 'trace.hop.route', 'trace.hop.veth', 'trace.hop.forward', 'trace.hop.vxlanEncap', 'trace.hop.ipipEncap', 'trace.hop.vxlanDecap', 'trace.hop.noForward', 'trace.hop.echoAnswered']) {
      expect(ids, id).toContain(id);
    }
  });

  it('a pod named in the trace is named as the student names it, in every language', () => {
    const relabelled = mapLiterals(msg('trace.hop.veth', { dev: 'eth0', peer: 'veth1', ns: 'cni-1234' }), (s) => s.replace('cni-1234', 'node1/web'));
    expect(t('en', relabelled)).toBe('veth eth0 → veth1 in node1/web');
    expect(t('zh-CN', relabelled)).toBe('veth eth0 → node1/web 里的 veth1');
  });
});

describe('cnilab typed on a node', () => {
  it('says where to run it in the language of the line or the locale', () => {
    expect(insideNodeMessage({ SIMPLECNI_NODE: 'node2', LANG: 'zh_CN.UTF-8' }, ['check', '04'])).toBe(
      'cnilab：这个 shell 在节点 node2 上；cnilab 要在你自己的机器上运行：请切到“你的机器”终端（或者套件目录里的任意终端），在那里输入这条命令。',
    );
    expect(insideNodeMessage({ SIMPLECNI_NODE: 'node2', LANG: 'zh_CN.UTF-8' }, ['check', '04', '--lang', 'en'])).toMatch(/^cnilab: this shell is on node node2;/);
    expect(insideNodeMessage({ SIMPLECNI_NODE: 'node2' }, ['check', '--lang=zh-CN'])).toMatch(/^cnilab：/);
  });
});

// ---------------------------------------------------------------------------------------------
// The cluster layer's errors: English `message` as before (tests, logs and --json read it), the
// same text in Chinese when the CLI prints it under --lang zh-CN.

describe('errors of the cluster, its backends and the topology', () => {
  const thrown = async (f: () => unknown): Promise<unknown> => {
    try {
      await f();
    } catch (err) {
      return err;
    }
    throw new Error('expected an error');
  };
  const inBoth = (err: unknown) => {
    setCliLang('en', {});
    const en = cliErr(err);
    setCliLang('zh-CN', {});
    const zh = cliErr(err);
    return { en, zh };
  };

  it('keeps each English message as it was and says it in Chinese, commands and names unchanged', async () => {
    const topology = loadTopology();
    const bad = { ...topology, nodes: [...topology.nodes, { ...topology.nodes[1]!, name: 'Node9' }] } as Topology;
    const cases: [unknown, string, string][] = [
      [await thrown(() => validateTopology(bad, 'x.json')), 'invalid topology "x.json": node name "Node9" must be 1-9 lowercase letters/digits, starting with a letter', '拓扑文件“x.json”无效：节点名 "Node9" 必须是 1 到 9 个小写字母或数字，以字母开头'],
      [await thrown(() => nodeByName(topology, 'node9')), `no node "node9" in the topology; nodes are: ${topology.nodes.map((n) => n.name).join(', ')}`, '拓扑里没有节点“node9”'],
      [await thrown(() => validatePodName('-web')), 'invalid pod name "-web": 1-40 lowercase letters, digits and "-", not starting or ending with "-"', '无效的 Pod 名 "-web"'],
      [await thrown(() => validateClusterName('Lab')), 'invalid cluster name "Lab": 1-12 lowercase letters and digits, starting with a letter', '无效的集群名 "Lab"'],
      [await thrown(() => parseBackend('kvm')), 'unknown backend "kvm": choose netns, sim, vagrant, ssh', '未知的后端“kvm”'],
      [await thrown(async () => (await chooseBackend(topology, 'i18nx', 'ssh')).backend.up({ mode: 'hostgw' as never })), 'the ssh backend needs an inventory of the machines: --inventory FILE (see "The nodes — ssh backend" in the README)', '--inventory FILE（'],
      [await thrown(async () => (await chooseBackend(topology, 'i18nx', 'vagrant')).backend.requireSupport()), 'the vagrant backend makes the Vagrantfile\'s one cluster, "lab": drop --cluster i18nx (for other machines, use --backend ssh with an inventory)', '去掉 --cluster i18nx'],
      [await thrown(() => parseInventory('nodes: { node1: { host: a } }', 'inv.yaml', topology)), `inv.yaml: no entry for ${topology.nodes.slice(1).map((n) => n.name).join(', ')}: the topology has ${topology.nodes.map((n) => n.name).join(', ')}, and every one needs a machine`, 'inv.yaml：没有 '],
      [await thrown(() => parseInventory(`nodes: { ${topology.nodes.map((n) => `${n.name}: { host: a, port: 0 }`).join(', ')} }`, 'inv.yaml', topology)), `inv.yaml: nodes.${topology.nodes[0]!.name}.port must be a port number (1-65535)`, `inv.yaml：nodes.${topology.nodes[0]!.name}.port 必须是端口号（1-65535）`],
      [new SshUnreachable('node1', ''), 'cannot reach node1 over ssh: no answer', '无法通过 ssh 连接 node1：没有应答'],
    ];
    for (const [err, english, chinese] of cases) {
      expect((err as Error).message).toBe(english);
      const { en, zh } = inBoth(err);
      expect(en).toBe(english);
      expect(zh).toContain(chinese);
    }
  });

  it('prints an error without a catalogue message as it is, in every language', () => {
    expect(inBoth(new Error('ip: RTNETLINK answers: File exists'))).toEqual({ en: 'ip: RTNETLINK answers: File exists', zh: 'ip: RTNETLINK answers: File exists' });
  });
});

// ---------------------------------------------------------------------------------------------
// commander's own errors: in Chinese under zh-CN, commander's English text as it is otherwise.

describe("commander's errors", () => {
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  /** What cnilab writes to stderr for a line commander refuses (its help-after-error line dropped). */
  async function refusal(argv: string[]): Promise<string> {
    const program = buildProgram(argv);
    let out = '';
    for (const c of all(program)) c.exitOverride().configureOutput({ writeErr: (s) => void (out += s) });
    await program.parseAsync(argv, { from: 'user' }).catch(() => {});
    return out.split('\n').filter((l) => !/cnilab --help/.test(l)).join('\n');
  }
  const LINES: [string[], string, string][] = [
    [['cluster', 'up', '--bogus'], "error: unknown option '--bogus'", "错误：没有这个选项 '--bogus'"],
    [['pod', 'add'], "error: missing required argument 'node'", "错误：缺少必需的参数 'node'"],
    [['clustr'], "error: unknown command 'clustr'\n(Did you mean cluster?)", "错误：没有这个命令 'clustr'\n（你是不是想输入 cluster？）"],
    [['cluster', 'mode', 'a', 'b', 'c'], "error: too many arguments for 'mode'. Expected 1 argument but got 3.", "错误：'mode' 的参数太多：应当是 1 个，实际给了 3 个。"],
    [['cluster', 'up', '--backend', 'kvm'], "error: option '--backend <backend>' argument 'kvm' is invalid. Allowed choices are netns, sim, vagrant, ssh.", "错误：选项 '--backend <backend>' 的取值 'kvm' 无效。可选的值：netns, sim, vagrant, ssh。"],
    [['cluster', 'up', '--backend'], "error: option '--backend <backend>' argument missing", "错误：选项 '--backend <backend>' 缺少取值"],
  ];

  it('says them in Chinese under --lang zh-CN, the names and flags as typed', async () => {
    for (const [argv, , zh] of LINES) expect(await refusal(['--lang', 'zh-CN', ...argv])).toBe(`${zh}\n`);
  });

  it("leaves commander's English text as it is", async () => {
    for (const [argv, english] of LINES) expect(await refusal(['--lang', 'en', ...argv])).toBe(`${english}\n`);
  });
});
