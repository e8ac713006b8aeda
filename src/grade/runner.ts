// Grading a class: every student's cluster, several at once (--jobs), each within its timeout.
// A dead or slow student ends as "unreachable" or "error" and never holds up the others.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Topology } from '../cluster/topology.ts';
import type { Lab } from '../labs/catalogParse.ts';
import { CHECKS } from '../validators/registry.ts';
import type { CheckContext } from '../validators/types.ts';
import type { ClassSpec, StudentSpec } from './classFile.ts';
import { openStudent, Unreachable, type StudentTarget } from './target.ts';
import { roundPoints, type CheckGrade, type GradeReport, type LabGrade, type StudentGrade } from './types.ts';

export type GradeEvent =
  | { kind: 'start'; student: string }
  | { kind: 'lab'; student: string; lab: string; passed: number; total: number }
  | { kind: 'done'; grade: StudentGrade };

export interface GradeOptions {
  topology: Topology;
  catalog: Lab[];
  jobs: number;
  /** Only these students (--only-errors); default all. */
  only?: Set<string>;
  onEvent?: (e: GradeEvent) => void;
  /** How a student's cluster is opened (tests may give another). */
  open?: typeof openStudent;
}

export async function gradeClass(spec: ClassSpec, opts: GradeOptions): Promise<GradeReport> {
  const labs = spec.labs.map((id) => opts.catalog.find((l) => l.id === id)!);
  const students = spec.students.filter((s) => !opts.only || opts.only.has(s.id));
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnilab-grade-'));
  const grades: StudentGrade[] = new Array(students.length);
  try {
    let next = 0;
    const worker = async () => {
      while (next < students.length) {
        const i = next++;
        const s = students[i]!;
        opts.onEvent?.({ kind: 'start', student: s.id });
        grades[i] = await gradeStudent(s, labs, spec, opts, workDir);
        opts.onEvent?.({ kind: 'done', grade: grades[i]! });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, students.length)) }, worker));
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  return {
    version: 1,
    class: spec.name,
    gradedAt: new Date().toISOString(),
    labs: labs.map((l) => ({ id: l.id, title: l.title, points: spec.points[l.id]! })),
    students: grades,
  };
}

/** One student: open the cluster, run each lab's checks, stop at the timeout. */
async function gradeStudent(s: StudentSpec, labs: Lab[], spec: ClassSpec, opts: GradeOptions, workDir: string): Promise<StudentGrade> {
  const started = Date.now();
  const done: LabGrade[] = [];
  let close: (() => Promise<void>) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), spec.timeoutS * 1000);
  });
  let status: StudentGrade['status'];
  let error: string | null = null;
  let hostname = s.cluster ?? path.basename(s.inventory ?? '');
  let over = false;
  const work = (async () => {
    const target = await (opts.open ?? openStudent)(s, opts.topology, workDir, spec.timeoutS, (c) => {
      close = c;
    });
    close = target.close;
    hostname = target.hostname;
    for (const lab of labs) {
      const g = await gradeLab(lab, target.ctx, spec.points[lab.id]!);
      if (over) return; // abandoned at the timeout: its late results are not this student's grade
      done.push(g);
      opts.onEvent?.({ kind: 'lab', student: s.id, lab: lab.id, passed: g.checks.filter((c) => c.status === 'passed').length, total: g.checks.length });
    }
  })();
  try {
    const r = await Promise.race([work.then(() => 'done' as const), timedOut]);
    if (r === 'timeout') {
      over = true;
      status = 'error';
      error = `timed out after ${spec.timeoutS} s (the class file's "timeout"): the checks did not finish`;
      work.catch(() => {}); // it is abandoned; its ssh connections are closed below
    } else {
      status = done.every((l) => l.status === 'passed') ? 'ok' : 'failed';
    }
  } catch (err) {
    status = err instanceof Unreachable ? 'unreachable' : 'error';
    error = err instanceof Unreachable ? err.message : `the grader failed on this student: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
    // Closing the connections also ends the commands an abandoned run still waits on.
    await (close as (() => Promise<void>) | undefined)?.().catch(() => {});
  }
  // Labs that did not run are listed all the same: a dead host is never missing from the report.
  const why = status === 'unreachable' ? 'unreachable' : 'timeout';
  const labsOut = labs.map((l) => done.find((g) => g.lab === l.id) ?? notRun(l, why, error ?? ''));
  const available = labs.reduce((a, l) => a + spec.points[l.id]!, 0);
  return {
    student: s.id,
    name: s.name,
    hostname,
    status,
    points_awarded: roundPoints(labsOut.reduce((a, l) => a + l.points, 0)),
    points_available: available,
    duration_s: Math.round((Date.now() - started) / 100) / 10,
    labs: labsOut,
    error,
  };
}

function notRun(lab: Lab, why: 'unreachable' | 'timeout', error: string): LabGrade {
  const found = why === 'unreachable' ? `not checked: the cluster could not be reached (${error})` : `not checked: ${error}`;
  return {
    lab: lab.id,
    status: 'error',
    points: 0,
    checks: lab.checks.map((c) => ({ id: c.id, title: c.title, status: 'error', expected: c.title, found, hint: '', duration_ms: 0 })),
  };
}

/** A lab's checks at once (they only read node state), each timed, in labs.yaml's order. */
async function gradeLab(lab: Lab, ctx: CheckContext, points: number): Promise<LabGrade> {
  const checks = await Promise.all(
    lab.checks.map(async (meta): Promise<CheckGrade> => {
      const fn = CHECKS[meta.id];
      const t0 = Date.now();
      if (!fn) return { id: meta.id, title: meta.title, status: 'skipped', expected: meta.title, found: 'this kit has no implementation of the check', hint: '', duration_ms: 0 };
      try {
        const v = await fn(ctx);
        return { id: meta.id, title: meta.title, status: v.passed ? 'passed' : 'failed', expected: v.expected, found: v.found, hint: v.hint, duration_ms: Date.now() - t0 };
      } catch (err) {
        return { id: meta.id, title: meta.title, status: 'error', expected: meta.title, found: `the check could not run: ${(err as Error).message}`, hint: 'Is the cluster up, and is the node config in place?', duration_ms: Date.now() - t0 };
      }
    }),
  );
  const per = checks.length ? points / checks.length : 0;
  const passed = checks.filter((c) => c.status === 'passed').length;
  const status = checks.some((c) => c.status === 'error') ? 'error' : passed === checks.length ? 'passed' : 'failed';
  return { lab: lab.id, status, points: roundPoints(per * passed), checks };
}

/** --only-errors: the new grades of the regraded students replace theirs in the previous report. */
export function mergeReports(previous: GradeReport, regraded: GradeReport): GradeReport {
  const byId = new Map(regraded.students.map((s) => [s.student, s]));
  return { ...regraded, students: previous.students.map((s) => byId.get(s.student) ?? s) };
}
