// A lab report for people (✓/✗ with expected vs found and a hint), for tools (JSON) and for CI (JUnit).
import pc from 'picocolors';
import type { LabReport } from './registry.ts';

export function formatHuman(r: LabReport, title: string): string {
  const out = [`${pc.bold(`Lab ${r.lab} · ${title}`)}`];
  for (const c of r.checks) {
    out.push(`${c.passed ? pc.green('✓') : pc.red('✗')} ${c.title}`);
    if (!c.passed) {
      out.push(`    ${pc.dim('expected')} ${c.expected}`);
      out.push(`    ${pc.dim('found   ')} ${c.found}`);
      if (c.hint) out.push(`    ${pc.yellow('hint')}     ${c.hint}`);
    }
  }
  const n = r.checks.filter((c) => c.passed).length;
  out.push(r.passed ? pc.green(`All ${n} checks pass.`) : `${n} of ${r.checks.length} checks pass.`);
  return out.join('\n');
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function formatJunit(reports: LabReport[], titles: Record<string, string>): string {
  const suites = reports.map((r) => {
    const failures = r.checks.filter((c) => !c.passed).length;
    const cases = r.checks.map((c) => {
      const body = c.passed ? '' : `\n      <failure message="${xml(c.title)}">expected: ${xml(c.expected)}\nfound: ${xml(c.found)}\nhint: ${xml(c.hint)}</failure>\n    `;
      return `    <testcase classname="lab${r.lab}" name="${xml(`${c.id}: ${c.title}`)}">${body}</testcase>`;
    });
    return `  <testsuite name="${xml(`Lab ${r.lab} · ${titles[r.lab] ?? ''}`)}" tests="${r.checks.length}" failures="${failures}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${suites.join('\n')}\n</testsuites>\n`;
}
