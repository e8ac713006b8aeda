// Choosing the cluster: --cluster anywhere on the line, and a name is one cluster on the machine
// whatever its backend (a sim "lab" and a VM "lab" must never both answer to "lab").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execCommand, mustExec } from '../../src/shared/exec.ts';
import { uniqueName } from '../helpers/names.ts';

const CLI = path.resolve('bin/cnilab');
const nsList = async () => (await mustExec(['ip', 'netns', 'list'])).split('\n').map((l) => l.split(' ')[0]!).filter(Boolean);

describe('cnilab: which cluster', () => {
  const name = uniqueName();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-names-'));
  // The sim and ssh clusters' state of this test only: nothing else on the machine is looked at or touched.
  const env = { NO_COLOR: '1', SIMPLECNI_SIM_ROOT: path.join(tmp, 'sim'), SIMPLECNI_STATE_HOME: path.join(tmp, 'state'), SIMPLECNI_CLUSTER: '' };
  const cli = (...args: string[]) => execCommand([CLI, ...args], { env });

  beforeAll(async () => {
    const up = await cli('cluster', 'up', '--backend', 'sim', '--cluster', name);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli('cluster', 'down', '--cluster', name, '--backend', 'sim');
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('--cluster, --json and --yes are accepted after the command as well as before it', async () => {
    const after = await cli('labs', '--cluster', name, '--json');
    expect(after.code, after.stderr).toBe(0);
    expect(Array.isArray(JSON.parse(after.stdout))).toBe(true);
    const before = await cli('--json', '--cluster', name, 'cluster', 'status');
    expect(before.code, before.stderr).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ cluster: name, backend: 'sim' });
    const nested = await cli('cluster', 'status', '--json', '--cluster', name);
    expect(JSON.parse(nested.stdout)).toMatchObject({ cluster: name });
    // exec: between the target and `--` the line's own options still count; after `--` it is the node's command.
    const exec = await cli('exec', 'node1', '--cluster', name, '--', 'ip', '-br', 'link', 'show', 'eth1');
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toMatch(/^eth1@/);
    // A flag the command does not have is an error wherever it stands.
    const wrong = await cli('--json', 'shell', 'node1', '--cluster', name);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/cnilab shell has no option --json/);
  });

  it('cluster up refuses a name another backend holds, naming it and the command that removes it', async () => {
    const up = await cli('cluster', 'up', '--backend', 'netns', '--cluster', name);
    expect(up.code).not.toBe(0);
    expect(up.stderr).toContain(`the name "${name}" is already a sim cluster on this machine`);
    expect(up.stderr).toContain(`cnilab cluster down --cluster ${name} --backend sim`);
    expect((await nsList()).filter((n) => n.startsWith(`${name}-`))).toEqual([]);
  });

  it('a name left on two backends is never silently resolved to one of them', async () => {
    // As an older kit left it: an ssh cluster's state under the same name.
    const sshState = path.join(env.SIMPLECNI_STATE_HOME, 'ssh', name);
    fs.mkdirSync(sshState, { recursive: true });
    const sim = JSON.parse(fs.readFileSync(path.join(env.SIMPLECNI_SIM_ROOT, name, 'cluster.json'), 'utf8'));
    fs.writeFileSync(path.join(sshState, 'cluster.json'), JSON.stringify({ ...sim, backend: 'ssh', ssh: { nodes: {} } }));
    try {
      for (const args of [['check', '00'], ['pod', 'list'], ['trace', 'node1', 'node2']]) {
        const r = await cli(...args, '--cluster', name);
        expect(r.code, args.join(' ')).not.toBe(0);
        expect(r.stderr).toContain(`the name "${name}" is held by 2 clusters on this machine (sim and ssh)`);
        expect(r.stderr).toContain(`cnilab cluster down --cluster ${name} --backend ssh`);
      }
      // cluster status too: it would otherwise describe one of two clusters as "the" cluster.
      const status = await cli('cluster', 'status', '--cluster', name);
      expect(status.code).not.toBe(0);
    } finally {
      fs.rmSync(sshState, { recursive: true, force: true });
    }
    const list = await cli('pod', 'list', '--cluster', name, '--json');
    expect(list.code, list.stderr).toBe(0);
  });

  it('as root, serve facing a simulated cluster says so and how to switch to namespaces (npm start -- --cluster NAME)', async () => {
    // What `npm start -- --cluster NAME` runs.
    const child = spawn(process.execPath, ['dist/cnilab.mjs', 'serve', '--cluster', name, '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b));
    child.stderr.on('data', (b: Buffer) => (out += b));
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      // Started (site built) or stopped (site not built): either way, after the warning.
      const timer = setInterval(() => {
        if (/token=|not built/.test(out)) {
          clearInterval(timer);
          if (child.exitCode === null) child.kill('SIGTERM');
        }
      }, 100);
      child.once('exit', () => clearInterval(timer));
    });
    expect(out).toContain(`the cluster "${name}" already exists on the SIMULATED kernel`);
    expect(out).toContain(`cnilab cluster down --cluster ${name} --backend sim`);
    expect(out).not.toMatch(/unknown option/);
  });
});
