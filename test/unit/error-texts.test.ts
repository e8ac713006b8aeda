// Rarer errors a person reads (containerd for lab 09, the Vagrant cluster, the build tools of
// `cnilab deploy`): catalogue messages whose English is the message as it always was, and whose
// Chinese keeps the names, commands and tool output as they are.
import { describe, expect, it } from 'vitest';
import { t, msg, type Msg } from '../../src/i18n/index.ts';
import { errorText, english, TextError } from '../../src/i18n/text.ts';
import { ContainersUnavailableError } from '../../src/cluster/containerd/errors.ts';
import { NoTypeScriptError } from '../../src/labs/typecheck.ts';
import { PolicySyncError } from '../../src/cluster/policySync.ts';
import { NodeFileError } from '../../src/cluster/fileAccess.ts';
import { LabActionError } from '../../src/labs/byHand.ts';
import { toNetworkList } from '../../src/runtime/cniRuntime.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import type { CheckContext } from '../../src/validators/types.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';

const CJK = /[\u4e00-\u9fff]/;

/** The message, its English as it was before it came from the catalogue, and a piece of its Chinese. */
const CASES: [Msg, string, string][] = [
  [msg('err.containerd.failed', { what: 'ctr run --cni on node1', error: 'exit 1' }), 'ctr run --cni on node1 failed: exit 1', 'ctr run --cni on node1 失败：exit 1'],
  [msg('err.containerd.noAddress', { name: 'web1', node: 'node2', output: '' }), 'container web1 on node2 has no IPv4 address on eth0: ', 'node2 上的容器 web1 在 eth0 上没有 IPv4 地址'],
  [msg('err.containerd.noStart'), 'could not start containerd (nsenter)', '无法启动 containerd（nsenter）'],
  [msg('err.term.noShell', { label: 'node1', error: 'posix_spawnp failed' }), 'could not open a shell on node1: posix_spawnp failed', '无法在 node1 上打开 shell：posix_spawnp failed'],
  [msg('err.containerd.noAnswer', { node: 'node2', error: 'connection refused' }), 'containerd does not answer on node2 (connection refused): start it there with `systemctl start containerd`, then try again', 'node2 上的 containerd 没有应答（connection refused）'],
  [msg('err.containerd.notStarted', { node: 'node1', log: 'level=fatal' }), 'containerd for node1 did not start; the end of its log:\nlevel=fatal', 'node1 的 containerd 没有启动起来；它日志的最后几行：\nlevel=fatal'],
  [msg('err.vagrant.missingHosts', { nodes: 'node3' }), "vagrant ssh-config has no node3: is the Vagrantfile this repo's?", 'vagrant ssh-config 里没有 node3：这是本仓库的 Vagrantfile 吗？'],
  [msg('err.vagrant.rootKey', { node: 'node1', error: 'denied' }), "node1: could not set up root's ssh key: denied", 'node1：无法为 root 配置 ssh 密钥：denied'],
  [msg('err.esbuild.load', { native: 'no binary', wasm: 'not installed' }), 'cannot load esbuild to build your code: native esbuild: no binary; esbuild-wasm: not installed', '无法加载 esbuild 来构建你的代码'],
  [msg('err.probe.listener', { pod: 'node1/db', ports: '6379, 80', error: 'the listener did not start' }), 'node1/db: could not start a TCP listener on 6379, 80: the listener did not start', 'node1/db：无法在 6379, 80 上启动 TCP 监听程序：the listener did not start'],
  [msg('err.typescript.missing', { error: "Cannot find package 'typescript'" }), "the TypeScript compiler is not installed here (Cannot find package 'typescript')", "这里没有安装 TypeScript 编译器（Cannot find package 'typescript'）"],
];

describe('rarer errors', () => {
  it('keep their English and say it in Chinese', () => {
    for (const [m, en, zh] of CASES) {
      expect(english(m)).toBe(en);
      expect(t('zh-CN', m)).toContain(zh);
      expect(t('zh-CN', m)).toMatch(CJK);
    }
  });

  it('the errors that carry them give the English as their message and the text to whoever prints it', () => {
    for (const err of [new ContainersUnavailableError(CASES[0]![0]), new NoTypeScriptError(CASES[8]![0])]) {
      expect(err).toBeInstanceOf(TextError);
      expect(t('zh-CN', errorText(err))).toMatch(CJK);
      expect(err.message).toBe(english(errorText(err)));
    }
  });

  it('a network config the runtime cannot use: the node, the file and the missing key, with an example, in both languages', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: 'n', plugins: [{ type: 'x' }] }, 'node1: /etc/cni/net.d/10-simplecni.conflist: no "cniVersion": the config says which CNI version it is written for, e.g. "cniVersion": "1.0.0"', 'node1：/etc/cni/net.d/10-simplecni.conflist：缺少 "cniVersion"：配置要写明它按哪个 CNI 版本编写'],
      [{ cniVersion: '1.0.0', plugins: [{ type: 'x' }] }, 'node1: /etc/cni/net.d/10-simplecni.conflist: no "name": a network config names its network', '缺少 "name"：网络配置要给它的网络起个名字'],
      [{ cniVersion: '1.0.0', name: 'n', plugins: [] }, 'node1: /etc/cni/net.d/10-simplecni.conflist: "plugins" is empty: a .conflist lists at least one plugin', '"plugins" 是空的：.conflist 至少要列出一个插件'],
      [{ cniVersion: '1.0.0', name: 'n', plugins: [{}] }, 'node1: /etc/cni/net.d/10-simplecni.conflist: every plugin needs a "type": the name of its program in the CNI bin directory', '每个插件都需要 "type"：它在 CNI bin 目录里的程序名'],
    ];
    for (const [raw, en, zh] of cases) {
      let err: unknown;
      try {
        toNetworkList(raw, '/etc/cni/net.d/10-simplecni.conflist', 'node1');
      } catch (e) {
        err = e;
      }
      expect((err as Error).message).toContain(en);
      expect(t('zh-CN', errorText(err))).toContain(zh);
    }
  });

  it('a check that could not run says why in the reader\'s language, its English found line as before', async () => {
    const notUp = msg('err.backend.notUp', { cluster: 'lab', backend: 'sim', command: 'cnilab cluster up --backend sim' });
    // Whatever the check asks of its context, the cluster is not there.
    const ctx = new Proxy({}, { get: () => { throw new TextError(notUp); } }) as CheckContext;
    const r = await runLabChecks(findLab(loadCatalog(), '04'), ctx);
    expect(r.checks.length).toBeGreaterThan(0);
    for (const c of r.checks) {
      expect(c.found).toBe(`the check could not run: ${english(notUp)}`);
      expect(t('zh-CN', c.msg!.found!)).toBe(`检查无法运行：${t('zh-CN', notUp)}`);
      expect(t('zh-CN', c.msg!.found!)).not.toContain('is not up');
    }
  });

  it('an error wrapped on its way up keeps its text: a node file that could not be written, in a policy sync, in a solve', () => {
    const cause = new NodeFileError(msg('err.nodeFile.write', { node: 'node1', file: '/etc/cni/simplecni-policy.json', error: 'EACCES' }));
    const sync = new PolicySyncError(errorText(cause));
    const solve = new LabActionError(msg('step.err.policy', { error: errorText(sync) }));
    expect(solve.message).toBe('its policy could not be applied: node1: could not write /etc/cni/simplecni-policy.json: EACCES');
    expect(t('zh-CN', solve.text)).toContain('node1');
    expect(t('zh-CN', solve.text)).not.toContain('could not write');
  });
});
