// junit.xml: one <testsuite> per student and lab, so CI tools show each student's checks apart
// (classname "<student>.<lab>"), a wrong state as <failure>, a check that could not run as
// <error type="Unreachable|Timeout">: a dead host is in the file, never missing from it.
import type { CheckGrade, GradeReport, StudentGrade } from './types.ts';

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function errorType(s: StudentGrade): string {
  if (s.status === 'unreachable') return 'Unreachable';
  if (s.status === 'error' && /timed out/.test(s.error ?? '')) return 'Timeout';
  return 'Error';
}

function testcase(s: StudentGrade, lab: string, c: CheckGrade): string {
  const open = `    <testcase classname="${xml(`${s.student}.${lab}`)}" name="${xml(`${c.id}: ${c.title}`)}" time="${(c.duration_ms / 1000).toFixed(3)}"`;
  const text = `expected: ${xml(c.expected)}\nfound: ${xml(c.found)}${c.hint ? `\nhint: ${xml(c.hint)}` : ''}`;
  switch (c.status) {
    case 'passed':
      return `${open}/>`;
    case 'failed':
      return `${open}>\n      <failure message="${xml(c.title)}" type="WrongState">${text}</failure>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${xml(c.found)}" type="${errorType(s)}">${text}</error>\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${xml(c.found)}"/>\n    </testcase>`;
  }
}

export function formatJunit(r: GradeReport): string {
  const suites: string[] = [];
  for (const s of r.students) {
    for (const l of s.labs) {
      const count = (st: string) => l.checks.filter((c) => c.status === st).length;
      const time = l.checks.reduce((a, c) => a + c.duration_ms, 0) / 1000;
      suites.push(
        `  <testsuite name="${xml(`${s.student} · lab ${l.lab}`)}" hostname="${xml(s.hostname)}" timestamp="${r.gradedAt}" tests="${l.checks.length}" failures="${count('failed')}" errors="${count('error')}" skipped="${count('skipped')}" time="${time.toFixed(3)}">\n${l.checks.map((c) => testcase(s, l.lab, c)).join('\n')}\n  </testsuite>`,
      );
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(r.class)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
