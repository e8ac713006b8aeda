// The container tree from this checkout's files (dist/ built): what the offline test writes to a
// temp dir and the benchmark measures; the page builds the same tree from its bundled assets.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileSystemTree } from '@webcontainer/api';
import { repoRoot } from '../shared/paths.ts';
import { containerTree, isKitFile, KIT_FILES, treeFiles } from './tree.ts';

/** The kit's files for the tree, read from `root` (repository path → text). */
export function kitFilesFromDisk(root = repoRoot()): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (isKitFile(p)) out[p] = fs.readFileSync(path.join(root, p), 'utf8');
    }
  };
  for (const want of KIT_FILES) {
    if (want.endsWith('/**')) walk(want.slice(0, -3));
    else if (fs.existsSync(path.join(root, want))) out[want] = fs.readFileSync(path.join(root, want), 'utf8');
  }
  return out;
}

export const containerTreeFromDisk = (workspace?: Record<string, string>) => containerTree({ kit: kitFilesFromDisk(), workspace });

/** Writes a tree under `dir`, as mount() lays it out (executables: the tree's bin/). */
export function writeTree(tree: FileSystemTree, dir: string) {
  for (const [p, contents] of treeFiles(tree)) {
    const file = path.join(dir, p);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, contents);
    if (p.startsWith('bin/')) fs.chmodSync(file, 0o755);
  }
}
