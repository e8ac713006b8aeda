// The student's progress, in a plain JSON file they can read (and an instructor can collect).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../shared/paths.ts';
import { revealHints, type Progress } from './progressCore.ts';

export { revealHints, type Progress } from './progressCore.ts';


/** One file per cluster: `.cnilab/progress.json` for the default cluster, `progress-<name>.json` for others. */
export const progressFile = (cluster = process.env.SIMPLECNI_CLUSTER ?? 'lab') =>
  process.env.SIMPLECNI_PROGRESS ?? path.join(repoRoot(), '.cnilab', cluster === 'lab' ? 'progress.json' : `progress-${cluster}.json`);

export function readProgress(file = progressFile()): Progress {
  try {
    const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Progress>;
    return { passed: p.passed ?? {}, hints: p.hints ?? {}, ...(p.current ? { current: p.current } : {}) };
  } catch {
    return { passed: {}, hints: {} }; // none yet, or unreadable: start fresh rather than fail
  }
}

export function writeProgress(p: Progress, file = progressFile()) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(p, null, 2) + '\n');
  fs.renameSync(`${file}.tmp`, file);
}

/** Records the labs that just passed (the first time each one did). */
export function markPassed(labIds: string[]): void {
  const p = readProgress();
  const fresh = labIds.filter((id) => !(id in p.passed));
  if (fresh.length === 0) return;
  for (const id of fresh) p.passed[id] = new Date().toISOString();
  writeProgress(p);
}

/** The hints of a lab revealed so far; with `revealNext`, one more first (up to all of them). */
export function revealedHints(lab: { id: string; hints: string[] }, revealNext: boolean): { hints: string[]; remaining: number } {
  const p = readProgress();
  const r = revealHints(p, lab, revealNext);
  if (revealNext) writeProgress(p);
  return r;
}
