// Writes every output of a grade run into one directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GradeReport } from './types.ts';
import { formatCsv } from './writeCsv.ts';
import { formatFeedback } from './writeFeedback.ts';
import { formatHtml } from './writeHtml.ts';
import { formatJunit } from './writeJunit.ts';

export const OUTPUT_FILES = ['grades.csv', 'grades.json', 'junit.xml', 'report.html'] as const;

export function writeOutputs(dir: string, r: GradeReport): void {
  fs.mkdirSync(path.join(dir, 'feedback'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'grades.csv'), formatCsv(r));
  fs.writeFileSync(path.join(dir, 'grades.json'), JSON.stringify(r, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'junit.xml'), formatJunit(r));
  fs.writeFileSync(path.join(dir, 'report.html'), formatHtml(r));
  for (const s of r.students) fs.writeFileSync(path.join(dir, 'feedback', `${s.student}.md`), formatFeedback(r, s));
}

/** grades/2026-12-06T14-05-09: sortable, and a valid file name everywhere. */
export const defaultOutDir = (now = new Date()) => path.join('grades', now.toISOString().slice(0, 19).replace(/:/g, '-'));
