// `cnilab grade` for real: a class of five on this machine. Three students' machines are the nodes
// of two netns clusters, each node an sshd in its own namespace reached through ProxyCommand (no
// listener in the machine's own namespace); one student is a simulated cluster on this machine.
//   solved  — labs 00–06 solved with `cnilab solve` over ssh       → ok
//   half    — labs 00–03 solved                                     → failed
//   away    — the half machines on a port where nothing answers     → unreachable, then back
//   stall   — the solved machines through an sshd whose commands hang → error (timeout)
//   broken  — a sim cluster solved to 06, then a pod route deleted    → failed
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBackend } from '../../src/cluster/backends.ts';
import type { NetnsBackend } from '../../src/cluster/netns/netnsBackend.ts';
import { loadTopology, workers } from '../../src/cluster/topology.ts';
import type { GradeReport } from '../../src/grade/types.ts';
import { solveLab } from '../../src/labs/actions.ts';
import { findLab, loadCatalog } from '../../src/labs/catalog.ts';
import { cnilab, startSimCluster, type Cluster } from '../helpers/cluster.ts';
import { uniqueName } from '../helpers/names.ts';
import { startSshMachines, type SshMachines } from '../helpers/sshNodes.ts';
import { NetnsBackend as Netns } from '../../src/cluster/netns/netnsBackend.ts';
import type { SimBackend } from '../../src/cluster/sim/simBackend.ts';

const topology = loadTopology();
const catalog = loadCatalog();
// Solved up to 06; graded on four of them (the issue's example class), so the class stays quick.
const SOLVED = ['00', '01', '02', '03', '04', '05', '06'];
const LABS = ['00', '01', '04', '06'];
const TIMEOUT_S = 150;

const dir = path.join(os.tmpdir(), uniqueName());
const out = path.join(dir, 'out');
const out2 = path.join(dir, 'out2');
const names = { a: uniqueName(), b: uniqueName(), sshA: uniqueName(), sshB: uniqueName() };
let netns: NetnsBackend[] = [];
let machines: SshMachines[] = [];
let sim: Cluster<SimBackend> | undefined;
let first: { code: number; stdout: string; stderr: string };

/** The solved student's node state, read over ssh as the lab tests read it (links, routes, leases, pods). */
async function nodeState(): Promise<string[]> {
  const { driver } = makeBackend('ssh', topology, names.sshA);
  const per = await Promise.all(
    workers(topology).map(async (w) => [
      ...(await driver.exec(w.name, ['ip', '-br', 'link'])).stdout.replace(/@\S+/g, '').split('\n').map((l) => `${w.name} link ${l}`),
      ...(await driver.exec(w.name, ['ip', 'route'])).stdout.split('\n').map((l) => `${w.name} route ${l}`),
      ...(await driver.exec(w.name, ['sh', '-c', 'ls -1 /var/lib/cni/simplecni/simplecni /run/simplecni-lab/pods/*'])).stdout.split('\n').map((l) => `${w.name} file ${l}`),
    ]),
  );
  return per.flat();
}

const ok = async (args: string[]) => {
  const r = await cnilab(args);
  if (r.code !== 0) throw new Error(`cnilab ${args.join(' ')}: exit ${r.code}\n${r.stderr}${r.stdout}`);
  return r;
};
let before: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(dir, { recursive: true });
  try {
    for (const n of [names.a, names.b]) {
      const b = new Netns(topology, n);
      netns.push(b);
      await b.up({ mode: 'host-gw' });
      machines.push(await startSshMachines(topology, (node) => b.layout.nodeNs(node), path.join(dir, `ssh-${n}`)));
    }
    const [mA, mB] = machines as [SshMachines, SshMachines];
    const invA = mA.inventory(path.join(dir, 'inv-solved.yaml'));
    const invB = mB.inventory(path.join(dir, 'inv-half.yaml'));
    mB.inventory(path.join(dir, 'inv-away.yaml'), 2222);
    mA.inventory(path.join(dir, 'inv-stall.yaml'), 2223);
    // The stalled student's sshd lets the connection through, and hangs every command after it.
    const stall = path.join(dir, 'stall.sh');
    fs.writeFileSync(stall, '#!/bin/sh\ncase "$SSH_ORIGINAL_COMMAND" in true) exit 0;; esac\nexec sleep 600\n', { mode: 0o755 });
    await mA.listen(2223, { forceCommand: stall });

    // The students' work, done the way a student does it: the kit's CLI over the ssh backend.
    await ok(['--cluster', names.sshA, 'cluster', 'up', '--backend', 'ssh', '--inventory', invA]);
    await ok(['--cluster', names.sshB, 'cluster', 'up', '--backend', 'ssh', '--inventory', invB]);
    for (const l of SOLVED) await ok(['--cluster', names.sshA, 'solve', l, '--yes']);
    for (const l of SOLVED.slice(0, 4)) await ok(['--cluster', names.sshB, 'solve', l, '--yes']);
    sim = await startSimCluster();
    for (const l of SOLVED) await solveLab(sim.env, findLab(catalog, l));
    await sim.driver.exec('node1', ['ip', 'route', 'del', '10.244.2.0/24']);

    fs.writeFileSync(
      path.join(dir, 'class.yaml'),
      [
        `labs: [${LABS.map((l) => `"${l}"`).join(', ')}]`,
        'points: { default: 10, "06": 20 }',
        `timeout: ${TIMEOUT_S}`,
        'students:',
        '  solved: { inventory: inv-solved.yaml, name: "Ada Solved" }',
        '  half: { inventory: inv-half.yaml, name: "Hal Halfway" }',
        '  away: { inventory: inv-away.yaml, name: "Ava Away" }',
        '  stall: { inventory: inv-stall.yaml, name: "Stan Stall" }',
        `  broken: { cluster: ${sim.name}, name: "Bo Broken" }`,
        '',
      ].join('\n'),
    );
    before = await nodeState();
    first = await cnilab(['grade', '--class', path.join(dir, 'class.yaml'), '--out', out, '--jobs', '5']);
  } catch (err) {
    await cleanup();
    throw err;
  }
}, 900_000);

