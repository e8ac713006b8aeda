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
    fail(`--only-errors ${file}: cannot read it as grades.json (${(err as Error).message})`, 'give the grades.json of an earlier run');
  }
  if (r.version !== 1 || !Array.isArray(r.students) || !Array.isArray(r.labs)) fail(`--only-errors ${file}: not a grades.json of version 1`);
  return r;
}

export async function grade(opts: GradeOptions): Promise<void> {
  const jobs = opts.jobs === undefined ? 8 : Number(opts.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) fail(`--jobs ${opts.jobs}: a whole number of students graded at once, 1 or more`);
  let catalog: Lab[], spec: ClassSpec, topology: Topology;
  try {
    catalog = loadCatalog();
    topology = loadTopology(opts.topology);
    spec = loadClassFile(opts.class, catalog);
  } catch (err) {
    if (err instanceof ClassFileError) fail(err.message, 'fix the class file (see "For instructors" in the README)');
    if (err instanceof CatalogError) fail(err.message, 'fix labs/labs.yaml');
    if (err instanceof TopologyError) fail(err.message, 'fix the file, or point --topology at another one');
    throw err;
  }
  if (opts.labs) {
    const asked = opts.labs.split(',').map((l) => l.trim()).filter(Boolean);
    const unknown = asked.filter((l) => !spec.labs.includes(l));
    if (unknown.length) fail(`--labs: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the class's labs (${spec.labs.join(', ')})`);
    spec = { ...spec, labs: spec.labs.filter((l) => asked.includes(l)) };
  }
  const previous = opts.onlyErrors ? readPrevious(opts.onlyErrors) : undefined;
  let only: Set<string> | undefined;
  if (previous) {
    if (previous.labs.map((l) => l.id).join() !== spec.labs.join()) {
      fail(`--only-errors ${opts.onlyErrors}: it graded labs ${previous.labs.map((l) => l.id).join(', ')}, this run grades ${spec.labs.join(', ')}`, 'give the same --labs as that run');
    }
    only = new Set(previous.students.filter((s) => s.status === 'unreachable' || s.status === 'error').map((s) => s.student));
    const gone = [...only].filter((id) => !spec.students.some((s) => s.id === id));
    if (gone.length) fail(`--only-errors: ${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} not in ${opts.class} any more`);
  }
  const out = opts.out ?? defaultOutDir();
  const width = Math.max(12, ...spec.students.map((s) => s.id.length));
  info(`Grading ${only ? `${only.size} of ${spec.students.length}` : spec.students.length} students on labs ${spec.labs.join(', ')} (${jobs} at a time, ${spec.timeoutS} s each)`);
  let report = await gradeClass(spec, {
    topology,
    catalog,
    jobs,
    ...(only ? { only } : {}),
    onEvent: (e) => info(progressLine(e, width)),
  });
  if (previous) report = mergeReports(previous, report);
  writeOutputs(out, report);
  info(`\n${recap(report)}\n`);
  info(`Report: ${cmd(path.join(out, 'report.html'))} (also grades.csv, grades.json, junit.xml, feedback/)`);
  const code = exitCodeOf(report);
  if (code !== 0) throw new ExitError(code);
}
