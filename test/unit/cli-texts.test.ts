// The CLI's messages to a person in the chosen language, and its tables lined up in terminal cells
// when a heading is Chinese (two cells per character).
import { afterEach, describe, expect, it } from 'vitest';
import { cliT, setCliLang } from '../../src/cli/lang.ts';
import { table } from '../../src/cli/output.ts';

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
