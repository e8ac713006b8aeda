// What the instructor sees while grading: a line per student as it starts, finishes each lab and
// ends (plain lines: the same on a terminal and in a CI log), then a recap in the spirit of
// Ansible's: per student passed / failed / unreachable / error checks and points.
import pc from 'picocolors';
import type { GradeEvent } from './runner.ts';
import type { GradeReport, StudentStatus } from './types.ts';

const COLOR: Record<StudentStatus, (s: string) => string> = { ok: pc.green, failed: pc.red, unreachable: pc.yellow, error: pc.magenta };

export function progressLine(e: GradeEvent, width = 12): string {
  switch (e.kind) {
    case 'start':
      return `${pc.dim('…')} ${e.student.padEnd(width)} grading`;
    case 'lab':
      return `${pc.dim('…')} ${e.student.padEnd(width)} lab ${e.lab}: ${e.passed}/${e.total} checks pass`;
    case 'done': {
      const g = e.grade;
      return `${COLOR[g.status](g.status === 'ok' ? '✓' : '✗')} ${g.student.padEnd(width)} ${COLOR[g.status](g.status)} · ${g.points_awarded}/${g.points_available} points · ${g.duration_s} s${g.error ? ` · ${g.error}` : ''}`;
    }
  }
}

export function recap(r: GradeReport): string {
  const width = Math.max(12, ...r.students.map((s) => s.student.length));
  const lines = [pc.bold(`GRADE RECAP ${'*'.repeat(60)}`)];
  for (const s of r.students) {
    const n = (st: string) => s.labs.reduce((a, l) => a + l.checks.filter((c) => c.status === st).length, 0);
    const unreachable = s.status === 'unreachable' ? n('error') : 0;
    const fields = [
      `${pc.green(`passed=${n('passed')}`)}`,
      `${n('failed') ? pc.red(`failed=${n('failed')}`) : `failed=0`}`,
      `${unreachable ? pc.yellow(`unreachable=${unreachable}`) : 'unreachable=0'}`,
      `${n('error') - unreachable ? pc.magenta(`error=${n('error') - unreachable}`) : 'error=0'}`,
      `points=${s.points_awarded}/${s.points_available}`,
    ];
    lines.push(`${COLOR[s.status](s.student.padEnd(width))} : ${COLOR[s.status](s.status.padEnd(11))} ${fields.join('  ')}`);
  }
  return lines.join('\n');
}
