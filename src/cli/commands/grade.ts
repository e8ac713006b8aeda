// cnilab grade: every lab's checks on every student's cluster, and the class's report.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CatalogError, loadCatalog } from '../../labs/catalog.ts';
import { loadTopology, TopologyError } from '../../cluster/topology.ts';
import { ClassFileError, loadClassFile, type ClassSpec } from '../../grade/classFile.ts';
import type { Lab } from '../../labs/catalogParse.ts';
import type { Topology } from '../../cluster/topology.ts';
import { defaultOutDir, writeOutputs } from '../../grade/outputs.ts';
import { progressLine, recap } from '../../grade/progressView.ts';
import { gradeClass, mergeReports } from '../../grade/runner.ts';
import { exitCodeOf, type GradeReport } from '../../grade/types.ts';
import type { GlobalOptions } from '../context.ts';
import { cmd, ExitError, fail, info } from '../output.ts';
import { cliLang, cliT, cliErr } from '../lang.ts';
import { t } from '../../i18n/index.ts';

export interface GradeOptions extends GlobalOptions {
  class: string;
  labs?: string;
  jobs?: string;
  out?: string;
  onlyErrors?: string;
}

function readPrevious(file: string): GradeReport {
  let r: GradeReport;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8')) as GradeReport;
  } catch (err) {
    fail(cliT('cli.grade.notGrades', { file, error: cliErr(err) }), cliT('cli.grade.notGradesHint'));
  }
  if (r.version !== 1 || !Array.isArray(r.students) || !Array.isArray(r.labs)) fail(cliT('cli.grade.badVersion', { file }));
  return r;
}

export async function grade(opts: GradeOptions): Promise<void> {
  const jobs = opts.jobs === undefined ? 8 : Number(opts.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) fail(cliT('cli.grade.badJobs', { jobs: opts.jobs ?? '' }));
  let catalog: Lab[], spec: ClassSpec, topology: Topology;
  try {
    catalog = loadCatalog();
    topology = loadTopology(opts.topology);
    spec = loadClassFile(opts.class, catalog);
  } catch (err) {
    if (err instanceof ClassFileError) fail(cliErr(err), cliT('cli.grade.fixClass'));
    if (err instanceof CatalogError) fail(err.message, cliT('cli.lab.fixCatalog'));
    if (err instanceof TopologyError) fail(cliErr(err), cliT('cli.topology.hint'));
    throw err;
  }
  if (opts.labs) {
    const asked = opts.labs.split(',').map((l) => l.trim()).filter(Boolean);
    const unknown = asked.filter((l) => !spec.labs.includes(l));
    if (unknown.length) fail(cliT(unknown.length === 1 ? 'cli.grade.unknownLab' : 'cli.grade.unknownLabs', { labs: unknown.join(', '), all: spec.labs.join(', ') }));
    spec = { ...spec, labs: spec.labs.filter((l) => asked.includes(l)) };
  }
  const previous = opts.onlyErrors ? readPrevious(opts.onlyErrors) : undefined;
  let only: Set<string> | undefined;
  if (previous) {
    if (previous.labs.map((l) => l.id).join() !== spec.labs.join()) {
      fail(cliT('cli.grade.otherLabs', { file: opts.onlyErrors ?? '', then: previous.labs.map((l) => l.id).join(', '), now: spec.labs.join(', ') }), cliT('cli.grade.otherLabsHint'));
    }
    only = new Set(previous.students.filter((s) => s.status === 'unreachable' || s.status === 'error').map((s) => s.student));
    const gone = [...only].filter((id) => !spec.students.some((s) => s.id === id));
    if (gone.length) fail(cliT(gone.length === 1 ? 'cli.grade.goneOne' : 'cli.grade.goneMany', { students: gone.join(', '), file: opts.class }));
  }
  const out = opts.out ?? defaultOutDir();
  const width = Math.max(12, ...spec.students.map((s) => s.id.length));
  info(cliT('cli.grade.start', { students: only ? cliT('cli.grade.some', { n: only.size, all: spec.students.length }) : spec.students.length, labs: spec.labs.join(', '), jobs, timeout: spec.timeoutS }));
  let report = await gradeClass(spec, {
    topology,
    catalog,
    jobs,
    ...(only ? { only } : {}),
    onEvent: (e) => info(progressLine(e, width, (x) => t(cliLang(), x))),
  });
  if (previous) report = mergeReports(previous, report);
  writeOutputs(out, report);
  info(`\n${recap(report)}\n`);
  info(cliT('cli.grade.report', { file: cmd(path.join(out, 'report.html')) }));
  const code = exitCodeOf(report);
  if (code !== 0) throw new ExitError(code);
}
