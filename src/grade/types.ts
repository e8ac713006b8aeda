// grades.json: the shape every other output (CSV, JUnit, HTML, feedback) is written from.
export type StudentStatus = 'ok' | 'failed' | 'unreachable' | 'error';
export type CheckStatus = 'passed' | 'failed' | 'error' | 'skipped';
export type LabStatus = 'passed' | 'failed' | 'error';

export interface CheckGrade {
  id: string;
  title: string;
  status: CheckStatus;
  expected: string;
  found: string;
  hint: string;
  duration_ms: number;
}

export interface LabGrade {
  lab: string;
  status: LabStatus;
  /** Points awarded for this lab (its points split evenly across its checks). */
  points: number;
  checks: CheckGrade[];
}

export interface StudentGrade {
  student: string;
  name: string;
  /** What was graded: the cluster name, or the inventory's node1 host. */
  hostname: string;
  status: StudentStatus;
  points_awarded: number;
  points_available: number;
  duration_s: number;
  labs: LabGrade[];
  /** Why the student is unreachable or in error; null otherwise. */
  error: string | null;
}

export interface GradeReport {
  version: 1;
  class: string;
  gradedAt: string;
  labs: { id: string; title: string; points: number }[];
  students: StudentGrade[];
}

/** 0 all passed; bit 2: some checks failed; bit 4: some students unreachable or in error. */
export function exitCodeOf(report: GradeReport): number {
  let code = 0;
  if (report.students.some((s) => s.status === 'failed')) code |= 2;
  if (report.students.some((s) => s.status === 'unreachable' || s.status === 'error')) code |= 4;
  return code;
}

/** Rounds points for display and files (a lab's points split over 3 checks are thirds). */
export const roundPoints = (n: number) => Math.round(n * 100) / 100;
