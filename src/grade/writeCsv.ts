// grades.csv: one row per student, one column of points per lab. An unreachable student's lab
// cells stay empty (never a silent 0): the status column says why.
import type { GradeReport } from './types.ts';

const cell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The lab columns are "lab00", "lab04"…: a spreadsheet keeps them as text, not the number 0. */
export const labColumn = (lab: string) => `lab${lab}`;

export function formatCsv(r: GradeReport): string {
  const head = ['student', 'name', 'status', ...r.labs.map((l) => labColumn(l.id)), 'points_awarded', 'points_available', 'duration_s'];
  const rows = r.students.map((s) => {
    const notRun = s.status === 'unreachable';
    return [s.student, s.name, s.status, ...r.labs.map((l) => (notRun ? '' : (s.labs.find((g) => g.lab === l.id)?.points ?? ''))), s.points_awarded, s.points_available, s.duration_s];
  });
  return [head, ...rows].map((row) => row.map(cell).join(',')).join('\n') + '\n';
}
