// Starters are derived from the reference solution, never copied by hand. In the sources, a
// region a lab asks the student to write is marked:
//
//     // @lab 04 begin: what the student writes here
//     …the reference solution…
//     // @lab 04 starter          (optional)
//     // …what the student starts from, commented out…
//     // @lab 04 end
//
// The starter of lab K keeps the solution of every region of an earlier lab, and turns every
// region of lab K or later into a `TODO(lab NN)` stub: the starter block if there is one,
// else a `throw` that says what is missing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../shared/paths.ts';

/** The sources a student's workspace holds: the plugin, the node agent and the spec facts both import. */
export const WORKSPACE_DIRS = ['src/plugin', 'src/node', 'src/shared/cniSpec.ts'];

const BEGIN = /^(\s*)\/\/ @lab (\d\d) begin: (.*)$/;
const STARTER = /^\s*\/\/ @lab (\d\d) starter$/;
const END = /^\s*\/\/ @lab (\d\d) end$/;

export interface Region {
  lab: string;
  description: string;
  file: string;
  /** 1-based line of the begin marker in the reference source. */
  line: number;
  solution: string[];
  starter?: string[];
}

export class MarkerError extends Error {}

function parse(text: string, file: string): { lines: (string | Region)[]; regions: Region[] } {
  const out: (string | Region)[] = [];
  const regions: Region[] = [];
  const src = text.split('\n');
  for (let i = 0; i < src.length; i++) {
    const m = BEGIN.exec(src[i]!);
    if (!m) {
      if (STARTER.test(src[i]!) || END.test(src[i]!)) throw new MarkerError(`${file}:${i + 1}: "${src[i]!.trim()}" without a begin marker`);
      out.push(src[i]!);
      continue;
    }
    const [, indent, lab, description] = m as unknown as [string, string, string, string];
    const region: Region = { lab, description, file, line: i + 1, solution: [] };
    let part: string[] = region.solution;
    for (i++; ; i++) {
      if (i >= src.length) throw new MarkerError(`${file}:${region.line}: "@lab ${lab} begin" has no "@lab ${lab} end"`);
      const line = src[i]!;
      const s = STARTER.exec(line);
      const e = END.exec(line);
      if (BEGIN.test(line)) throw new MarkerError(`${file}:${i + 1}: regions cannot nest (inside "@lab ${lab}" from line ${region.line})`);
      if (s || e) {
        if ((s ?? e)![1] !== lab) throw new MarkerError(`${file}:${i + 1}: marker for lab ${(s ?? e)![1]} inside a region of lab ${lab}`);
        if (e) break;
        region.starter = [];
        part = region.starter;
        continue;
      }
      // Starter lines are kept commented out in the reference so it compiles without dead code.
      part.push(part === region.solution ? line : line.replace(new RegExp(`^${indent}// ?`), indent));
    }
    regions.push(region);
    out.push(Object.assign(region, { indent } as { indent: string }));
  }
  return { lines: out, regions };
}

/** The source as the starter of lab `forLab` has it (`forLab` = "solution": everything solved, markers gone). */
export function renderStarter(text: string, forLab: string, file = 'source'): string {
  const { lines } = parse(text, file);
  return lines
    .flatMap((l) => {
      if (typeof l === 'string') return [l];
      const indent = (l as Region & { indent: string }).indent;
      if (forLab === 'solution' || l.lab < forLab) return l.solution;
      return [
        `${indent}// TODO(lab ${l.lab}): ${l.description}`,
        ...(l.starter ?? [`${indent}throw new Error('TODO(lab ${l.lab}): ${l.description.replace(/'/g, "\\'")}');`]),
      ];
    })
    .join('\n');
}

export function regionsIn(text: string, file: string): Region[] {
  return parse(text, file).regions;
}

function* sourceFiles(root = repoRoot()): Generator<string> {
  for (const dir of WORKSPACE_DIRS) {
    if (dir.endsWith('.ts')) {
      yield dir;
      continue;
    }
    const walk = function* (d: string): Generator<string> {
      for (const e of fs.readdirSync(path.join(root, d), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const rel = path.join(d, e.name);
        if (e.isDirectory()) yield* walk(rel);
        else if (e.name.endsWith('.ts')) yield rel;
      }
    };
    yield* walk(dir);
  }
}

/** Every marked region of the reference solution, in file order. */
export function allRegions(root = repoRoot()): Region[] {
  return [...sourceFiles(root)].flatMap((f) => regionsIn(fs.readFileSync(path.join(root, f), 'utf8'), f));
}

/** The reference code a lab asks for (none for labs that happen on the nodes). */
export const solutionOf = (labId: string, root = repoRoot()): Region[] => allRegions(root).filter((r) => r.lab === labId);

/** Writes the starter of a lab into `dest` (its src/plugin and src/node). Returns the TODO regions in it. */
export function writeStarter(forLab: string, dest: string, root = repoRoot()): Region[] {
  const todos: Region[] = [];
  for (const rel of sourceFiles(root)) {
    const text = fs.readFileSync(path.join(root, rel), 'utf8');
    const out = renderStarter(text, forLab, rel);
    // Report each TODO at its line in the starter file, which is what the student opens.
    const todoLines = out.split('\n').flatMap((l, i) => (/\/\/ TODO\(lab \d\d\):/.test(l) ? [i + 1] : []));
    const mine = regionsIn(text, rel).filter((r) => forLab !== 'solution' && r.lab >= forLab);
    todos.push(...mine.map((r, i) => ({ ...r, line: todoLines[i] ?? r.line })));
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.writeFileSync(path.join(dest, rel), out);
  }
  return todos;
}
