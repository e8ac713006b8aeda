// The pure part of the starter derivation (no file system): marker parsing and starter text, so
// `cnilab start` and the page derive a workspace from the same code.
//
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

/** Workspace order of source paths: WORKSPACE_DIRS order, then by name at each directory level (as a sorted walk gives). */
export function compareSourcePaths(a: string, b: string): number {
  const dir = (p: string) => WORKSPACE_DIRS.findIndex((d) => p === d || p.startsWith(d + '/'));
  if (dir(a) !== dir(b)) return dir(a) - dir(b);
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    if (as[i] !== bs[i]) return as[i]!.localeCompare(bs[i]!);
  }
  return as.length - bs.length;
}

/** True for a path a workspace holds: a .ts file under one of WORKSPACE_DIRS, or one of its files. */
export const isWorkspaceSource = (p: string): boolean => p.endsWith('.ts') && WORKSPACE_DIRS.some((d) => p === d || p.startsWith(d + '/'));

export interface Starter {
  /** Workspace path (e.g. src/plugin/plugin.ts) → the text the student starts from, in workspace order. */
  files: Record<string, string>;
  /** The regions of lab `forLab` and later, each at its line in the starter file. */
  todos: Region[];
}

/**
 * The starter of lab `forLab` from the reference sources (workspace path → text; other paths are
 * ignored). The same derivation `cnilab start` writes to disk.
 */
export function deriveStarter(sources: Record<string, string>, forLab: string): Starter {
  const files: Record<string, string> = {};
  const todos: Region[] = [];
  for (const rel of Object.keys(sources).filter(isWorkspaceSource).sort(compareSourcePaths)) {
    const text = sources[rel]!;
    const out = renderStarter(text, forLab, rel);
    // Report each TODO at its line in the starter file, which is what the student opens.
    const todoLines = out.split('\n').flatMap((l, i) => (/\/\/ TODO\(lab \d\d\):/.test(l) ? [i + 1] : []));
    const mine = regionsIn(text, rel).filter((r) => forLab !== 'solution' && r.lab >= forLab);
    todos.push(...mine.map((r, i) => ({ ...r, line: todoLines[i] ?? r.line })));
    files[rel] = out;
  }
  return { files, todos };
}
