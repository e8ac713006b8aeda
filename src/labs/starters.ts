// Starters on disk: the reference sources read from the kit's folder, the starter written to a
// workspace. The derivation itself (markers, starter text) is in starterCore.ts, shared with the page.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../shared/paths.ts';
import { deriveStarter, regionsIn, WORKSPACE_DIRS, type Region } from './starterCore.ts';

export { MarkerError, regionsIn, renderStarter, WORKSPACE_DIRS, type Region } from './starterCore.ts';

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

/** The reference sources of the workspace (workspace path → text), as the page also gets them. */
export function referenceSources(root = repoRoot()): Record<string, string> {
  return Object.fromEntries([...sourceFiles(root)].map((rel) => [rel, fs.readFileSync(path.join(root, rel), 'utf8')]));
}

/** Writes the starter of a lab into `dest` (its src/plugin and src/node). Returns the TODO regions in it. */
export function writeStarter(forLab: string, dest: string, root = repoRoot()): Region[] {
  const { files, todos } = deriveStarter(referenceSources(root), forLab);
  for (const [rel, out] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dest, rel)), { recursive: true });
    fs.writeFileSync(path.join(dest, rel), out);
  }
  return todos;
}
