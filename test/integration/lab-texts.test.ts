// The lab texts, tested like code: each lab's `console` blocks typed in lab order on a fresh cluster
// (netns, then the simulated kernel), each output compared with what the text shows under the
// normalisations of src/labs/textRunner.ts. A text that drifts from the kit fails here.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findLab, labsDir, loadCatalog } from '../../src/labs/catalog.ts';
import { describeDrifts, runText, SKIP, STUDENT_LOOP, type Place } from '../../src/labs/textRunner.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { uniqueName } from '../helpers/names.ts';

/** The labs whose every command runs without the student writing code first, in lab order. */
const LABS = ['00', '01'];
const catalog = loadCatalog();
/** Not yet the same on the sim: its node has no file system of its own (the node shell's banner names where its /etc/cni is). */
const SIM_SKIP: [RegExp, string][] = [[/\/etc\/cni/, "a simulated node's /etc/cni is a directory of the cluster's state"]];

for (const backend of ['netns', 'sim'] as const) {
  describe(`lab texts as printed, on a fresh ${backend} cluster`, () => {
    const cluster = uniqueName();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-texts-'));
    // `cnilab` on PATH as the student has it, the cluster chosen by the environment.
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(path.resolve('bin/cnilab'), path.join(bin, 'cnilab'));
    const env = {
      PATH: `${bin}:${process.env.PATH}`,
      NO_COLOR: '1',
      SIMPLECNI_CLUSTER: cluster,
      SIMPLECNI_BACKEND: backend,
      SIMPLECNI_SIM_ROOT: path.join(tmp, 'sim'),
      SIMPLECNI_WORKSPACE: path.join(tmp, 'workspace'),
    };
    const exec = async (place: Place, command: string) => {
      // A node's shell is `cnilab shell`'s: the node's home, the node's network, its /etc/cni.
      const script = `{\n${command}\n} 2>&1`;
      const argv = place.kind === 'workstation' ? ['bash', '-c', script] : ['cnilab', 'exec', place.node, '--', 'bash', '-c', `cd ~ && ${script}`];
      const r = await execCommand(argv, { env, input: '' });
      return { code: r.code, output: r.stdout + r.stderr };
    };
    afterAll(async () => {
      await execCommand(['bin/cnilab', 'cluster', 'down'], { env });
      fs.rmSync(tmp, { recursive: true, force: true });
    });

    for (const id of LABS) {
      it(`lab ${id}: every command shows what the text shows`, async () => {
        const lab = findLab(catalog, id);
        const file = path.join('labs', lab.dir, 'lab.mdx');
        const outcomes = await runText(fs.readFileSync(path.join(labsDir(), lab.dir, 'lab.mdx'), 'utf8'), exec, { skip: [...SKIP, ...(backend === 'sim' ? SIM_SKIP : [])], aliases: { [`${cluster}-`]: '', [cluster]: 'lab' } });
        expect(outcomes.filter((o) => !o.skipped).length).toBeGreaterThan(5);
        expect(describeDrifts(file, outcomes)).toEqual([]);
      }, 600_000);
    }

    it("lab 04's opening, before any code is written: start's TODO lines, then the starter's error", async () => {
      const lab = findLab(catalog, '04');
      const text = fs.readFileSync(path.join(labsDir(), lab.dir, 'lab.mdx'), 'utf8');
      // start and deploy run here: the starter is what the text shows failing.
      const outcomes = await runText(text, exec, { blocks: 1, skip: SKIP.filter(([re]) => re !== STUDENT_LOOP), aliases: { [`${cluster}-`]: '', [cluster]: 'lab' } });
      expect(outcomes.map((o) => o.step.command)).toEqual(['cnilab start 04', 'cnilab deploy', 'cnilab pod add node1 web']);
      expect(describeDrifts(path.join('labs', lab.dir, 'lab.mdx'), outcomes)).toEqual([]);
      await exec({ kind: 'workstation' }, 'cnilab pod del node1 web');
    }, 300_000);

    it("a node's shell starts in the node's home (the texts' node1:~#); tools the sim does not model say so", async () => {
      const shell = await execCommand(['cnilab', 'shell', 'node1'], { env, input: 'pwd\nexit\n' });
      expect(shell.stdout.split('\n')).toContain(os.homedir());
      const ifconfig = await exec({ kind: 'node', node: 'node1', cwd: '~' }, 'ifconfig');
      if (backend === 'sim') {
        expect(ifconfig.code).toBe(127);
        expect(ifconfig.output).toMatch(/ifconfig: not modelled by the simulated kernel .*use ip addr/);
      }
      // Whatever answers, it is never the machine's own network.
      expect(ifconfig.output).not.toMatch(/\b(?:docker0|wlan0|enp\d)/);
    });
  });
}
