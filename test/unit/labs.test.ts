// The curriculum's own consistency, like rustlings' `dev check`: one lab list, every check
// implemented, every lab text valid MDX with its heading, starters derived correctly.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { compile } from '@mdx-js/mdx';
import { labsDir, loadCatalog } from '../../src/labs/catalog.ts';
import { escapeHeadingIds } from '../../src/i18n/headingId.ts';
import { allRegions, MarkerError, renderStarter, writeStarter } from '../../src/labs/starters.ts';
import { CHECKS } from '../../src/validators/registry.ts';

const catalog = loadCatalog();

describe('labs/labs.yaml', () => {
  it('lists 00..11 in order, each with its folder', () => {
    expect(catalog.map((l) => l.id)).toEqual(['00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11']);
    const dirs = fs.readdirSync(labsDir()).filter((d) => fs.statSync(path.join(labsDir(), d)).isDirectory());
    expect(dirs.sort()).toEqual(catalog.map((l) => l.dir).sort());
  });

  it('every listed check is implemented and every implemented check is listed', () => {
    const listed = catalog.flatMap((l) => l.checks.map((c) => c.id));
    expect(listed.filter((id) => !(id in CHECKS))).toEqual([]);
    expect(Object.keys(CHECKS).filter((id) => !listed.includes(id))).toEqual([]);
  });

  it('every lab has graduated hints and objectives', () => {
    for (const l of catalog) {
      expect(l.hints.length, l.id).toBeGreaterThanOrEqual(2);
      expect(l.objectives.length, l.id).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('lab texts', () => {
  it.each(catalog.map((l) => [l.id, l] as const))('lab %s compiles as MDX and starts with its title', async (_id, l) => {
    const file = path.join(labsDir(), l.dir, 'lab.mdx');
    const text = fs.readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(`# ${l.id} · ${l.title}`);
    await expect(compile(escapeHeadingIds(text))).resolves.toBeDefined(); // as the site compiles it (vite.config.ts)
    expect(text).toContain(`cnilab check ${l.id}`);
  });
});

describe('starters', () => {
  const src = [
    'function f(): number {',
    '  // @lab 03 begin: add one',
    '  return x + 1;',
    '  // @lab 03 starter',
    '  // return x;',
    '  // @lab 03 end',
    '}',
    'function g(): number {',
    '  // @lab 05 begin: double it',
    '  return x * 2;',
    '  // @lab 05 end',
    '}',
  ].join('\n');

  it('solves earlier labs, stubs this lab and later ones', () => {
    expect(renderStarter(src, '04')).toBe(
      ['function f(): number {', '  return x + 1;', '}', 'function g(): number {', '  // TODO(lab 05): double it', "  throw new Error('TODO(lab 05): double it');", '}'].join('\n'),
    );
    expect(renderStarter(src, '03')).toContain('  // TODO(lab 03): add one\n  return x;');
    expect(renderStarter(src, 'solution')).not.toMatch(/@lab|TODO/);
  });

  it('rejects broken markers, naming the file and line', () => {
    expect(() => renderStarter('  // @lab 03 begin: x\n  y();\n', '03', 'a.ts')).toThrow(MarkerError);
    expect(() => renderStarter('  // @lab 03 end\n', '03', 'a.ts')).toThrow(/a\.ts:1/);
    expect(() => renderStarter('// @lab 03 begin: x\n// @lab 04 end\n', '03', 'b.ts')).toThrow(/b\.ts:2: marker for lab 04/);
  });

  it('every region belongs to a listed lab, and every lab with code has a region', () => {
    const ids = new Set(catalog.map((l) => l.id));
    expect(allRegions().filter((r) => !ids.has(r.lab))).toEqual([]);
    expect([...new Set(allRegions().map((r) => r.lab))].sort()).toEqual(['02', '03', '04', '05', '06', '07', '08', '11']);
  });

  it('every lab\'s starter type-checks, and its TODOs point at the starter\'s own lines', () => {
    const root = fs.mkdtempSync(path.join(process.cwd(), '.starters-'));
    try {
      for (const l of catalog) {
        const todos = writeStarter(l.id, path.join(root, l.id));
        for (const t of todos) {
          const line = fs.readFileSync(path.join(root, l.id, t.file), 'utf8').split('\n')[t.line - 1];
          expect(line, `${l.id} ${t.file}:${t.line}`).toContain(`TODO(lab ${t.lab})`);
        }
      }
      fs.writeFileSync(
        path.join(root, 'tsconfig.json'),
        JSON.stringify({ extends: '../tsconfig.json', include: ['*/src/**/*.ts'], compilerOptions: { noEmit: true } }),
      );
      execFileSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], { stdio: 'pipe' });
    } catch (err) {
      const e = err as { stdout?: Buffer; message: string };
      throw new Error(`a starter does not type-check:\n${e.stdout?.toString() ?? e.message}`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }, 120_000);
});
