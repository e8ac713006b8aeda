// The in-page build (esbuild-wasm, files in memory) and the starter derivation the page runs: they
// must give what scripts/build.mjs and `cnilab start` give on disk.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild-wasm';
import { buildPlugin, ENTRIES, formatBuildError, incrementalBuilder, type BundleName } from '../../src/labs/pageBuild.ts';
import { deriveStarter } from '../../src/labs/starterCore.ts';
import { referenceSources, writeStarter } from '../../src/labs/starters.ts';
import { repoRoot } from '../../src/shared/paths.ts';

const packages = { 'ipaddr.js': fs.readFileSync(path.join(repoRoot(), 'node_modules/ipaddr.js/lib/ipaddr.js'), 'utf8') };
const reference = referenceSources();

/** Runs a CommonJS bundle with node, as a node's shim does. */
function run(source: string, args: string[], env: Record<string, string> = {}, stdin = '') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pagebuild-'));
  try {
    const file = path.join(dir, 'bundle.cjs');
    fs.writeFileSync(file, source);
    const r = spawnSync(process.execPath, [file, ...args], { input: stdin, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const dist = (name: BundleName) => fs.readFileSync(path.join(repoRoot(), 'dist', `${name}.cjs`), 'utf8');

describe('buildPlugin (esbuild-wasm, in memory)', () => {
  it('builds the reference sources into bundles that behave as scripts/build.mjs builds them', async () => {
    const r = await buildPlugin(reference, { esbuild, packages });
    if (!r.ok) throw new Error(r.errors.map(formatBuildError).join('\n'));
    expect(Object.keys(r.bundles).sort()).toEqual(Object.keys(ENTRIES).sort());
    for (const name of ['simplecni', 'simplecni-ipam'] as const) {
      const mine = run(r.bundles[name]!, [], { CNI_COMMAND: 'VERSION' });
      expect(mine.code, mine.stderr).toBe(0);
      expect(JSON.parse(mine.stdout).supportedVersions).toContain('1.1.0');
      expect(mine).toEqual(run(dist(name), [], { CNI_COMMAND: 'VERSION' }));
    }
    // A CNI error path: ADD without its environment, the JSON error and exit code match too.
    expect(run(r.bundles.simplecni!, [], { CNI_COMMAND: 'ADD' }, '{}')).toEqual(run(dist('simplecni'), [], { CNI_COMMAND: 'ADD' }, '{}'));
    const help = run(r.bundles['simplecni-node']!, ['--help']);
    expect(help.stdout).toMatch(/^usage: simplecni-node apply/);
    expect(help).toEqual(run(dist('simplecni-node'), ['--help']));
  });

  it('returns a syntax error at its workspace file, line and column, and no bundles', async () => {
    const file = 'src/plugin/result.ts';
    const lines = reference[file]!.split('\n');
    lines.splice(1, 0, 'const broken = 1 2;');
    const r = await buildPlugin({ ...reference, [file]: lines.join('\n') }, { esbuild, packages });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file, line: 2, column: 18 });
    expect(formatBuildError(r.errors[0]!)).toMatch(/^src\/plugin\/result\.ts:2:18: Expected ";" but found "2"/);
  });

  it('names a missing import and a missing package', async () => {
    const file = 'src/plugin/version.ts';
    const r = await buildPlugin({ ...reference, [file]: `import './nowhere.ts';\nimport 'left-pad';\n${reference[file]}` }, { esbuild, packages, entries: ['simplecni'] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => `${e.file}:${e.line}`)).toEqual([`${file}:1`, `${file}:2`]);
    expect(r.errors[0]!.message).toContain('src/plugin/nowhere.ts');
    expect(r.errors[1]!.message).toContain('left-pad');
  });

  it("builds a lab's starter, whose TODO says what is not written yet", async () => {
    const { files } = deriveStarter(reference, '04');
    const r = await buildPlugin(files, { esbuild, packages, entries: ['simplecni'] });
    if (!r.ok) throw new Error(r.errors.map(formatBuildError).join('\n'));
    expect(r.bundles.simplecni).toContain('TODO(lab 04)');
    expect(r.bundles.simplecni).not.toEqual(dist('simplecni'));
  });
});

describe('incrementalBuilder (Deploy after Deploy in the page)', () => {
  it('builds what buildPlugin builds, each time from the files it is given: an edit, a syntax error, the fix', async () => {
    const build = incrementalBuilder({ esbuild, packages });
    const once = await buildPlugin(reference, { esbuild, packages });
    expect(await build(reference)).toEqual(once);
    const file = 'src/plugin/result.ts';
    const marked = reference[file]!.replace(/^/, 'console.error("edited in the page");\n');
    const edited = await build({ ...reference, [file]: marked });
    if (!edited.ok) throw new Error(edited.errors.map(formatBuildError).join('\n'));
    expect(edited.bundles.simplecni).toContain('edited in the page');
    const broken = await build({ ...reference, [file]: `const broken = 1 2;\n${reference[file]}` });
    expect(broken).toMatchObject({ ok: false, errors: [{ file, line: 1, column: 18 }] });
    // Back to the reference: the same bundles as the first build, nothing of the edit left.
    expect(await build(reference)).toEqual(once);
    // The files of the last build again (Deploy, Deploy): its bundles, without building.
    let rebuilds = 0;
    const counted = incrementalBuilder({
      esbuild: {
        context: async (o) => {
          const ctx = await esbuild.context(o);
          const rebuild = ctx.rebuild.bind(ctx);
          return Object.assign(ctx, { rebuild: () => (rebuilds++, rebuild()) });
        },
      } as Pick<typeof esbuild, 'context'>,
      packages,
    });
    expect(await counted(reference)).toEqual(once);
    expect(await counted({ ...reference })).toEqual(once);
    expect(rebuilds).toBe(1);
    expect((await counted({ ...reference, [file]: marked })).ok).toBe(true);
    expect(rebuilds).toBe(2);
    // Other entries get a context of their own.
    const ipam = await build(reference, ['simplecni-ipam']);
    expect(ipam.ok && Object.keys(ipam.bundles)).toEqual(['simplecni-ipam']);
  });
});

describe('deriveStarter (the page’s starter derivation)', () => {
  it('gives the files and TODOs `cnilab start` writes, whatever order the sources come in', () => {
    const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'starter-'));
    try {
      const todos = writeStarter('04', dest);
      const shuffled = Object.fromEntries(Object.entries(reference).reverse());
      const page = deriveStarter(shuffled, '04');
      expect(page.todos).toEqual(todos);
      expect(todos.length).toBeGreaterThan(0);
      expect(Object.keys(page.files)).toEqual(Object.keys(reference));
      for (const [rel, text] of Object.entries(page.files)) expect(text, rel).toBe(fs.readFileSync(path.join(dest, rel), 'utf8'));
    } finally {
      fs.rmSync(dest, { recursive: true, force: true });
    }
  });
});
