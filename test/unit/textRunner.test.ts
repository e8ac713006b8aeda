// The lab-text runner's pure part: reading console blocks, the normalisations, the comparison.
import { describe, expect, it } from 'vitest';
import { compareOutput, describeDrifts, failed, normalise, parseConsoleBlocks, runText, textSteps, SKIP, WALK_SKIP } from '../../src/labs/textRunner.ts';

const TEXT = [
  '# A lab',
  '```console',
  '$ cnilab shell node1',
  'Shell on node1: its own interfaces, routes and /etc/cni. Type exit to leave.',
  'node1:~# ip -br link',
  'eth1@if3         UP             aa:bb:cc:dd:ee:01 <BROADCAST,MULTICAST,UP,LOWER_UP>',
  'node1:~# ping -c1 10.0.0.1',
  '64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.047 ms',
  '```',
  '```sh',
  '$ not a console block',
  '```',
  '```console',
  '$ cnilab start 04',
  '```',
].join('\n');

describe('lab text runner', () => {
  it('reads console blocks: where each command is typed, its line, the output the text shows', () => {
    const blocks = parseConsoleBlocks(TEXT);
    expect(blocks.map((b) => b.line)).toEqual([2, 13]);
    expect(blocks[0]!.steps.map((s) => [s.line, s.place.kind, s.command])).toEqual([
      [3, 'workstation', 'cnilab shell node1'],
      [5, 'node', 'ip -br link'],
      [7, 'node', 'ping -c1 10.0.0.1'],
    ]);
    expect(blocks[0]!.steps[1]!.place).toEqual({ kind: 'node', node: 'node1', cwd: '~' });
    expect(textSteps(TEXT, { node: 'node1' })).toHaveLength(2);
  });

  it('normalises what varies and nothing else', () => {
    expect(normalise('eth1@if3         UP             aa:bb:cc:dd:ee:01 fe80::a8bb:ccff:fedd:ee01/64')).toBe('eth1@if<n> UP <mac> <fe80>');
    expect(normalise('64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.047 ms')).toBe('64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=<t>');
    // An interface's index, which counts whatever the namespace made before; only at a line's start.
    expect(normalise('22: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450')).toBe('<n>: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450');
    expect(normalise('3: eth0@if9: <BROADCAST,UP> mtu 1480')).toBe('<n>: eth0@if<n>: <BROADCAST,UP> mtu 1480');
    expect(normalise('2 packets: 5 received')).toBe('2 packets: 5 received');
    // An unanswered neighbour, still asked about or given up on, depending on when one looks.
    expect(normalise('10.244.3.0 FAILED')).toBe(normalise('10.244.3.0 INCOMPLETE'));
    expect(normalise('10.244.3.0 lladdr 0e:53:c0:a8:39:0d PERMANENT')).toBe('10.244.3.0 lladdr <mac> PERMANENT');
    // JSON.parse's words, which differ between the Node.js versions a node may run the plugin on.
    const node18 = '{"code":6,"msg":"could not decode network config on stdin: Unexpected token o in JSON at position 1"}';
    const node20 = '{"code":6,"msg":"could not decode network config on stdin: Unexpected token \'o\', \\"not json\\n\\" is not valid JSON"}';
    expect(normalise(node18)).toBe(normalise(node20));
    expect(normalise(node18)).toBe('{"code":6,"msg":"could not decode network config on stdin: <JSON error>"}');
    // An address is not something that varies: a wrong one is a drift.
    expect(normalise('10.244.1.2/24')).toBe('10.244.1.2/24');
  });

  it("types a `kill` of the text's own job, never one of a process of the machine", () => {
    const skipped = (command: string) => SKIP.some(([re]) => re.test(command));
    expect(skipped('kill $(cat /run/ctr-lab/containerd.pid)')).toBe(true);
    expect(skipped('kill 4242')).toBe(true);
    expect(skipped('kill %1')).toBe(false);
  });

  it('finds the text lines in the output in order; … stands for anything; ls columns match one name a line', () => {
    expect(compareOutput(['a', '…', 'c', '    …'], 'a\nb\nb2\nc\n')).toBeUndefined();
    expect(compareOutput(['… creating x'], 'step: creating x')).toBeUndefined();
    expect(compareOutput(['c', 'a'], 'a\nc')).toMatchObject({ expected: 'a' });
    expect(compareOutput(['c', 'a'], 'a\nc', { unordered: true })).toBeUndefined();
    expect(compareOutput(['bin  net.d'], 'bin\nnet.d')).toBeUndefined();
    expect(compareOutput(['internal error: x'], 'not written yet: x')).toEqual({ expected: 'internal error: x', actual: ['not written yet: x'] });
  });

  it('runs the steps in order through the executor it is given, skipping the student loop', async () => {
    const typed: string[] = [];
    const outcomes = await runText(TEXT, async (place, command) => {
      typed.push(`${place.kind === 'node' ? place.node : '$'} ${command}`);
      if (command === 'ip -br link') return { code: 0, output: 'lo UNKNOWN 00:00:00:00:00:00\neth1@if7 UP 02:00:00:00:00:09 <BROADCAST,MULTICAST,UP,LOWER_UP>\n' };
      if (command.startsWith('ping')) return { code: 0, output: '64 bytes from 10.0.0.2: icmp_seq=1 ttl=64 time=1 ms' };
      return { code: 0, output: 'Shell on node1: its own interfaces, routes and /etc/cni. Type exit to leave.' };
    });
    expect(typed).toEqual(['$ cnilab shell node1', 'node1 ip -br link', 'node1 ping -c1 10.0.0.1']);
    expect(outcomes.find((o) => o.step.command === 'cnilab start 04')?.skipped).toMatch(/student/);
    expect(outcomes.filter((o) => o.drift).map((o) => o.step.line)).toEqual([7]);
  });

  it('a lab-text directive above a block is typed first; from there the student\'s deploys are not', async () => {
    const text = [
      '```console',
      '$ cnilab start 04',
      'TODO(lab 04)',
      '$ cnilab deploy',
      '```',
      'Write the code.',
      '',
      '{/* lab-text: run cnilab solve 03 --yes */}',
      '',
      '```console',
      '$ cnilab deploy',
      '✓ deployed',
      '$ cnilab pod add node1 web',
      '✓ pod node1/web is up',
      '```',
    ].join('\n');
    expect(parseConsoleBlocks(text).map((b) => b.run)).toEqual([[], ['cnilab solve 03 --yes']]);
    const typed: string[] = [];
    const outcomes = await runText(text, async (_place, command) => {
      typed.push(command);
      return { code: command.startsWith('cnilab solve') ? 1 : 0, output: command === 'cnilab start 04' ? 'TODO(lab 04)' : 'x' };
    }, { skip: WALK_SKIP });
    expect(typed).toEqual(['cnilab start 04', 'cnilab deploy', 'cnilab solve 03 --yes', 'cnilab pod add node1 web']);
    expect(outcomes.find((o) => o.step.line === 11)?.skipped).toMatch(/the reference, .* stands in for the student's code/);
    // A failing directive and a drift are both reported, with the block they belong to.
    const report = describeDrifts('lab.mdx', outcomes);
    expect(report).toHaveLength(2);
    expect(report[0]).toMatch(/block at line 10.*\n.*directive failed \(exit 1\)/);
    expect(report[1]).toMatch(/lab.mdx:13 \(block at line 10\): cnilab pod add node1 web\n    first text line not found: ✓ pod node1\/web is up/);
  });
  it('a block marked `lab-text: skip` (a way back when something went wrong) is never typed, and says why', async () => {
    const text = [
      '```console',
      '$ cnilab pod add node1 web',
      '```',
      '',
      '{/* lab-text: skip a way back when something went wrong, not a step */}',
      '```console',
      '$ cnilab pod del node1 web',
      '```',
    ].join('\n');
    expect(parseConsoleBlocks(text).map((b) => b.skip)).toEqual([undefined, 'a way back when something went wrong, not a step']);
    const typed: string[] = [];
    const outcomes = await runText(text, async (_place, command) => {
      typed.push(command);
      return { code: 0, output: '' };
    });
    expect(typed).toEqual(['cnilab pod add node1 web']);
    expect(outcomes.map((o) => o.skipped)).toEqual([undefined, 'a way back when something went wrong, not a step']);
  });
  it('a block marked `lab-text: varies` (a race) is typed and must exit 0, but its output is not compared', async () => {
    const text = [
      '{/* lab-text: varies a race: the counts differ from run to run */}',
      '```console',
      'node1:~# race | uniq -c',
      '     12 10.244.1.2',
      '      8 10.244.1.3',
      '```',
    ].join('\n');
    expect(parseConsoleBlocks(text)[0]!.varies).toBe('a race: the counts differ from run to run');
    const ok = await runText(text, async () => ({ code: 0, output: '     20 10.244.1.2\n' }));
    expect(ok.map((o) => [o.varies, o.drift, failed(o)])).toEqual([['a race: the counts differ from run to run', undefined, false]]);
    const broken = await runText(text, async () => ({ code: 127, output: 'race: command not found\n' }));
    expect(broken.map(failed)).toEqual([true]);
    expect(describeDrifts('lab.mdx', broken)[0]).toMatch(/lab.mdx:3 .*\n    a step whose output varies failed \(exit 127\):\n.*command not found/);
  });
  it('a block marked `lab-text: where [no] FEATURE` is typed only where the nodes\' kernel matches, when the runner knows', async () => {
    const text = [
      '{/* lab-text: where ipip */}',
      '```console',
      '$ cnilab cluster mode ipip',
      '✓ mode host-gw → ipip on every node',
      '```',
      '{/* lab-text: where no ipip */}',
      '```console',
      '$ cnilab cluster mode ipip',
      '✗ could not switch to mode ipip',
      '```',
    ].join('\n');
    expect(parseConsoleBlocks(text).map((b) => b.where)).toEqual([{ feature: 'ipip', has: true }, { feature: 'ipip', has: false }]);
    const exec = async () => ({ code: 0, output: '✓ mode host-gw → ipip on every node\n' });
    const withIt = await runText(text, exec, { features: { ipip: true } });
    expect(withIt.map((o) => [o.skipped, o.drift === undefined])).toEqual([
      [undefined, true],
      ["shows a kernel without ipip, and this cluster's nodes have it", true],
    ]);
    const without = await runText(text, exec, { features: { ipip: false } });
    expect(without.map((o) => o.skipped)).toEqual(["shows a kernel with ipip, and this cluster's nodes lack it", undefined]);
    // A runner that does not know: both typed, and the second one drifts here.
    expect((await runText(text, exec)).map(failed)).toEqual([false, true]);
  });
});
