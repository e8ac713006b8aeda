// The tab's `cnilab policy` says why it cannot read a policy file in the page's language: a file that
// is not there, a file that is not YAML, a file without a NetworkPolicy, a NetworkPolicy outside the
// subset; and `cnilab pod add` a label that is not key=value.
import { describe, expect, it } from 'vitest';
import { cnilabProgram } from '../../site/src/engine/page/cnilab.ts';
import type { Engine } from '../../site/src/engine/types.ts';
import type { LabEnv } from '../../src/cluster/backend.ts';
import { loadTopology } from '../../src/cluster/topology.ts';
import type { Lang } from '../../src/i18n/index.ts';
import { Pods } from '../../src/runtime/pods.ts';
import { MachineDriver } from '../../src/sim/machine/driver.ts';
import { SimMachine } from '../../src/sim/machine/machine.ts';
import { ShellSession } from '../../src/sim/machine/session.ts';

async function tab(lang: Lang) {
  const machine = await SimMachine.create(loadTopology(), { timeScale: 0 });
  const driver = new MachineDriver(machine);
  const env = { topology: machine.topology, driver } as unknown as LabEnv;
  machine.registerCommand('cnilab', cnilabProgram({ engine: {} as Engine, catalog: [], currentLab: () => undefined, supported: () => undefined, pods: new Pods(driver), machine, env, lang: () => lang }));
  const shell = new ShellSession(machine, 'node1');
  return async (line: string) => {
    let err = '';
    const code = await shell.run(line, { onStdout: () => {}, onStderr: (s) => (err += s) });
    return { code, err };
  };
}

const LINES = [
  ['cnilab policy apply /tmp/none.yaml', "cannot read /tmp/none.yaml: no such file (on node1, or among the kit's lab files)", '无法读取 /tmp/none.yaml：没有这个文件'],
  ["printf 'a: [\\n' > /tmp/bad.yaml; cnilab policy apply /tmp/bad.yaml", '/tmp/bad.yaml: document 1 is not valid YAML: ', '/tmp/bad.yaml：第 1 个文档不是合法的 YAML：'],
  ["printf '# nothing\\n' > /tmp/empty.yaml; cnilab policy apply /tmp/empty.yaml", '/tmp/empty.yaml holds no NetworkPolicy', '/tmp/empty.yaml 里没有 NetworkPolicy'],
  [
    "printf 'apiVersion: networking.k8s.io/v1\\nkind: NetworkPolicy\\nmetadata: {name: p}\\nspec: {podSelector: {}, egress: []}\\n' > /tmp/egress.yaml; cnilab policy apply /tmp/egress.yaml",
    '/tmp/egress.yaml: NetworkPolicy "p": spec.egress is not supported: SimpleCNI enforces spec.podSelector.matchLabels',
    '/tmp/egress.yaml：NetworkPolicy "p"：不支持 spec.egress：SimpleCNI 只实现 spec.podSelector.matchLabels',
  ],
  ["printf 'apiVersion: v1\\n' > /tmp/v1.yaml; cnilab policy apply /tmp/v1.yaml", '/tmp/v1.yaml: document 1: apiVersion must be networking.k8s.io/v1, got "v1"', '/tmp/v1.yaml：第 1 个文档：apiVersion 必须是 networking.k8s.io/v1，实际是 "v1"'],
  ['cnilab pod add node1 web --label app', 'label "app" is not key=value (for example app=web)', '标签“app”不是 key=value 的形式（例如 app=web）'],
] as const;

describe("the tab's cnilab policy and pod errors", () => {
  it('are English in English', async () => {
    const run = await tab('en');
    for (const [line, english] of LINES) {
      const r = await run(line);
      expect(r.code, line).not.toBe(0);
      expect(r.err, line).toContain(english);
    }
  });

  it('are Chinese in Chinese, the file names as typed', async () => {
    const run = await tab('zh-CN');
    for (const [line, , chinese] of LINES) {
      const r = await run(line);
      expect(r.code, line).not.toBe(0);
      expect(r.err, line).toContain(chinese);
    }
  });
});
