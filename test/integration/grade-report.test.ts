// report.html in a real browser (Debian's chromium): the matrix and its sorting, the filters kept
// in the URL, a student's checks, the per-check pass share; light and dark screenshots to look at
// (test-results/grade-report-{light,dark}.png).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckGrade, GradeReport, StudentGrade } from '../../src/grade/types.ts';
import { formatHtml } from '../../src/grade/writeHtml.ts';
import { uniqueName } from '../helpers/names.ts';

const check = (id: string, status: CheckGrade['status'], found = 'as expected'): CheckGrade => ({
  id,
  title: `Check ${id}`,
  status,
  expected: `the state ${id} wants`,
  found: status === 'passed' ? `the state ${id} wants` : found,
  hint: status === 'failed' ? `Look at ${id} <carefully>` : '',
  duration_ms: 12,
});

function student(id: string, name: string, status: StudentGrade['status'], labs: [string, CheckGrade['status'][]][]): StudentGrade {
  const out = labs.map(([lab, st]) => {
    const checks = st.map((s, i) => check(`${lab}-c${i + 1}`, s, s === 'error' ? 'not checked: the cluster could not be reached' : 'no route to 10.244.2.0/24'));
    const passed = checks.filter((c) => c.status === 'passed').length;
    return { lab, status: (st.includes('error') ? 'error' : passed === st.length ? 'passed' : 'failed') as 'passed', points: Math.round((10 / st.length) * passed * 100) / 100, checks };
  });
  const awarded = out.reduce((a, l) => a + l.points, 0);
  return { student: id, name, hostname: `${id}.example`, status, points_awarded: Math.round(awarded * 100) / 100, points_available: 20, duration_s: 3.2, labs: out, error: status === 'unreachable' ? 'node1: connection refused' : null };
}

const report: GradeReport = {
  version: 1,
  class: 'friday-workshop',
  gradedAt: '2026-12-06T15:00:00.000Z',
  labs: [
    { id: '00', title: 'Setup and tour', points: 10 },
    { id: '06', title: 'Cross-node routes', points: 10 },
  ],
  students: [
    student('s01', 'Ada Lovelace', 'ok', [['00', ['passed', 'passed']], ['06', ['passed', 'passed']]]),
    student('s02', 'Brian Kernighan', 'failed', [['00', ['passed', 'passed']], ['06', ['passed', 'failed']]]),
    student('s03', 'Grace Hopper', 'failed', [['00', ['passed', 'failed']], ['06', ['failed', 'failed']]]),
    student('s04', 'Linus <script>alert(1)</script>', 'unreachable', [['00', ['error', 'error']], ['06', ['error', 'error']]]),
  ],
};

const dir = path.join(os.tmpdir(), uniqueName());
const file = path.join(dir, 'report.html');
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, formatHtml(report));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('report.html', () => {
  it('is one self-contained file: no external script, style, font or image', () => {
    const html = fs.readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\(|@font-face|https?:\/\//);
  });

  it('shows the matrix, sorts it, filters it in the URL, opens a student, and the pass share per check', async () => {
    const page = await browser.newPage({ colorScheme: 'light', viewport: { width: 1200, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    const rows = page.locator('#matrix tbody tr');
    const order = async (sel: string) => Promise.all((await page.locator(sel).all()).map((r) => r.getAttribute('data-student')));
    await expect.poll(() => rows.count()).toBe(4);
    expect(await page.locator('tr[data-student="s02"] td[data-lab="06"]').getAttribute('data-points')).toBe('5');
    expect(await page.locator('tr[data-student="s04"] td[data-lab="06"]').textContent()).toBe('⊘');
    expect(await page.locator('tr[data-student="s04"]').getAttribute('data-status')).toBe('unreachable');
    expect(await page.locator('tr[data-student="s04"] td').nth(1).textContent()).toBe('Linus <script>alert(1)</script>');

    // Sort by points, highest first: a click, then a second click.
    await page.click('#matrix th[data-key="points"] button');
    await page.click('#matrix th[data-key="points"] button');
    expect(await order('#matrix tbody tr')).toEqual(['s01', 's02', 's03', 's04']);
    expect(await page.locator('#matrix th[data-key="points"]').getAttribute('aria-sort')).toBe('descending');
    await page.click('#matrix th[data-key="lab:00"] button');
    expect(await order('#matrix tbody tr')).toEqual(['s04', 's03', 's01', 's02']);

    // Filters: by status and by text, in the URL (a reload or a shared link shows the same).
    await page.selectOption('#filter-status', 'failed');
    expect(await page.locator('#matrix tbody tr:not([hidden])').count()).toBe(2);
    await page.fill('#filter-text', 'grace');
    expect(await order('#matrix tbody tr:not([hidden])')).toEqual(['s03']);
    expect(new URL(page.url()).hash).toContain('status=failed');
    expect(new URL(page.url()).hash).toContain('q=grace');
    await page.reload();
    expect(await page.locator('#matrix tbody tr:not([hidden])').count()).toBe(1);
    expect(await page.inputValue('#filter-text')).toBe('grace');

    // A student's checks: expected, found and the hint.
    await page.click('tr[data-student="s03"]');
    const detail = page.locator('#detail');
    await expect.poll(() => detail.getAttribute('data-student')).toBe('s03');
    expect(await detail.locator('[data-check="06-c1"]').getAttribute('data-state')).toBe('failed');
    const text = await detail.locator('[data-check="06-c1"]').textContent();
    expect(text).toContain('the state 06-c1 wants');
    expect(text).toContain('no route to 10.244.2.0/24');
    expect(text).toContain('Look at 06-c1 <carefully>');
    expect(new URL(page.url()).hash).toContain('student=s03');

    // The share of the class that passed each check (the unreachable student's checks did not run).
    const share = (id: string) => page.locator(`#share tr[data-check="${id}"] [data-share]`).getAttribute('data-share');
    expect(await share('00-c1')).toBe('100');
    expect(await share('00-c2')).toBe('67');
    expect(await share('06-c2')).toBe('33');
    expect(await page.locator('#share tr[data-check="06-c2"]').getAttribute('class')).toBe('low');

    fs.mkdirSync('test-results', { recursive: true });
    await page.goto(`file://${file}#student=s03`);
    await page.screenshot({ path: 'test-results/grade-report-light.png', fullPage: true });
    expect(errors).toEqual([]);
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    await page.close();
  });

  it('has a dark theme and a print style', async () => {
    const page = await browser.newPage({ colorScheme: 'dark', viewport: { width: 1200, height: 900 } });
    await page.goto(`file://${file}#status=failed&student=s02`);
    const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(bg).toBe('rgb(20, 23, 29)');
    await page.screenshot({ path: 'test-results/grade-report-dark.png', fullPage: true });
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe('rgb(255, 255, 255)');
    expect(await page.locator('.filters').isVisible()).toBe(false);
    await page.close();
  });
});
