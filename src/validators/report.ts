// A lab report for people (✓/✗ with expected vs found and a hint), for tools (JSON) and for CI (JUnit).
import pc from 'picocolors';
import type { LabReport } from './registry.ts';
import { translator, type Lang } from '../i18n/index.ts';

/** The report as the student reads it; `r` already in `lang` (localizeCheck), the frame here. */
export function formatHuman(r: LabReport, title: string, lang: Lang = 'en'): string {
  const tr = translator(lang);
  const label = (id: 'check.expected' | 'check.found' | 'check.hint') => tr(id).padEnd(lang === 'en' ? 8 : 4);
  const out = [`${pc.bold(tr('cli.labHeading', { id: r.lab, title }))}`];
  for (const c of r.checks) {
    out.push(`${c.passed ? pc.green('✓') : pc.red('✗')} ${c.title}`);
    if (!c.passed) {
      out.push(`    ${pc.dim(label('check.expected'))} ${c.expected}`);
      out.push(`    ${pc.dim(label('check.found'))} ${c.found}`);
      if (c.hint) out.push(`    ${pc.yellow(label('check.hint'))} ${c.hint}`);
    }
  }
  const n = r.checks.filter((c) => c.passed).length;
  out.push(r.passed ? pc.green(tr('check.allPass', { n })) : tr('check.somePass', { n, total: r.checks.length }));
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
