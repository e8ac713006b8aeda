// `cnilab deploy` type-checks the student's workspace before anything reaches a node, and a student's
// plugin that throws on a node names the student's TypeScript, never a minified bundle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleShim } from '../../src/cluster/nodeFiles.ts';
import { SimLayout } from '../../src/cluster/sim/layout.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { typecheckWorkspace } from '../../src/labs/typecheck.ts';
import { buildWorkspace, scaffold } from '../../src/labs/workspace.ts';
import { execCommand } from '../../src/shared/exec.ts';
import { uniqueName } from '../helpers/names.ts';

const CLI = path.resolve('bin/cnilab');
const lab04 = findLab(loadCatalog(), '04');

/** Appends lines to a workspace file; returns the 1-based number of the first one. */
function append(file: string, lines: string[]): number {
  const before = fs.readFileSync(file, 'utf8').replace(/\n$/, '').split('\n');
  fs.writeFileSync(file, [...before, ...lines, ''].join('\n'));
  return before.length + 1;
}

describe('deploy: type errors refused, runtime errors in TypeScript', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sct-deploy-'));
  const ws = path.join(tmp, 'workspace');
  const cluster = uniqueName();
  const simRoot = path.join(tmp, 'sim');
  const env = { NO_COLOR: '1', SIMPLECNI_SIM_ROOT: simRoot };
  const cli = (...args: string[]) => execCommand([CLI, ...args], { env });
  beforeAll(async () => {
    scaffold(lab04, ws);
    const up = await cli('cluster', 'up', '--backend', 'sim', '--cluster', cluster);
    expect(up.code, up.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli('cluster', 'down', '--cluster', cluster);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("a starter type-checks; a type error is refused with file:line:col and the nodes keep their plugin", async () => {
    expect(await typecheckWorkspace(ws)).toEqual([]);
    const deployed = path.join(new SimLayout(cluster, simRoot).nodePaths('node1').binDir, 'simplecni.cjs');
    const before = fs.readFileSync(deployed, 'utf8');

    const file = path.join(ws, 'src', 'plugin', 'config.ts');
    const line = append(file, ["export const mtuDefault: number = '1500';"]);
    const r = await cli('deploy', '--dir', ws, '--cluster', cluster);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${file}:${line}:14 Type 'string' is not assignable to type 'number'.`);
    expect(r.stderr).toMatch(/nothing was deployed/);
    expect(fs.readFileSync(deployed, 'utf8')).toBe(before);
  });

  it('a runtime error of the student plugin names the workspace .ts file and line', async () => {
    const file = path.join(ws, 'src', 'plugin', 'config.ts');
    const src = fs.readFileSync(file, 'utf8').split('\n').filter((l) => !l.includes('mtuDefault'));
    const at = src.findIndex((l) => l.startsWith('export function loadNetConf('));
    expect(at).toBeGreaterThan(0);
    src.splice(at + 1, 0, "  if (stdin.includes('boom')) throw new TypeError('boom from the workspace');");
    fs.writeFileSync(file, src.join('\n'));
    const bundles = await buildWorkspace(ws);
    const code = fs.readFileSync(bundles.simplecni, 'utf8');
    expect(code).toMatch(/sourceMappingURL=data:application\/json;base64,/);
    // The shim a node gets, pointed at this bundle.
    const shim = path.join(tmp, 'simplecni');
    fs.writeFileSync(shim, bundleShim('simplecni', process.execPath, bundles.simplecni), { mode: 0o755 });
    const r = await execCommand([shim], {
      input: JSON.stringify({ cniVersion: '1.0.0', name: 'boom', type: 'simplecni' }),
      env: { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'c1', CNI_NETNS: '/nonexistent', CNI_IFNAME: 'eth0', CNI_PATH: tmp },
    });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toMatch(/internal error: boom from the workspace/);
    expect(r.stderr).toContain(`${file}:${at + 2}:`);
    expect(r.stderr).not.toMatch(/simplecni\.cjs:\d+/);
  });
});
