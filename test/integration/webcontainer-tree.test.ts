// The WebContainer engine's tree and commands, run offline: the exact tree the engine mounts
// (containerTree) written to a temp dir, the exact commands it spawns (containerCommands) run
// with plain Node.js as an unprivileged user, with native code unreachable (node-pty, native
// esbuild and any .node addon throw and are logged by a preloaded guard) and with the node shims
// in their Node.js form (no /bin/sh, as in a WebContainer). The check results match the page
// engine's for the same state. What this cannot show: a real WebContainer booting (that needs
// stackblitz.com).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterBackend, ClusterState, LabEnv } from '../../src/cluster/backend.ts';
import type { Bundles } from '../../src/cluster/nodeFiles.ts';
import { loadTopology } from '../../src/cluster/topology.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { solveLab, checkContext } from '../../src/labs/solve.ts';
import { deriveStarter } from '../../src/labs/starterCore.ts';
import { referenceSources } from '../../src/labs/starters.ts';
import { repoRoot } from '../../src/shared/paths.ts';
import type { Mode } from '../../src/shared/cniSpec.ts';
import { MachineDriver } from '../../src/sim/machine/driver.ts';
import { installBundles } from '../../src/sim/machine/hosted.ts';
import { SimMachine } from '../../src/sim/machine/machine.ts';
import { runLabChecks } from '../../src/validators/registry.ts';
import { containerCommands, containerEnv, nodePath } from '../../src/webcontainer/commands.ts';
import { containerTree, ESBUILD_WASM_FILES, esbuildWasmTree, treeFiles, treeSize } from '../../src/webcontainer/tree.ts';
import { kitFilesFromDisk, writeTree } from '../../src/webcontainer/treeFromDisk.ts';
import { jsonIn } from '../../site/src/engine/webcontainer/process.ts';

