// Plugin latency: SimpleCNI against Debian's reference plugins (bridge + host-local), side by side.
//
//   npx tsx bench/plugin-latency.ts [--cycles 50] [--concurrent 100] [--json FILE] [--no-build]
//
// Needs root (it creates network namespaces). Both plugins run only inside a "node" netns that
// this run creates (`ip netns add bench-<random>`), never in the machine's own: a small timing
// driver (lib/driver.ts) is started there once with `nsenter --net=…`, checks that it is there,
// and spawns each plugin directly, timing spawn → exit. So neither plugin pays for a wrapper.
// Pod netns are files pinned under a temp dir. Everything is removed at the end, on error and on
// SIGINT/SIGTERM.
//
// Phases: warm-up (1 ADD+DEL each, not counted: it creates the bridges), N sequential cycles
// (fresh pod netns, ADD then DEL; the order ours/reference alternates per cycle), then M
// concurrent ADDs and M concurrent DELs per plugin with a leftover check, then context
// measurements (bare `node -e 0`, a single `ip`, …). SimpleCNI runs with SIMPLECNI_TIMING=1 and
// its `timing: <label> <ms>` stderr lines give the breakdown of where an ADD's time goes.
import { Command, InvalidArgumentError } from 'commander';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import pc from 'picocolors';
import { DriverClient, type Job, type JobResult } from './lib/jobs.ts';
import { buildPlugin, ensurePackages, isRoot, JOB_PATH, REF_BRIDGE } from './lib/prereqs.ts';
import { formatTable, ms, ratio } from './lib/report.ts';
import { Sandbox, sh } from './lib/sandbox.ts';
import { median, round2, summarize, type Summary } from './lib/stats.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const JOB_TIMEOUT_MS = 30_000;
const CONTEXT_REPS = 20;
const BAR = 6; // the first bar: ADD p50 ≤ 6× the reference's
const MAX_CONCURRENT = 250; // both IPAM ranges are a /24
const SETTLE_MS = 1000; // pause after a concurrent phase

interface Options {
  cycles: number;
  concurrent: number;
  json?: string;
  build: boolean;
}

type Who = 'ours' | 'ref';

interface PluginUnderTest {
  who: Who;
  name: string;
  argv: string[];
  config: string;
  extraEnv: Record<string, string>;
  /** Where its leases appear, one file per IP. */
  leaseDir: string;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

class BenchError extends Error {}

// ---------------------------------------------------------------- plugins and jobs

function pluginsUnderTest(sandbox: Sandbox, bundle: string): Record<Who, PluginUnderTest> {
  const ipamFile = path.join(sandbox.dir, 'ipam.config');
  const dataDir = path.join(sandbox.dir, 'simplecni-data');
  const hostLocalDir = path.join(sandbox.dir, 'host-local');
  fs.writeFileSync(ipamFile, JSON.stringify({ Subnet: '10.244.1.0/24', Gateway: '10.244.1.1' }));
  return {
    ours: {
      who: 'ours',
      name: 'SimpleCNI',
      argv: [process.execPath, bundle],
      config: JSON.stringify({
        cniVersion: '1.0.0', name: 'benchnet', type: 'simplecni', bridge: 'simplecni0', subnet: '10.244.0.0/16',
        ipamFile, dataDir, mtu: 1500, ipMasq: false, mode: 'host-gw',
      }),
      extraEnv: { SIMPLECNI_TIMING: '1' },
      leaseDir: path.join(dataDir, 'benchnet'),
    },
    ref: {
      who: 'ref',
      name: 'bridge+host-local',
      argv: [REF_BRIDGE],
      config: JSON.stringify({
        cniVersion: '1.0.0', name: 'benchref', type: 'bridge', bridge: 'refbr0', isGateway: true, ipMasq: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: '10.245.1.0/24' }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: hostLocalDir },
      }),
      extraEnv: {},
      leaseDir: path.join(hostLocalDir, 'benchref'),
    },
  };
}

function cniJob(p: PluginUnderTest, command: 'ADD' | 'DEL' | 'VERSION', containerId: string, netns: string): Job {
  return {
    argv: p.argv,
    env: {
      PATH: JOB_PATH,
      CNI_COMMAND: command,
      CNI_CONTAINERID: containerId,
      CNI_NETNS: netns,
      CNI_IFNAME: 'eth0',
      CNI_PATH: '/usr/lib/cni',
      ...p.extraEnv,
    },
    stdin: p.config,
  };
}

