// `cnilab grade` on a class of 30 students, each a cluster on the simulated kernel on this machine,
// graded 8 at a time: the wall time of the whole run and the median time per student.
// Half the class solved labs 00 and 04, the other half lab 00 only. npx tsx bench/grade.ts [--students N]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeBackend } from '../src/cluster/backends.ts';
import type { ClusterBackend } from '../src/cluster/backend.ts';
import { loadTopology } from '../src/cluster/topology.ts';
import type { GradeReport } from '../src/grade/types.ts';
import { solveLab } from '../src/labs/actions.ts';
import { findLab, loadCatalog } from '../src/labs/catalog.ts';
import { execCommand } from '../src/shared/exec.ts';
import { formatTable } from './lib/report.ts';
import { median, percentile } from './lib/stats.ts';

const flag = process.argv.indexOf('--students');
const N = flag >= 0 ? Number(process.argv[flag + 1]) : 30;
const JOBS = 8;
const LABS = ['00', '04'];
const topology = loadTopology();
const catalog = loadCatalog();
const tag = Math.random().toString(36).slice(2, 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnilab-bench-grade-'));
const clusters: ClusterBackend[] = [];

try {
  console.log(`Making ${N} sim clusters…`);
  for (let i = 0; i < N; i++) {
    const b = makeBackend('sim', topology, `bg${tag}${String(i).padStart(2, '0')}`);
    clusters.push(b);
    await b.up({ mode: 'host-gw' });
    const env = { topology, backend: b, driver: b.driver };
    for (const l of i % 2 === 0 ? LABS : LABS.slice(0, 1)) await solveLab(env, findLab(catalog, l));
  }
  const classFile = path.join(dir, 'class.yaml');
  fs.writeFileSync(classFile, [`labs: [${LABS.map((l) => `"${l}"`).join(', ')}]`, 'timeout: 300', 'students:', ...clusters.map((b, i) => `  s${String(i + 1).padStart(2, '0')}: { cluster: ${b.cluster} }`), ''].join('\n'));
  const t0 = performance.now();
  const r = await execCommand(['bin/cnilab', 'grade', '--class', classFile, '--jobs', String(JOBS), '--out', path.join(dir, 'out')], { env: { NO_COLOR: '1' } });
  const wall = (performance.now() - t0) / 1000;
  if (r.code !== 0 && r.code !== 2) throw new Error(`cnilab grade exited ${r.code}:\n${r.stderr}${r.stdout.slice(-2000)}`);
  const report = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'grades.json'), 'utf8')) as GradeReport;
  const per = report.students.map((s) => s.duration_s);
  const statuses = report.students.reduce<Record<string, number>>((a, s) => ({ ...a, [s.status]: (a[s.status] ?? 0) + 1 }), {});
  console.log(`\ncnilab grade: ${N} students on sim clusters, labs ${LABS.join(', ')}, --jobs ${JOBS} (${Object.entries(statuses).map(([k, v]) => `${v} ${k}`).join(', ')})\n`);
  console.log(
    formatTable(
      ['measure', 'seconds'],
      [
        ['wall time, whole class', wall.toFixed(1)],
        ['per student, median', median(per).toFixed(1)],
        ['per student, p95', percentile(per, 95).toFixed(1)],
        ['per student, max', Math.max(...per).toFixed(1)],
      ],
    ).join('\n'),
  );
} finally {
  for (const b of clusters) await b.down().catch(() => {});
  fs.rmSync(dir, { recursive: true, force: true });
}
