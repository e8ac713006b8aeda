// What the instructor sees while grading: a line per student as it starts, finishes each lab and
// ends (plain lines: the same on a terminal and in a CI log), then a recap in the spirit of
// Ansible's: per student passed / failed / unreachable / error checks and points.
import pc from 'picocolors';
import type { GradeEvent } from './runner.ts';
import type { GradeReport, StudentStatus } from './types.ts';
import { english, msg, type Text } from '../i18n/text.ts';

const COLOR: Record<StudentStatus, (s: string) => string> = { ok: pc.green, failed: pc.red, unreachable: pc.yellow, error: pc.magenta };

/** `say` renders the line's words in a language (English unless the CLI's language is another). */
export function progressLine(e: GradeEvent, width = 12, say: (text: Text) => string = english): string {
  switch (e.kind) {
    case 'start':
      return `${pc.dim('…')} ${e.student.padEnd(width)} ${say(msg('cli.grade.grading'))}`;
    case 'lab':
      return `${pc.dim('…')} ${e.student.padEnd(width)} ${say(msg('cli.grade.lab', { lab: e.lab, passed: e.passed, total: e.total }))}`;
    case 'done': {
      const g = e.grade;
      return `${COLOR[g.status](g.status === 'ok' ? '✓' : '✗')} ${g.student.padEnd(width)} ${COLOR[g.status](g.status)} · ${say(msg('cli.grade.points', { awarded: g.points_awarded, available: g.points_available }))} · ${g.duration_s} s${g.error ? ` · ${g.error}` : ''}`;
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