const NOBODY = 65534;
const root = repoRoot();
const guardSrc = path.join(root, 'test', 'helpers', 'nativeGuard');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('the WebContainer tree, run by plain Node.js as nobody with no native code', () => {
  let tmp: string;
  let kit: string;
  let log: string;
  let baseEnv: Record<string, string>;

  /** argv as nobody, with only `env` (no inherited variables), in the tree. */
  const run = (argv: readonly string[], env: Record<string, string> = baseEnv): Run => {
    const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv], {
      cwd: kit,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (r: Run) => expect(r.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-wctree-'));
    fs.chmodSync(tmp, 0o755);
    kit = path.join(tmp, 'kit');
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    fs.cpSync(guardSrc, path.join(tmp, 'guard'), { recursive: true });
    log = path.join(tmp, 'native.log');
    fs.writeFileSync(log, '');
    // The workspace the editor would hold: lab 04's starter with its TODOs filled (= lab 05's starter).
    const tree = containerTree({ kit: kitFilesFromDisk(), workspace: deriveStarter(referenceSources(), '05').files });
    writeTree(tree, kit);
    // What the engine mounts on the first deploy.
    const wasmDir = path.join(root, 'node_modules', 'esbuild-wasm');
    writeTree(esbuildWasmTree(Object.fromEntries(ESBUILD_WASM_FILES.map((f) => [f, fs.readFileSync(path.join(wasmDir, f))])) as never), kit);
    execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, tmp]);
    baseEnv = {
      PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: home,
      NODE_OPTIONS: `--import ${path.join(tmp, 'guard', 'register.mjs')}`,
      SIMPLECNI_NATIVE_GUARD_LOG: log,
      // No POSIX shell to run scripts, as in a WebContainer: the shims take their Node.js form.
      SIMPLECNI_SCRIPT_SHELL: path.join(tmp, 'no-such-shell'),
      ...containerEnv(kit),
    };
  });

  afterAll(() => {
    // The cluster is files under the tree (SIMPLECNI_SIM_ROOT): removing the dir removes it.
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('the tree holds the kit and no native package, within 3 MB', () => {
    const tree = containerTree({ kit: kitFilesFromDisk() });
    const files = [...treeFiles(tree)].map(([p]) => p);
    expect(files).toEqual(expect.arrayContaining(['dist/cnilab.mjs', 'dist/simkernel.cjs', 'dist/simhost.cjs', 'dist/simplecni.cjs', 'dist/simplecni-node.cjs', 'labs/labs.yaml', 'src/plugin/bin.ts', 'bin/cnilab', 'package.json']));
    expect(files.filter((f) => /node_modules\/(esbuild|@esbuild|@lydell|node-pty|typescript)/.test(f))).toEqual([]);
    expect(treeSize(tree).bytes).toBeLessThan(3 * 1024 * 1024);
  });

  it('the page builds the same tree from its bundled files as the disk gives', async () => {
    // The site's module (import.meta.glob: Vite's, which vitest runs), loaded by a path the type
    // check of test/ does not follow (it is type-checked with the site).
    const site = `../../site/src/engine/webcontainer/${'files.ts'}`;
    const { pageContainerTree } = (await import(/* @vite-ignore */ site)) as { pageContainerTree(w: Record<string, string>): Promise<Parameters<typeof treeFiles>[0]> };
    const page = [...treeFiles(await pageContainerTree({ 'src/plugin/x.ts': 'x' }))];
    const disk = [...treeFiles(containerTree({ kit: kitFilesFromDisk(), workspace: { 'src/plugin/x.ts': 'x' } }))];
    expect(page.map(([p]) => p)).toEqual(disk.map(([p]) => p));
    expect(page).toEqual(disk);
  });

  it('the guard does block native code (the control: native esbuild from the checkout)', () => {
    const probe = path.join(tmp, 'probe.log');
    const r = spawnSync(process.execPath, ['--import', path.join(guardSrc, 'register.mjs'), '-e', "import('esbuild').then(() => process.exit(0), (e) => { console.log(e.code); process.exit(3); })"], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SIMPLECNI_NATIVE_GUARD_LOG: probe },
    });
    expect(r.stdout.trim()).toBe('ERR_NATIVE_BLOCKED');
    expect(fs.readFileSync(probe, 'utf8')).toMatch(/import\(esbuild\) → file:.*node_modules\/esbuild\//);
  });

  it('cluster up, a node shell, solve 04, check 04, deploy of the filled starter: all without native code; checks equal the page engine\'s', async () => {
    ok(run(containerCommands.clusterUp()));

    // A node tab: the node shell's environment, then its commands.
    const envRun = run(containerCommands.shellEnv('node1'));
    ok(envRun);
    const shellEnv = JSON.parse(envRun.stdout) as Record<string, string>;
    expect(shellEnv).toMatchObject({ SIMPLECNI_NODE: 'node1', SIMPLECNI_SIM_NODE: 'node1', SIMPLECNI_SIM_NETNS: 'node1' });
    expect(Object.keys(shellEnv)).toEqual(expect.arrayContaining(['SIMPLECNI_SIM_STATE', 'SIMPLECNI_CLUSTER_FILE', 'CNI_PATH', 'PATH']));
    const nodeEnv = { ...baseEnv, ...shellEnv, PATH: nodePath(shellEnv, kit) };
    const shell = run(['sh', '-c', 'head -1 "$(command -v ip)"; ip -br addr; ping -c 2 192.168.56.12; cnilab --help >/dev/null && echo cnilab is on PATH'], nodeEnv);
    ok(shell);
    expect(shell.stdout.split('\n')[0]).toBe(`#!${process.execPath}`); // the Node.js shim form
    expect(shell.stdout).toMatch(/cnilab is on PATH/);
    expect(shell.stdout).toMatch(/^eth1(?:@\S+)?\s+UP\s+192\.168\.56\.11\/24/m);
    expect(shell.stdout).toMatch(/2 packets transmitted, 2 received, 0% packet loss/);

    const solve = run(containerCommands.solve('04'));
    ok(solve);
    const lines = (r: Run) => r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; result?: { id: string; passed: boolean }; passed?: boolean; checks?: { id: string; passed: boolean }[] });
    const checked = run(containerCommands.check('04'));
    ok(checked);
    const events = lines(checked);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: 'done', lab: '04', passed: true });
    expect(events.slice(0, -1).map((e) => e.type)).toEqual(done.checks!.map(() => 'check'));

    // The page engine, same state: a fresh machine solved to lab 04 with the same bundles.
    const topology = loadTopology();
    const machine = await SimMachine.create(topology, { timeScale: 0 });
    const bundles = Object.fromEntries(['simplecni', 'simplecni-ipam', 'simplecni-node'].map((n) => [n, fs.readFileSync(path.join(root, 'dist', `${n}.cjs`), 'utf8')])) as unknown as Bundles;
    installBundles(machine, bundles);
    const backend: Pick<ClusterBackend, 'readState' | 'writeState' | 'installNodeFiles' | 'installBundles'> = {
      readState: () => ({ name: 'page', backend: 'sim', mode: machine.mode, createdAt: '', complete: true }) as ClusterState,
      writeState: (s) => machine.setMode(s.mode as Mode),
      installNodeFiles: async (_n, mode) => machine.setMode(mode),
      installBundles: async (b) => installBundles(machine, b),
    };
    const env: LabEnv = { topology, driver: new MachineDriver(machine), backend: backend as ClusterBackend };
    const lab = findLab(loadCatalog(), '04');
    await solveLab(env, lab, bundles);
    const page = await runLabChecks(lab, checkContext(env));
    const verdicts = (checks: { id: string; passed: boolean }[]) => checks.map((c) => [c.id, c.passed]).sort();
    expect(verdicts(done.checks!)).toEqual(verdicts(page.checks));

    // The editor's files (the filled starter) built in the container by esbuild-wasm and deployed.
    const deploy = run(containerCommands.deploy());
    ok(deploy);
    expect(deploy.stdout + deploy.stderr).toMatch(/type check skipped/);
    const installed = fs.readFileSync(path.join(shellEnv.CNI_PATH!, 'simplecni.cjs'), 'utf8');
    expect(installed).toContain('sourceMappingURL=data:'); // the workspace's build, not dist/'s minified one
    const again = lines(run(containerCommands.check('04'))).at(-1)!;
    expect(verdicts(again.checks!)).toEqual(verdicts(page.checks));

    // The rest of what the engine runs, read with the engine's own parser.
    const labs = jsonIn<{ id: string; passed: boolean }[]>(run(containerCommands.labs()).stdout);
    expect(labs.find((l) => l.id === '04')?.passed).toBe(true);
    const hint = jsonIn<{ lab: string; hints: string[]; remaining: number }>(run(containerCommands.hint('04')).stdout);
    expect(hint.hints.length).toBe(1);
    expect(jsonIn<{ lab: string; done: string[] }>(run(containerCommands.solve('01')).stdout)).toMatchObject({ lab: '01' });
    const reset = run(containerCommands.reset('04'));
    ok(reset);
    expect(reset.stdout + reset.stderr).toMatch(/pods? deleted|ip_forward/);
    expect(lines(run(containerCommands.check('04'))).at(-1)).toMatchObject({ type: 'done', passed: false });

    expect(fs.readFileSync(log, 'utf8')).toBe(''); // nothing reached native code
  }, 300_000);
});
