import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NodeDriver } from '../../src/cluster/driver.ts';
import { loadTopology } from '../../src/cluster/topology.ts';
import { ClassFileError, loadClassFile, parseClassFile, type ClassSpec } from '../../src/grade/classFile.ts';
import { en } from '../../src/i18n/en.ts';
import { t, type Msg } from '../../src/i18n/index.ts';
import { errorText } from '../../src/i18n/text.ts';
import { gradeClass, mergeReports } from '../../src/grade/runner.ts';
import { Unreachable, type StudentTarget } from '../../src/grade/target.ts';
import { exitCodeOf } from '../../src/grade/types.ts';
import { formatCsv } from '../../src/grade/writeCsv.ts';
import { formatJunit } from '../../src/grade/writeJunit.ts';
import { thrownBy } from '../helpers/thrown.ts';
import { loadCatalog } from '../../src/labs/catalog.ts';
import { CHECKS } from '../../src/validators/registry.ts';

const catalog = loadCatalog();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnilab-grade-unit-'));
fs.writeFileSync(path.join(dir, 'inv.yaml'), 'nodes: {}\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'class.yaml');
const parse = (text: string) => parseClassFile(text, file, catalog);

describe('class file', () => {
  it('reads labs, points, timeout and both kinds of student, paths relative to the file', () => {
    const c = parse('labs: ["00", "06"]\npoints: { default: 5, "06": 20 }\ntimeout: 30\nstudents:\n  s01: { inventory: inv.yaml, name: "Student One" }\n  s02: { cluster: s02 }\n');
    expect(c.labs).toEqual(['00', '06']);
    expect(c.points).toEqual({ '00': 5, '06': 20 });
    expect(c.timeoutS).toBe(30);
    expect(c.students).toEqual([
      { id: 's01', name: 'Student One', inventory: path.join(dir, 'inv.yaml') },
      { id: 's02', name: 's02', cluster: 's02' },
    ]);
    expect(parse('students: { a: { cluster: a } }').labs).toEqual(catalog.map((l) => l.id));
  });

  it.each([
    ['unknown key', 'student: {}\nstudents: { a: { cluster: a } }', 'class.yaml: student: unknown key'],
    ['unknown student key', 'students: { a: { cluster: a, host: x } }', 'students.a.host: unknown key'],
    ['missing inventory', 'students: { a: { inventory: nope.yaml } }', 'students.a.inventory: no such file'],
    ['duplicate student', 'students:\n  a: { cluster: a }\n  a: { cluster: b }\n', 'students.a: this student is listed twice'],
    ['unknown lab', 'labs: ["00", "42"]\nstudents: { a: { cluster: a } }', 'labs[1]: unknown lab "42"'],
    ['unknown lab in points', 'points: { "42": 3 }\nstudents: { a: { cluster: a } }', 'points.42: unknown lab'],
    ['both inventory and cluster', 'students: { a: { cluster: a, inventory: inv.yaml } }', 'students.a: give exactly one'],
    ['bad timeout', 'timeout: -1\nstudents: { a: { cluster: a } }', 'timeout:'],
  ])('%s is an error naming the file and the key', (_what, text, message) => {
    expect(() => parse(text)).toThrow(ClassFileError);
    expect(() => parse(text)).toThrow(message);
    expect(() => parse(text)).toThrow(file);
  });
});

describe('class file mistakes in Chinese', () => {
  const S = 'students: { a: { cluster: a } }';
  /** Class file text → the key named and a piece of the Chinese. */
  const CASES: [() => unknown, string, string][] = [
    [() => loadClassFile(path.join(dir, 'none.yaml'), catalog), '', '无法读取（ENOENT）'],
    [() => parse('students: [\n'), '', '不是合法的 YAML 或 JSON：'],
    [() => parse('- a\n'), '', '应当是一个映射，包含 "students"'],
    [() => parse(`student: {}\n${S}`), 'student', '未知的键（可用的键：labs, points, timeout, students）'],
    [() => parse(`labs: []\n${S}`), 'labs', '应当是实验编号的列表，例如 ["00", "04"]'],
    [() => parse(`labs: ["00", "42"]\n${S}`), 'labs[1]', '未知的实验 "42"（labs/labs.yaml 里有 00, '],
    [() => parse(`labs: ["00", "00"]\n${S}`), 'labs', '实验“00”列了两次'],
    [() => parse(`points: 5\n${S}`), 'points', '应当是一个映射：{ default: 10, "06": 20 }'],
    [() => parse(`points: { default: -1 }\n${S}`), 'points.default', '必须是分数，0 或更大的数字'],
    [() => parse(`points: { "42": 3 }\n${S}`), 'points.42', '未知的实验（labs/labs.yaml 里有 00, '],
    [() => parse(`timeout: 0\n${S}`), 'timeout', '一名学生整次评分可用的秒数，必须是大于 0 的数字'],
    [() => parse('students: {}'), 'students', '应当是学生的映射'],
    [() => parse('students:\n  a: { cluster: a }\n  a: { cluster: b }\n'), 'students.a', '这名学生列了两次'],
    [() => parse('students: { "a b": { cluster: a } }'), 'students.a b', '学生编号只能包含字母、数字、"-" 和 "_"'],
    [() => parse('students: { a: x }'), 'students.a', '应当是一个映射：{ inventory: FILE } 或 { cluster: NAME }'],
    [() => parse('students: { a: { cluster: a, host: x } }'), 'students.a.host', '未知的键（可用的键：inventory, cluster, name）'],
    [() => parse('students: { a: { cluster: a, inventory: inv.yaml } }'), 'students.a', '"inventory"（通过 ssh 连接的机器）和 "cluster"（这台机器上的集群）必须恰好写一个'],
    [() => parse('students: { a: { cluster: a, name: "" } }'), 'students.a.name', '应当是非空的字符串'],
    [() => parse('students: { a: { inventory: 3 } }'), 'students.a.inventory', '应当是文件路径，相对于班级文件'],
    [() => parse('students: { a: { inventory: nope.yaml } }'), 'students.a.inventory', `没有这个文件：${path.join(dir, 'nope.yaml')}`],
    [() => parse('students: { a: { cluster: A } }'), 'students.a.cluster', '应当是这台机器上的集群名（1 到 12 个小写字母或数字，以字母开头）'],
  ];
  const thrown = (f: () => unknown) => thrownBy(f, ClassFileError);

  it('names the file and the key in Chinese too, and the English message is the catalogue\'s English', () => {
    for (const [f, key, zh] of CASES) {
      const err = thrown(f);
      const text = errorText(err);
      expect(t('en', text)).toBe(err.message);
      const chinese = t('zh-CN', text);
      expect(chinese, err.message).toContain(key ? `：${key}：${zh}` : `：${zh}`);
      expect(chinese, err.message).toMatch(/^\/.*class\.yaml：|none\.yaml：/);
      expect(chinese, err.message).not.toMatch(/\{\w+\}/);
    }
  });

  it('every class file message is among them', () => {
    const seen = new Set<string>(CASES.map(([f]) => ((errorText(thrown(f)) as Msg).params!.error as Msg).id));
    expect(Object.keys(en).filter((id) => id.startsWith('err.class.') && !['err.class.at', 'err.class.atKey'].includes(id) && !seen.has(id))).toEqual([]);
  });
});

/** A node that answers nothing (the stubbed checks do not ask it). */
const quietDriver = { exec: async () => ({ code: 1, stdout: '', stderr: 'no' }) } as unknown as NodeDriver;

describe('runner', () => {
  const spec = (timeoutS: number): ClassSpec => ({
    file,
    name: 'unit',
    labs: ['00'],
    points: { '00': 9 },
    timeoutS,
    students: [
      { id: 'good', name: 'Good' },
      { id: 'broken', name: 'Broken' },
      { id: 'gone', name: 'Gone' },
      { id: 'slow', name: 'Slow' },
    ],
  });
  // "good" passes every check of lab 00, "broken" fails them all (the checks are stubbed by mode).
  const open = async (s: { id: string }): Promise<StudentTarget> => {
    if (s.id === 'gone') throw new Unreachable('node1: connection refused');
    if (s.id === 'slow') await new Promise(() => {}); // never answers: only its timeout ends it
    const ctx = { driver: quietDriver, runtime: {} as never, pods: { list: async () => [] } as never, mode: s.id === 'good' ? 'pass' : 'host-gw' };
    return { hostname: `${s.id}-host`, ctx, close: async () => {} };
  };
  const real = { ...CHECKS };
  for (const id of catalog.find((l) => l.id === '00')!.checks.map((c) => c.id)) {
    CHECKS[id] = async (ctx) => (ctx.mode === 'pass' ? { passed: true, expected: 'x', found: 'x', hint: '' } : { passed: false, expected: 'x', found: 'y', hint: 'look' });
  }
  afterAll(() => Object.assign(CHECKS, real));

  it('grades each student within its timeout and writes the statuses, points and exit bits', async () => {
    const r = await gradeClass(spec(1), { topology: loadTopology(), catalog, jobs: 4, open });
    expect(r.students.map((s) => [s.student, s.status, s.points_awarded, s.points_available])).toEqual([
      ['good', 'ok', 9, 9],
      ['broken', 'failed', 0, 9],
      ['gone', 'unreachable', 0, 9],
      ['slow', 'error', 0, 9],
    ]);
    expect(r.students[2]!.error).toContain('connection refused');
    expect(r.students[3]!.error).toContain('timed out after 1 s');
    expect(r.students[2]!.labs[0]!.checks.every((c) => c.status === 'error')).toBe(true);
    expect(exitCodeOf(r)).toBe(2 | 4);
    expect(exitCodeOf({ ...r, students: [r.students[0]!] })).toBe(0);
    expect(exitCodeOf({ ...r, students: r.students.slice(0, 2) })).toBe(2);
    expect(exitCodeOf({ ...r, students: r.students.slice(2) })).toBe(4);

    const csv = formatCsv(r).trim().split('\n');
    expect(csv[0]).toBe('student,name,status,lab00,points_awarded,points_available,duration_s');
    expect(csv[1]).toMatch(/^good,Good,ok,9,9,9,[\d.]+$/);
    expect(csv[3]).toMatch(/^gone,Gone,unreachable,,0,9,[\d.]+$/);

    const junit = formatJunit(r);
    expect(junit.match(/<testsuite /g)).toHaveLength(4);
    expect(junit).toContain('classname="broken.00"');
    expect(junit).toContain('<failure');
    expect(junit).toMatch(/classname="gone\.00"[^>]*>\s*<error [^>]*type="Unreachable"/);
    expect(junit).toMatch(/classname="slow\.00"[^>]*>\s*<error [^>]*type="Timeout"/);

    // --only-errors: the regraded students replace theirs, the rest stay.
    const again = await gradeClass(spec(1), { topology: loadTopology(), catalog, jobs: 2, only: new Set(['gone']), open: async (s) => open(s.id === 'gone' ? { id: 'good' } : s) });
    const merged = mergeReports(r, again);
    expect(merged.students.map((s) => s.status)).toEqual(['ok', 'failed', 'ok', 'error']);
  });
});
