// What the page engine keeps per browser profile (IndexedDB through idb-keyval): progress, the
// student's files, the last check results, the cluster (the simulated kernel's world and the pods),
// each terminal's history. One record, written after every change.
import { tx } from '../../lib/lang.ts';
import { msg } from '../../../../src/i18n/index.ts';
import { del, get, set } from 'idb-keyval';
import type { Progress } from '../../../../src/labs/progressCore.ts';
import type { MachineSnapshot } from '../../../../src/sim/machine/machine.ts';
import type { ApiCheckDone, WorkFile } from '../types.ts';
import type { ShellState } from './shell.ts';

export const STATE_FORMAT = 1;
const KEY = 'cnilab.page.state';

export interface PageState {
  format: typeof STATE_FORMAT;
  progress: Progress;
  /** lab id → the student's files for it. */
  files: Record<string, WorkFile[]>;
  /** lab id → the last check run. */
  checks: Record<string, ApiCheckDone>;
  /** The simulated machine: the kernel's world and every node's files (pods included). */
  cluster: MachineSnapshot;
  history: Record<string, string[]>;
  /** node → its terminal's working directory and variables (a reload carries on from there). */
  shells?: Record<string, ShellState>;
}

export async function loadState(): Promise<PageState | undefined> {
  try {
    const s = (await get(KEY)) as PageState | undefined;
    return s?.format === STATE_FORMAT ? s : undefined;
  } catch {
    return undefined; // no IndexedDB (a private window in some browsers): the page works, without memory
  }
}

export async function saveState(s: PageState): Promise<void> {
  try {
    await set(KEY, s);
  } catch {
    /* see loadState */
  }
}

export async function clearState(): Promise<void> {
  try {
    await del(KEY);
  } catch {
    /* see loadState */
  }
}

/** The export file: what a learner hands to a teacher, and what Import reads back. */
export interface ExportedWork {
  kind: 'simplecni-lab-work';
  format: typeof STATE_FORMAT;
  exportedAt: string;
  progress: Progress;
  files: Record<string, WorkFile[]>;
  checks: Record<string, ApiCheckDone>;
  cluster: PageState['cluster'];
}

export function toExport(s: PageState): ExportedWork {
  return { kind: 'simplecni-lab-work', format: STATE_FORMAT, exportedAt: new Date().toISOString(), progress: s.progress, files: s.files, checks: s.checks, cluster: s.cluster };
}

/** Reads an export back; a message that says what is wrong otherwise. */
export function fromExport(text: string): ExportedWork {
  let v: Partial<ExportedWork>;
  try {
    v = JSON.parse(text) as Partial<ExportedWork>;
  } catch (e) {
    throw new Error(tx('import.notJson', { error: (e as Error).message, export: msg('work.export') }));
  }
  if (v.kind !== 'simplecni-lab-work') throw new Error(tx('import.notExport'));
  if (v.format !== STATE_FORMAT) throw new Error(tx('import.format', { format: String(v.format), reads: STATE_FORMAT }));
  const p = v.progress;
  if (!p || typeof p.passed !== 'object' || typeof p.hints !== 'object') throw new Error(tx('import.noProgress'));
  const c = v.cluster;
  if (!c || c.version !== 1 || typeof c.world !== 'object' || typeof c.files !== 'object') throw new Error(tx('import.noCluster'));
  const files = v.files ?? {};
  if (typeof files !== 'object' || Array.isArray(files)) throw new Error(tx('import.filesNotMap'));
  for (const [lab, list] of Object.entries(files)) {
    if (!Array.isArray(list) || !list.every((f) => f && typeof f.path === 'string' && typeof f.text === 'string')) {
      throw new Error(tx('import.filesNotList', { lab }));
    }
  }
  return { kind: v.kind, format: v.format, exportedAt: String(v.exportedAt ?? ''), progress: p, files, checks: v.checks ?? {}, cluster: c };
}
