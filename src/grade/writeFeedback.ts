// feedback/<student>.md: what to hand back — what passed, what did not (found vs expected) and
// the hint that points the way without giving the answer.
import type { GradeReport, StudentGrade } from './types.ts';

export function formatFeedback(r: GradeReport, s: StudentGrade): string {
  const title = (id: string) => r.labs.find((l) => l.id === id)?.title ?? '';
  const out = [`# ${s.name} — ${r.class}`, '', `Points: **${s.points_awarded} / ${s.points_available}** · graded ${r.gradedAt.slice(0, 16).replace('T', ' ')} UTC`, ''];
  if (s.status === 'unreachable') out.push(`> Your cluster could not be reached, so nothing was checked: ${s.error}`, '> This is not a grade: ask your instructor to grade again once your machines are up.', '');
  if (s.status === 'error') out.push(`> Grading did not finish: ${s.error}`, '');
  for (const l of s.labs) {
    const lab = r.labs.find((x) => x.id === l.lab)!;
    const passed = l.checks.filter((c) => c.status === 'passed');
    out.push(`## Lab ${l.lab} · ${title(l.lab)} — ${l.points} / ${lab.points}`, '');
    for (const c of passed) out.push(`- ✓ ${c.title}`);
    for (const c of l.checks.filter((c) => c.status !== 'passed')) {
      out.push(`- ${c.status === 'failed' ? '✗' : '–'} ${c.title}`);
      out.push(`  - expected: ${c.expected}`, `  - found: ${c.found}`);
      if (c.hint) out.push(`  - hint: ${c.hint}`);
    }
    out.push('');
  }
  return out.join('\n');
}