async function cleanup() {
  for (const n of [names.sshA, names.sshB]) await cnilab(['--cluster', n, 'cluster', 'down']);
  for (const m of machines) await m.stop();
  for (const b of netns) await b.down();
  await sim?.down();
  netns = [];
  machines = [];
  fs.rmSync(dir, { recursive: true, force: true });
}
afterAll(cleanup, 300_000);

const read = (d: string, f: string) => fs.readFileSync(path.join(d, f), 'utf8');

describe('cnilab grade, a class of five', () => {
  it('exits with bits 2 (checks failed) and 4 (unreachable or in error), with live lines and a recap', () => {
    expect(first.code, first.stderr + first.stdout).toBe(2 | 4);
    expect(first.stdout).toMatch(/… solved +lab 06: \d+\/\d+ checks pass/);
    expect(first.stdout).toContain('GRADE RECAP');
    expect(first.stdout).toMatch(/away +: unreachable +passed=0 +failed=0 +unreachable=\d+/);
  });

  it('grades.csv: a row per student, the statuses, points per lab, never a silent 0', () => {
    const rows = read(out, 'grades.csv').trim().split('\n').map((l) => l.split(','));
    expect(rows[0]).toEqual(['student', 'name', 'status', ...LABS.map((l) => `lab${l}`), 'points_awarded', 'points_available', 'duration_s']);
    const by: Record<string, string[]> = Object.fromEntries(rows.slice(1).map((r) => [r[0], r]));
    expect(Object.fromEntries(Object.entries(by).map(([k, r]) => [k, r[2]]))).toEqual({ solved: 'ok', half: 'failed', away: 'unreachable', stall: 'error', broken: 'failed' });
    expect(by.solved!.slice(3, 9)).toEqual(['10', '10', '10', '20', '50', '50']);
    expect(by.half!.slice(3, 5)).toEqual(['10', '10']);
    expect(Number(by.half![7])).toBeLessThan(50);
    expect(by.away!.slice(3, 7)).toEqual(['', '', '', '']);
    expect(Number(by.broken![6])).toBeLessThan(20); // lab 06 lost the deleted route's check
  });

  it('grades.json: the contract, check statuses, the failed check with expected and found', () => {
    const r = JSON.parse(read(out, 'grades.json')) as GradeReport;
    expect(r).toMatchObject({ version: 1, class: 'class', labs: LABS.map((id) => ({ id })) });
    expect(typeof r.gradedAt).toBe('string');
    const s = Object.fromEntries(r.students.map((x) => [x.student, x]));
    expect(Object.keys(s[`solved`]!).sort()).toEqual(['duration_s', 'error', 'hostname', 'labs', 'name', 'points_available', 'points_awarded', 'status', 'student'].sort());
    expect(s.solved!.labs.flatMap((l) => l.checks).every((c) => c.status === 'passed')).toBe(true);
    expect(Object.keys(s.solved!.labs[0]!.checks[0]!).sort()).toEqual(['duration_ms', 'expected', 'found', 'hint', 'id', 'status', 'title']);
    const brokenFailed = s.broken!.labs.find((l) => l.lab === '06')!.checks.filter((c) => c.status === 'failed');
    expect(brokenFailed.length).toBeGreaterThan(0);
    expect(brokenFailed.map((c) => c.found).join(' ')).toMatch(/10\.244\.2\.0\/24/);
    expect(s.half!.labs.find((l) => l.lab === '04')!.status).toBe('failed');
    expect(s.away!.error).toMatch(/node1/);
    expect(s.away!.labs.flatMap((l) => l.checks).every((c) => c.status === 'error')).toBe(true);
    expect(s.stall!.error).toMatch(/timed out after 150 s/);
  });

  it('junit.xml: a suite per student and lab, classnames apart, failures vs Unreachable/Timeout errors', () => {
    const x = read(out, 'junit.xml');
    const suites = [...x.matchAll(/<testsuite name="([^"]+)" hostname="([^"]*)"[^>]*tests="(\d+)" failures="(\d+)" errors="(\d+)"/g)];
    expect(suites).toHaveLength(5 * LABS.length);
    expect(suites.find((m) => m[1] === 'solved · lab 06')![2]).toBe('192.168.56.11');
    // [, classname, name, the rest, the inner element, its type]
    const cases = [...x.matchAll(/<testcase classname="([^"]+)" name="([^"]+)"[^>]*?(\/>|>\s*<(failure|error|skipped)([^>]*)>)/g)].map((m) => [...m.slice(0, 5), /type="([^"]+)"/.exec(m[5] ?? '')?.[1]]);
    const total = catalog.filter((l) => LABS.includes(l.id)).reduce((a, l) => a + l.checks.length, 0);
    expect(cases).toHaveLength(5 * total);
    const of = (student: string) => cases.filter((c) => c[1]!.startsWith(`${student}.`));
    expect(of('solved').every((c) => c[3] === '/>')).toBe(true);
    expect(of('away').every((c) => c[4] === 'error' && c[5] === 'Unreachable')).toBe(true);
    expect(of('stall').some((c) => c[4] === 'error' && c[5] === 'Timeout')).toBe(true);
    expect(of('broken').filter((c) => c[4] === 'failure').map((c) => c[1])).toContain('broken.06');
    expect(new Set(cases.map((c) => c[1]))).toContain('half.04');
  });

  it('feedback/<student>.md: passed, failed with found vs expected and the hint', () => {
    expect(fs.readdirSync(path.join(out, 'feedback')).sort()).toEqual(['away.md', 'broken.md', 'half.md', 'solved.md', 'stall.md']);
    const b = read(out, 'feedback/broken.md');
    expect(b).toMatch(/^# Bo Broken/);
    expect(b).toMatch(/- ✓ /);
    expect(b).toMatch(/- ✗ .*\n  - expected: .*\n  - found: .*10\.244\.2\.0\/24[^\n]*\n  - hint: /);
    expect(read(out, 'feedback/away.md')).toContain('could not be reached');
    expect(read(out, 'report.html')).toContain('"student":"solved"');
  });

  it('grading changed nothing on the student\'s nodes', async () => {
    expect(before.length).toBeGreaterThan(20);
    expect(await nodeState()).toEqual(before);
  });

  it("a student's machine answers at the lab texts' paths: links to the standard places, which name the cluster", async () => {
    const { driver } = makeBackend('ssh', topology, names.sshA);
    const on2 = async (script: string) => {
      const r = await driver.exec('node2', ['sh', '-c', script]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    const text = `/run/simplecni-lab/${names.sshA}/nodes/node2`;
    expect((await on2(`readlink /etc/cni/bin ${text}/ipam ${text}/results ${text}/netns`)).trim().split('\n')).toEqual([
      '/opt/cni/bin',
      '/var/lib/cni/simplecni',
      '/var/lib/cni/results',
      '/run/simplecni-lab/pods/node2',
    ]);
    // The solved student's leases and pods, seen through the texts' paths.
    const leases = await on2(`ls -1 ${text}/ipam/simplecni`);
    expect(leases).toMatch(/^10\.244\.2\.\d+$/m);
    expect(leases).toBe(await on2('ls -1 /var/lib/cni/simplecni/simplecni'));
    expect(await on2(`ls -1 ${text}/netns/`)).toBe(await on2('ls -1 /run/simplecni-lab/pods/node2/'));
  });

  it('--only-errors regrades the unreachable and errored students once they are back, and merges', async () => {
    const [mA, mB] = machines as [SshMachines, SshMachines];
    await mB.listen(2222); // "away" is back: its machines answer now
    await mA.unlisten(2223); // "stall" has gone dark instead
    const r = await cnilab(['grade', '--class', path.join(dir, 'class.yaml'), '--out', out2, '--only-errors', path.join(out, 'grades.json')]);
    expect(r.stdout).toContain('Grading 2 of 5 students');
    expect(r.code).toBe(2 | 4);
    const g = JSON.parse(read(out2, 'grades.json')) as GradeReport;
    expect(g.students.map((s) => [s.student, s.status])).toEqual([
      ['solved', 'ok'],
      ['half', 'failed'],
      ['away', 'failed'],
      ['stall', 'unreachable'],
      ['broken', 'failed'],
    ]);
    const half = g.students.find((s) => s.student === 'half')!;
    expect(g.students.find((s) => s.student === 'away')!.points_awarded).toBe(half.points_awarded);
    expect(read(out2, 'grades.csv')).toMatch(/\naway,Ava Away,failed,10,10,[\d.]+,[\d.]+,[\d.]+,50,/);
  });
});