const tail = (s: string, n = 6) => s.trim().split('\n').slice(-n).join('\n    ');

function describeFailure(p: PluginUnderTest, what: string, r: JobResult): string {
  const how = r.timedOut ? `timed out after ${JOB_TIMEOUT_MS / 1000} s` : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`;
  return `${p.name} ${what} failed (${how})\n    stdout: ${tail(r.stdout) || '(empty)'}\n    stderr: ${tail(r.stderr) || '(empty)'}`;
}

/** The address an ADD result gave; undefined if the ADD failed. */
function addedIp(r: JobResult): string | undefined {
  if (r.code !== 0) return undefined;
  try {
    const res = JSON.parse(r.stdout) as { ips?: { address?: string }[] };
    return res.ips?.[0]?.address?.split('/')[0];
  } catch {
    return undefined;
  }
}

const LEASE_NAME = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
function leaseFiles(p: PluginUnderTest): string[] {
  try {
    return fs.readdirSync(p.leaseDir).filter((f) => LEASE_NAME.test(f) || f.startsWith('.tmp-'));
  } catch {
    return [];
  }
}

type Timings = Map<string, { ms: number; calls: number }>;

const STARTUP = 'runtime start-up';
const WORK = 'plugin work';
const REST = 'rest of plugin work (JS outside timed steps)';
const UNSEEN = 'outside its own clocks (exec, exit)';
const TOTAL = 'total, spawn → exit (measured outside)';

/**
 * `timing: <label> <ms>` lines → summed ms and call count per label, in order of first appearance,
 * plus derived entries: the part of "plugin work" no timed step covers, the part of the total the
 * plugin's clocks cannot see (before Node's time origin, and exit), and the total itself.
 * Per-pod names in labels (`ip link del veth1a2b3c4d`) are folded so runs aggregate.
 */
function parseTimings(stderr: string, totalMs: number): Timings {
  const m: Timings = new Map();
  for (const line of stderr.split('\n')) {
    const t = /^timing: (.+) (\d+(?:\.\d+)?)$/.exec(line.trim());
    if (!t) continue;
    const label = t[1]!.replace(/\bveth[0-9a-f]{8}\b/g, '<veth>');
    const e = m.get(label) ?? { ms: 0, calls: 0 };
    e.ms += Number(t[2]);
    e.calls++;
    m.set(label, e);
  }
  const startup = m.get(STARTUP)?.ms ?? Number.NaN;
  const work = m.get(WORK)?.ms ?? Number.NaN;
  let steps = 0;
  for (const [label, e] of m) if (label !== STARTUP && label !== WORK) steps += e.ms;
  m.set(REST, { ms: work - steps, calls: 1 });
  m.set(UNSEEN, { ms: totalMs - startup - work, calls: 1 });
  m.set(TOTAL, { ms: totalMs, calls: 1 });
  return m;
}

// ---------------------------------------------------------------- the run

interface Samples {
  add: number[];
  del: number[];
}

interface ConcurrentOutcome {
  n: number;
  addWallMs: number;
  delWallMs: number;
  addFailed: number;
  delFailed: number;
  uniqueIps: number;
  addEachP50: number;
  vethsAfterAdd: number;
  vethsLeft: number;
  leasesLeft: number;
  firstFailure?: string;
}

interface Context {
  nodeBare: number;
  oursVersion: number;
  refVersion: number;
  ipOnce: number;
  nsenterIpOnce: number;
}

interface BreakdownRow {
  label: string;
  /** Part of "plugin work" (shown indented). */
  step: boolean;
  addCalls: number;
  addP50: number;
  delCalls: number;
  delP50: number;
}

class Bench {
  readonly samples: Record<Who, Samples> = { ours: { add: [], del: [] }, ref: { add: [], del: [] } };
  readonly oursAddTimings: Timings[] = [];
  readonly oursDelTimings: Timings[] = [];

  constructor(
    private readonly _sandbox: Sandbox,
    private readonly _driver: DriverClient,
    readonly plugins: Record<Who, PluginUnderTest>,
  ) {}

  /** One fresh pod netns, ADD then DEL, both timed. Throws on any failure. */
  async cycle(p: PluginUnderTest, tag: string, record: boolean): Promise<void> {
    const ns = await this._sandbox.createPod(`${p.who}-${tag}`);
    const id = `bench-${p.who}-${tag}`;
    try {
      const add = await this._driver.runOne(cniJob(p, 'ADD', id, ns), JOB_TIMEOUT_MS);
      if (!addedIp(add)) throw new BenchError(describeFailure(p, `ADD (${id})`, add));
      const del = await this._driver.runOne(cniJob(p, 'DEL', id, ns), JOB_TIMEOUT_MS);
      if (del.code !== 0) throw new BenchError(describeFailure(p, `DEL (${id})`, del));
      if (!record) return;
      this.samples[p.who].add.push(add.ms);
      this.samples[p.who].del.push(del.ms);
      if (p.who === 'ours') {
        this.oursAddTimings.push(parseTimings(add.stderr, add.ms));
        this.oursDelTimings.push(parseTimings(del.stderr, del.ms));
      }
    } finally {
      await this._sandbox.removePod(ns);
    }
  }

  /** n ADDs started at once, then n DELs at once; then what is left on the node. */
  async concurrent(p: PluginUnderTest, n: number): Promise<ConcurrentOutcome> {
    const pods: string[] = [];
    const ids = Array.from({ length: n }, (_, i) => `bench-${p.who}-k${i}`);
    try {
      for (let i = 0; i < n; i++) pods.push(await this._sandbox.createPod(`${p.who}-k${i}`));
      const add = await this._driver.run(pods.map((ns, i) => cniJob(p, 'ADD', ids[i]!, ns)), JOB_TIMEOUT_MS);
      const ips = add.results.map(addedIp);
      const vethsAfterAdd = (await this._sandbox.nodeLinks('veth')).length;
      const del = await this._driver.run(pods.map((ns, i) => cniJob(p, 'DEL', ids[i]!, ns)), JOB_TIMEOUT_MS);
      const badAdd = ips.findIndex((ip) => !ip);
      const badDel = del.results.findIndex((r) => r.code !== 0);
      const firstFailure =
        badAdd >= 0 ? describeFailure(p, `concurrent ADD (${ids[badAdd]})`, add.results[badAdd]!)
        : badDel >= 0 ? describeFailure(p, `concurrent DEL (${ids[badDel]})`, del.results[badDel]!)
        : undefined;
      return {
        n,
        addWallMs: add.wallMs,
        delWallMs: del.wallMs,
        addFailed: ips.filter((ip) => !ip).length,
        delFailed: del.results.filter((r) => r.code !== 0).length,
        uniqueIps: new Set(ips.filter(Boolean)).size,
        addEachP50: median(add.results.map((r) => r.ms)),
        vethsAfterAdd,
        vethsLeft: (await this._sandbox.nodeLinks('veth')).length,
        leasesLeft: leaseFiles(p).length,
        ...(firstFailure ? { firstFailure } : {}),
      };
    } finally {
      for (const f of pods) await this._sandbox.removePod(f);
      // The kernel tears a hundred netns down in the background; let that not bill the next phase.
      await new Promise((r) => setTimeout(r, SETTLE_MS));
    }
  }

  /** The floor each figure stands on, measured the same way (in the node netns, spawn → exit). */
  async context(): Promise<Context> {
    const pod = await this._sandbox.createPod('context');
    const base = { PATH: JOB_PATH };
    const jobs: Record<keyof Context, Job> = {
      nodeBare: { argv: [process.execPath, '-e', '0'], env: base, stdin: '' },
      oursVersion: cniJob(this.plugins.ours, 'VERSION', 'ctx', ''),
      refVersion: cniJob(this.plugins.ref, 'VERSION', 'ctx', ''),
      ipOnce: { argv: ['ip', '-j', 'link', 'show', 'lo'], env: base, stdin: '' },
      nsenterIpOnce: { argv: ['nsenter', `--net=${pod}`, 'ip', '-j', 'link', 'show', 'lo'], env: base, stdin: '' },
    };
    const keys = Object.keys(jobs) as (keyof Context)[];
    const got = Object.fromEntries(keys.map((k) => [k, [] as number[]])) as Record<keyof Context, number[]>;
    try {
      for (let r = 0; r < CONTEXT_REPS; r++) {
        for (const k of r % 2 ? [...keys].reverse() : keys) {
          const res = await this._driver.runOne(jobs[k], JOB_TIMEOUT_MS);
          if (res.code !== 0) throw new BenchError(`context measurement ${k} failed (exit ${res.code}): ${tail(res.stderr)}`);
          got[k].push(res.ms);
        }
      }
    } finally {
      await this._sandbox.removePod(pod);
    }
    return Object.fromEntries(keys.map((k) => [k, median(got[k])])) as unknown as Context;
  }

  /** Median per label over the recorded ADDs and DELs: start-up, plugin work and its timed steps, the rest. */
  breakdown(): BreakdownRow[] {
    const steps: string[] = [];
    for (const t of [...this.oursAddTimings, ...this.oursDelTimings]) {
      for (const l of t.keys()) if (![STARTUP, WORK, REST, UNSEEN, TOTAL].includes(l) && !steps.includes(l)) steps.push(l);
    }
    const agg = (runs: Timings[], label: string) => {
      const hits = runs.map((t) => t.get(label)).filter((e) => e !== undefined);
      return { calls: hits.length ? median(hits.map((e) => e.calls)) : 0, p50: hits.length ? median(hits.map((e) => e.ms)) : Number.NaN };
    };
    return [STARTUP, WORK, ...steps, REST, UNSEEN, TOTAL].map((label) => {
      const a = agg(this.oursAddTimings, label);
      const d = agg(this.oursDelTimings, label);
      return { label, step: steps.includes(label) || label === REST, addCalls: a.calls, addP50: a.p50, delCalls: d.calls, delP50: d.p50 };
    });
  }
}

// ---------------------------------------------------------------- main

let sandbox: Sandbox | undefined;
let driver: DriverClient | undefined;
let interrupted = false;
let cleaning: Promise<void> | undefined;

/**
 * Ends the driver and removes all the run made. Asynchronous and shared: the main flow's finally
 * and a signal handler both await the same run of it.
 */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await driver?.terminate();
    for (const p of (await sandbox?.cleanup()) ?? []) log(pc.red(`cleanup: ${p}`));
  })();
  return cleaning;
}

function onSignal(sig: NodeJS.Signals, code: number) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    log(pc.yellow(`\n${sig}: stopping and cleaning up…`));
    void cleanup().finally(() => process.exit(code));
  });
}

function positiveInt(max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    return n;
  };
}

/** Read-only look at the machine's own netns, before and after, to prove the run left it alone. */
async function rootNetnsSnapshot(): Promise<{ ipForward: string; ourBridges: string[] }> {
  const links = JSON.parse((await sh('ip', ['-j', 'link', 'show'])) || '[]') as { ifname: string }[];
  return {
    ipForward: fs.readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim(),
    ourBridges: links.map((l) => l.ifname).filter((n) => n === 'simplecni0' || n === 'refbr0'),
  };
}

async function run(opts: Options): Promise<number> {
  if (!isRoot()) throw new BenchError('run this as root (it creates network namespaces): sudo npx tsx bench/plugin-latency.ts');
  await ensurePackages(log);
  let bundle = path.join(REPO, 'dist', 'simplecni.cjs');
  if (opts.build) {
    log('building dist/simplecni.cjs…');
    bundle = buildPlugin(REPO, log);
  }
  if (!fs.existsSync(bundle)) throw new BenchError(`${bundle} is missing: build it with node scripts/build.mjs`);

  const hostBefore = await rootNetnsSnapshot();
  sandbox = new Sandbox();
  await sandbox.createNode();
  driver = await DriverClient.start(sandbox.nodePath);
  const plugins = pluginsUnderTest(sandbox, bundle);
  const bench = new Bench(sandbox, driver, plugins);
  const refVersion = (await sh('dpkg-query', ['-W', '-f=${Version}', 'containernetworking-plugins']).catch(() => '')) || 'unknown';
  const t0 = performance.now();

  const header = [
    pc.bold('SimpleCNI plugin latency vs. the reference plugins'),
    `  machine    ${os.type()} ${os.release()}, ${os.cpus().length} CPU, Node ${process.version}, ${new Date().toISOString()}`,
    `  ours       SimpleCNI: node ${path.relative(REPO, bundle)} (${(fs.statSync(bundle).size / 1024).toFixed(0)} KiB bundle), SIMPLECNI_TIMING=1`,
    `  reference  ${REF_BRIDGE} + host-local (containernetworking-plugins ${refVersion}), isGateway, ipMasq off`,
    `  where      node netns ${sandbox.nodeName}; a timing driver entered it once (nsenter --net) and spawns each plugin`,
    `             directly, timing spawn→exit: no wrapper on either plugin's clock. Pod netns: fresh file per cycle.`,
    `  method     1 warm-up ADD+DEL each (not counted), ${opts.cycles} cycles ADD→DEL alternating ours/ref order,`,
    `             then ${opts.concurrent} concurrent ADDs and ${opts.concurrent} concurrent DELs per plugin.`,
  ];
  console.log(header.join('\n'));

  // Warm-up: creates the bridges and sets ip_forward in the node, warms the page cache.
  log('warm-up…');
  await bench.cycle(plugins.ours, 'warm', false);
  await bench.cycle(plugins.ref, 'warm', false);

  for (let i = 0; i < opts.cycles; i++) {
    const order = i % 2 === 0 ? [plugins.ours, plugins.ref] : [plugins.ref, plugins.ours];
    for (const p of order) await bench.cycle(p, `c${i}`, true);
    if (process.stderr.isTTY) process.stderr.write(`\r  cycles ${i + 1}/${opts.cycles}`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const afterCycles = { veths: (await sandbox.nodeLinks('veth')).length, leases: leaseFiles(plugins.ours).length + leaseFiles(plugins.ref).length };

  log(`${opts.concurrent} concurrent ADDs/DELs…`);
  const conc: Record<Who, ConcurrentOutcome> = {
    ours: await bench.concurrent(plugins.ours, opts.concurrent),
    ref: await bench.concurrent(plugins.ref, opts.concurrent),
  };
  log('context measurements…');
  const ctx = await bench.context();
  const nodeIpForward = await sandbox.nodeSysctl('net.ipv4.ip_forward');
  const nodeBridges = (await sandbox.nodeLinks('bridge')).map((l) => l.ifname).sort();
  const elapsedS = (performance.now() - t0) / 1000;

  // ------------------------------------------------ figures
  const s = { ours: { add: summarize(bench.samples.ours.add), del: summarize(bench.samples.ours.del) }, ref: { add: summarize(bench.samples.ref.add), del: summarize(bench.samples.ref.del) } };
  const row = (label: string, o: number, r: number) => [label, ms(o), ms(r), ratio(o / r)];
  const rows = [
    row('ADD p50', s.ours.add.p50, s.ref.add.p50),
    row('ADD p95', s.ours.add.p95, s.ref.add.p95),
    row('ADD mean', s.ours.add.mean, s.ref.add.mean),
    row('DEL p50', s.ours.del.p50, s.ref.del.p50),
    row('DEL p95', s.ours.del.p95, s.ref.del.p95),
    row('DEL mean', s.ours.del.mean, s.ref.del.mean),
    row(`${opts.concurrent} concurrent ADDs, wall`, conc.ours.addWallMs, conc.ref.addWallMs),
    row(`  each ADD within it, p50`, conc.ours.addEachP50, conc.ref.addEachP50),
    row(`${opts.concurrent} concurrent DELs, wall`, conc.ours.delWallMs, conc.ref.delWallMs),
  ];
  console.log(`\n${pc.bold(`Latency (${opts.cycles} cycles per plugin; p95 interpolated)`)}`);
  console.log(formatTable(['', 'ours (SimpleCNI)', 'reference (bridge+host-local)', 'ours/ref'], rows).join('\n'));

  const barRatio = s.ours.add.p50 / s.ref.add.p50;
  const barMet = barRatio <= BAR;
  console.log(
    `\n  First bar "ADD p50 ≤ ${BAR}× reference": ${barMet ? pc.green('MET') : pc.red('NOT MET')} ` +
      `(${ms(s.ours.add.p50)} vs ${ms(s.ref.add.p50)} = ${ratio(barRatio)}; the bar is ${ms(BAR * s.ref.add.p50)})`,
  );

  // ------------------------------------------------ leftovers
  const problems: string[] = [];
  console.log(`\n${pc.bold('Concurrency and leftovers')}`);
  for (const who of ['ours', 'ref'] as const) {
    const c = conc[who];
    const ok = c.addFailed === 0 && c.delFailed === 0 && c.uniqueIps === c.n && c.vethsLeft === 0 && c.leasesLeft === 0;
    console.log(
      `  ${who === 'ours' ? 'ours' : 'ref '}  ${ok ? pc.green('ok') : pc.red('FAIL')}   ADD ok ${c.n - c.addFailed}/${c.n}, ${c.uniqueIps} unique IPs, ` +
        `${c.vethsAfterAdd} veths after ADD; DEL ok ${c.n - c.delFailed}/${c.n}; left: ${c.vethsLeft} veths, ${c.leasesLeft} lease files`,
    );
    if (!ok) problems.push(`${plugins[who].name}: concurrent run not clean${c.firstFailure ? `: ${c.firstFailure}` : ''}`);
  }
  console.log(`  after the ${opts.cycles} cycles: ${afterCycles.veths} veths, ${afterCycles.leases} lease files on the node`);
  if (afterCycles.veths || afterCycles.leases) problems.push(`sequential cycles left ${afterCycles.veths} veths and ${afterCycles.leases} lease files`);

  // ------------------------------------------------ breakdown
  const bd = bench.breakdown();
  const cell = (calls: number, p50: number) => (calls === 0 ? '' : calls > 1 ? `${ms(p50)} (${calls} calls)` : ms(p50));
  console.log(`\n${pc.bold(`Where SimpleCNI's time goes (medians over ${bench.oursAddTimings.length} ADDs and DELs, from SIMPLECNI_TIMING=1)`)}`);
  console.log(
    formatTable(
      ['step', 'ADD', 'DEL'],
      bd.map((r) => [`${r.step ? '  ' : ''}${r.label}`, cell(r.addCalls, r.addP50), cell(r.delCalls, r.delP50)]),
    ).join('\n'),
  );
  console.log('  (indented: parts of "plugin work"; each row is its own median, so rows need not add up exactly)');
  console.log(`\n${pc.bold(`For context (medians of ${CONTEXT_REPS}, same driver, in the node netns)`)}`);
  console.log(
    formatTable(
      ['process', 'ms'],
      [
        ['node -e 0 (bare Node start + exit)', ms(ctx.nodeBare)],
        ['SimpleCNI VERSION (Node start + bundle load)', ms(ctx.oursVersion)],
        ['bridge VERSION (Go binary start)', ms(ctx.refVersion)],
        ['ip -j link show lo (one ip exec)', ms(ctx.ipOnce)],
        ['nsenter --net=<pod> ip -j link show lo', ms(ctx.nsenterIpOnce)],
      ],
    ).join('\n'),
  );

  // ------------------------------------------------ safety
  const hostAfter = await rootNetnsSnapshot();
  const hostOk = hostAfter.ipForward === hostBefore.ipForward && hostAfter.ourBridges.join() === hostBefore.ourBridges.join();
  console.log(
    `\n  node netns: bridges ${nodeBridges.join(', ') || 'none'}, ip_forward=${nodeIpForward}; ` +
      `machine's netns: ip_forward=${hostAfter.ipForward}${hostOk ? ' (unchanged), no simplecni0/refbr0' : pc.red(` CHANGED (was ${hostBefore.ipForward}; bridges ${hostAfter.ourBridges.join(', ')})`)}`,
  );
  if (!hostOk) problems.push("the machine's own network namespace changed during the run (ip_forward or a bridge named simplecni0/refbr0)");
  console.log(`  run took ${elapsedS.toFixed(1)} s`);

  if (opts.json) {
    const fig = (x: Summary) => ({ n: x.n, p50: round2(x.p50), p95: round2(x.p95), mean: round2(x.mean), min: round2(x.min), max: round2(x.max) });
    const out = {
      date: new Date().toISOString(),
      machine: { kernel: os.release(), cpus: os.cpus().length, node: process.version },
      method: {
        cycles: opts.cycles, concurrent: opts.concurrent, warmup: 1, order: 'alternating per cycle', wrapper: 'none: timing driver inside the node netns spawns each plugin',
        units: 'ms', percentile: 'linear interpolation',
      },
      plugins: { ours: { bundle: path.relative(REPO, bundle), env: plugins.ours.extraEnv }, ref: { package: `containernetworking-plugins ${refVersion}` } },
      latency: {
        add: { ours: fig(s.ours.add), ref: fig(s.ref.add), ratio: { p50: round2(s.ours.add.p50 / s.ref.add.p50), p95: round2(s.ours.add.p95 / s.ref.add.p95), mean: round2(s.ours.add.mean / s.ref.add.mean) } },
        del: { ours: fig(s.ours.del), ref: fig(s.ref.del), ratio: { p50: round2(s.ours.del.p50 / s.ref.del.p50), p95: round2(s.ours.del.p95 / s.ref.del.p95), mean: round2(s.ours.del.mean / s.ref.del.mean) } },
      },
      concurrent: {
        n: opts.concurrent,
        ours: { ...conc.ours, addWallMs: round2(conc.ours.addWallMs), delWallMs: round2(conc.ours.delWallMs), addEachP50: round2(conc.ours.addEachP50) },
        ref: { ...conc.ref, addWallMs: round2(conc.ref.addWallMs), delWallMs: round2(conc.ref.delWallMs), addEachP50: round2(conc.ref.addEachP50) },
        ratio: { addWall: round2(conc.ours.addWallMs / conc.ref.addWallMs), delWall: round2(conc.ours.delWallMs / conc.ref.delWallMs) },
      },
      bar: { name: `ADD p50 <= ${BAR}x reference`, limit: BAR, ratio: round2(barRatio), met: barMet },
      breakdown: {
        add: bd.filter((r) => r.addCalls).map((r) => ({ label: r.label, partOfPluginWork: r.step, calls: r.addCalls, p50: round2(r.addP50) })),
        del: bd.filter((r) => r.delCalls).map((r) => ({ label: r.label, partOfPluginWork: r.step, calls: r.delCalls, p50: round2(r.delP50) })),
      },
      context: Object.fromEntries(Object.entries(ctx).map(([k, v]) => [k, round2(v)])),
      leftovers: { afterCycles, afterConcurrent: { ours: { veths: conc.ours.vethsLeft, leases: conc.ours.leasesLeft }, ref: { veths: conc.ref.vethsLeft, leases: conc.ref.leasesLeft } } },
      safety: { nodeIpForward, nodeBridges, hostIpForwardBefore: hostBefore.ipForward, hostIpForwardAfter: hostAfter.ipForward, hostUnchanged: hostOk },
      problems,
      elapsedS: round2(elapsedS),
    };
    fs.writeFileSync(path.resolve(opts.json), `${JSON.stringify(out, null, 2)}\n`);
    console.log(`  figures written to ${opts.json}`);
  }

  if (problems.length) {
    for (const p of problems) log(pc.red(`error: ${p}`));
    return 1;
  }
  return 0;
}

async function main(): Promise<void> {
  const program = new Command('plugin-latency')
    .description('Benchmark SimpleCNI ADD/DEL latency against /usr/lib/cni/bridge + host-local, each inside a throwaway node netns.')
    .option('--cycles <n>', 'sequential ADD→DEL cycles per plugin', positiveInt(10_000), 50)
    .option('--concurrent <n>', `concurrent ADDs (then DELs) per plugin (max ${MAX_CONCURRENT})`, positiveInt(MAX_CONCURRENT), 100)
    .option('--json <file>', 'also write all figures as JSON to this file')
    .option('--no-build', 'use the existing dist/simplecni.cjs instead of building it first')
    .showHelpAfterError();
  program.parse();
  const opts = program.opts<Options>();

  onSignal('SIGINT', 130);
  onSignal('SIGTERM', 143);
  onSignal('SIGHUP', 129);
  // Last resort (an exception that escaped everything): blocking, as nothing else can run now.
  process.on('exit', () => {
    driver?.killNow();
    for (const p of sandbox?.cleanupSync() ?? []) log(pc.red(`cleanup: ${p}`));
  });

  let code = 1;
  try {
    code = await run(opts);
  } catch (err) {
    if (!interrupted) log(pc.red(`error: ${err instanceof BenchError ? err.message : (err as Error).stack ?? String(err)}`));
  } finally {
    if (!interrupted) await driver?.stop();
    await cleanup();
  }
  if (!interrupted) process.exitCode = code;
}

void main();
