// Data-plane benchmark: pod-to-pod TCP throughput (iperf3) and ping RTT for each cross-node mode
// this kernel supports, side by side with the bare underlay between the nodes, in one run.
//
//   npx tsx bench/dataplane.ts [--seconds N] [--out DIR]
//
// It builds its own throwaway cluster with the cnilab CLI (named bench + 4 random characters),
// runs every measurement between that cluster's namespaces only, and removes the cluster on the
// way out (also on Ctrl-C / SIGTERM). The figure to read is overlay throughput as a ratio of the
// same pair's underlay: on a netns cluster both ends share the machine's CPUs, so absolute Gbit/s
// say more about this machine than about the data plane.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIperfJson, parsePing, type PingFigures } from './dataplane/parse.ts';
import { Background, killAllStarted, run, sleep, type RunResult } from './dataplane/proc.ts';
import { renderSvg } from './dataplane/svg.ts';
import { renderTable } from './dataplane/table.ts';
import type { Pair, Report, Row, Series } from './dataplane/types.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'cnilab.mjs');

const PAIRS: Pair[] = [
  { id: 'node1-node2', from: 'node1', to: 'node2', label: 'node1 → node2', path: 'same segment', underlayTo: '192.168.56.12' },
  { id: 'node1-node3', from: 'node1', to: 'node3', label: 'node1 → node3', path: 'across the router', underlayTo: '192.168.57.13' },
];
const PING_ARGS = ['-c', '20', '-i', '0.05', '-q', '-w', '10'];
const HEADLINE = 'overlay throughput as a ratio of underlay';

// ---------------------------------------------------------------- arguments

interface Args {
  seconds: number;
  out: string;
}

function usage(): string {
  return 'usage: npx tsx bench/dataplane.ts [--seconds N (1-20, default 5)] [--out DIR (default bench/results)]';
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seconds: 5, out: path.join(ROOT, 'bench', 'results') };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const [flag, inline] = k.includes('=') ? [k.slice(0, k.indexOf('=')), k.slice(k.indexOf('=') + 1)] : [k, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) die(`${flag} needs a value\n${usage()}`);
      return v;
    };
    if (flag === '--seconds') {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1 || n > 20) die(`--seconds must be a whole number from 1 to 20, got ${JSON.stringify(v)}`);
      a.seconds = n;
    } else if (flag === '--out') {
      a.out = path.resolve(value());
    } else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage()}\n`);
      process.exit(0);
    } else {
      die(`unknown argument ${JSON.stringify(k)}\n${usage()}`);
    }
  }
  return a;
}

function die(msg: string): never {
  process.stderr.write(`dataplane: ${msg}\n`);
  process.exit(2);
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);

// ---------------------------------------------------------------- prerequisites

async function ensureIperf3(): Promise<string> {
  const probe = async () => run(['iperf3', '--version'], { timeoutMs: 10_000 });
  let v = await probe();
  if (v.code !== 0) {
    log('· iperf3 is missing: apt-get install -y --no-install-recommends iperf3');
    const env = ['env', 'DEBIAN_FRONTEND=noninteractive'];
    let updated = false;
    for (let attempt = 1; attempt <= 8; attempt++) {
      const r = await run([...env, 'apt-get', 'install', '-y', '--no-install-recommends', 'iperf3'], { timeoutMs: 180_000 });
      if (r.code === 0) break;
      const why = r.stderr + r.stdout;
      if (/Could not get lock|dpkg frontend lock|Unable to acquire the dpkg/i.test(why)) {
        log(`  dpkg lock busy (attempt ${attempt}/8), retrying in 5 s`);
        await sleep(5000);
        continue;
      }
      if (!updated && /Unable to locate package|has no installation candidate/i.test(why)) {
        updated = true;
        log('  package lists are stale: apt-get update');
        await run([...env, 'apt-get', 'update'], { timeoutMs: 180_000 });
        continue;
      }
      throw new Error(`could not install iperf3: ${why.trim().split('\n').slice(-3).join(' / ')}`);
    }
    v = await probe();
    if (v.code !== 0) throw new Error('iperf3 is still missing after apt-get install');
  }
  return /iperf ([\d.]+)/.exec(v.stdout)?.[1] ?? v.stdout.trim().split('\n')[0] ?? '?';
}

/** Can this kernel make an IP-in-IP device? Tried in a throwaway namespace (unshare: gone when it exits). */
async function probeIpip(): Promise<{ supported: boolean; detail: string }> {
  const r = await run(['unshare', '--net', 'ip', 'link', 'add', 'name', 'tunl0', 'type', 'ipip'], { timeoutMs: 15_000 });
  if (r.code === 0) return { supported: true, detail: 'ip link add name tunl0 type ipip: ok' };
  // With the ipip module loaded, every new namespace already has its fallback tunl0.
  if (/File exists/i.test(r.stderr)) return { supported: true, detail: 'tunl0 already present (ipip module loaded)' };
  return { supported: false, detail: r.stderr.trim().replace(/\s+/g, ' ') || `exit ${r.code}` };
}

// ---------------------------------------------------------------- the cluster, through the CLI

class Cluster {
  constructor(readonly name: string) {}

  argv(...args: string[]): string[] {
    return [process.execPath, CLI, '--cluster', this.name, ...args];
  }

  async cli(args: string[], timeoutMs = 60_000, duringShutdown = false): Promise<RunResult> {
    return run(this.argv(...args), { timeoutMs, duringShutdown });
  }

  async must(args: string[], timeoutMs = 60_000): Promise<string> {
    const r = await this.cli(args, timeoutMs);
    if (r.code !== 0) throw new Error(`cnilab ${args.join(' ')} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim()).slice(0, 600)}`);
    return r.stdout;
  }

  /** Runs a command on a node ("node1") or in a pod ("node1/a"). */
  exec(target: string, cmd: string[], timeoutMs: number): Promise<RunResult> {
    return this.cli(['exec', target, '--', ...cmd], timeoutMs);
  }
}

interface DataplaneNode {
  node: string;
  podMtu: number;
  unreachable: { node: string; why: string }[];
}

function dataplaneOf(stdout: string): DataplaneNode[] {
  const doc = JSON.parse(stdout) as { dataplane?: DataplaneNode[] };
  return doc.dataplane ?? [];
}

async function linkMtu(c: Cluster, target: string, ifname: string): Promise<number | null> {
  const r = await c.exec(target, ['ip', '-j', 'link', 'show', 'dev', ifname], 15_000);
  if (r.code !== 0) return null;
  try {
    const links = JSON.parse(r.stdout) as { mtu?: number }[];
    return links[0]?.mtu ?? null;
  } catch {
    return null;
  }
}

/** bench + 4 random lowercase letters/digits, not used by any cluster on this machine. */
async function freshClusterName(): Promise<string> {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const netns = (await run(['ip', 'netns', 'list'], { timeoutMs: 10_000 })).stdout;
  for (let i = 0; i < 50; i++) {
    const name = `bench${Array.from({ length: 4 }, () => alphabet[crypto.randomInt(alphabet.length)]).join('')}`;
    const taken = fs.existsSync(path.join('/run/simplecni-lab', name)) || netns.split('\n').some((l) => l.startsWith(`${name}-`));
    if (!taken) return name;
  }
  throw new Error('could not find an unused cluster name');
}

// ---------------------------------------------------------------- measurements

async function pingRtt(c: Cluster, from: string, address: string): Promise<PingFigures> {
  const r = await c.exec(from, ['ping', ...PING_ARGS, address], 20_000);
  const p = parsePing(r.stdout);
  if (p.received === 0) throw new Error(`ping ${address} from ${from}: no replies`);
  return p;
}

async function reaches(c: Cluster, from: string, address: string): Promise<boolean> {
  return (await c.exec(from, ['ping', '-c', '1', '-W', '1', '-q', address], 10_000)).code === 0;
}

/** One bounded iperf3 run: `iperf3 -s -1` on the server side, the client with -J, the server ended if still there. */
async function iperf(c: Cluster, server: string, client: string, address: string, seconds: number) {
  const clientLimit = Math.max(30, seconds + 15);
  const srv = new Background(
    c.argv('exec', server, '--', 'timeout', '--foreground', '-k', '3', String(clientLimit + 15), 'iperf3', '-s', '-1', '--forceflush'),
  );
  try {
    if (!(await srv.waitFor(/Server listening on \d+/, 10_000))) {
      throw new Error(`iperf3 server on ${server} did not start: ${srv.output.trim().slice(0, 300) || '(no output)'}`);
    }
    const r = await c.exec(
      client,
      ['timeout', '--foreground', '-k', '3', String(clientLimit), 'iperf3', '-c', address, '-t', String(seconds), '-J'],
      (clientLimit + 10) * 1000,
    );
    if (r.timedOut) throw new Error(`iperf3 client on ${client} timed out`);
    return parseIperfJson(r.stdout);
  } finally {
    const s = await srv.stop(3000);
    if (s.killed) log(`  (iperf3 server on ${server} was still running; ended it)`);
  }
}

function emptyRow(series: Series, pair: Pair): Row {
  return {
    series,
    pair: pair.id,
    pairLabel: pair.label,
    path: pair.path,
    status: 'failed',
    note: null,
    mtu: null,
    fromAddress: null,
    toAddress: null,
    throughputGbps: null,
    sentGbps: null,
    ratioToUnderlay: null,
    retransmits: null,
    mss: null,
    cpuPercent: null,
    iperfSeconds: null,
    rtt: null,
  };
}

/** RTT then throughput from `from` to `address`, filled into row; a failure is recorded, not thrown. */
async function measure(c: Cluster, row: Row, from: string, to: string, address: string, seconds: number): Promise<void> {
  const what = `${row.series.padEnd(16)} ${row.pairLabel}`;
  log(`· ${what}: ping + iperf3 ${seconds} s …`);
  try {
    row.rtt = await pingRtt(c, from, address);
    const f = await iperf(c, to, from, address, seconds);
    row.status = 'measured';
    row.throughputGbps = f.receivedBps / 1e9;
    row.sentGbps = f.sentBps / 1e9;
    row.retransmits = f.retransmits;
    row.mss = f.mss;
    row.iperfSeconds = f.seconds;
    row.cpuPercent = f.cpu ? { sender: f.cpu.senderPercent, receiver: f.cpu.receiverPercent } : null;
    log(`  ${row.throughputGbps.toFixed(2)} Gbit/s, ${row.retransmits ?? '?'} retransmits, RTT ${row.rtt.avgMs?.toFixed(3) ?? '?'} ms`);
  } catch (err) {
    row.status = 'failed';
    row.note = `failed: ${(err as Error).message}`;
    log(`  ✗ ${row.note}`);
  }
}

// ---------------------------------------------------------------- cleanup

let cluster: Cluster | null = null;
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    const n = await killAllStarted();
    if (n > 0) log(`· ended ${n} process group(s) this benchmark had started`);
    if (cluster) {
      log(`· cluster down (${cluster.name})`);
      const r = await cluster.cli(['cluster', 'down'], 60_000, true);
      if (r.code !== 0) log(`  ✗ cluster down failed: ${r.stderr.trim()} — run: ./bin/cnilab --cluster ${cluster.name} cluster down`);
    }
  })();
  return cleaning;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    log(`\n${sig}: stopping, removing the benchmark cluster`);
    void cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) die('needs root: the nodes are network namespaces (sudo npx tsx bench/dataplane.ts)');
  if (!fs.existsSync(CLI)) die(`${path.relative(ROOT, CLI)} is missing: run node scripts/build.mjs first`);

  const iperfVersion = await ensureIperf3();
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const loadStart = os.loadavg()[0] ?? 0;
  // Every step is bounded; this is the whole run's ceiling on top of that.
  const budgetMs = (100 + 10 * args.seconds) * 1000;
  const checkBudget = () => {
    if (performance.now() - t0 > budgetMs) throw new Error(`run budget of ${budgetMs / 1000} s exceeded`);
  };

  const ipipProbe = await probeIpip();
  if (!ipipProbe.supported) {
    log('');
    log('*** ipip: kernel lacks IP-in-IP, not measured here ***');
    log(`    (ip link add name tunl0 type ipip in a throwaway netns: ${ipipProbe.detail})`);
    log('');
  }
  const modes: Series[] = ['host-gw', 'vxlan', ...(ipipProbe.supported ? (['ipip', 'ipip-crosssubnet'] as const) : [])];

  const name = await freshClusterName();
  cluster = new Cluster(name);
  const c = cluster;
  const rows: Row[] = [];

  log(`· cluster up ${name} (mode host-gw)`);
  let dp = dataplaneOf(await c.must(['cluster', 'up', '--mode', 'host-gw', '--json'], 90_000));

  // The underlay: the node namespaces themselves, node1 → node2 on segment A, node1 → node3 through the router.
  const uplinkMtu = await linkMtu(c, 'node1', 'eth1');
  for (const p of PAIRS) {
    checkBudget();
    const row = emptyRow('underlay', p);
    row.mtu = uplinkMtu;
    row.fromAddress = '192.168.56.11';
    row.toAddress = p.underlayTo;
    await measure(c, row, p.from, p.to, p.underlayTo, args.seconds);
    rows.push(row);
  }

  for (const [mi, mode] of modes.entries()) {
    checkBudget();
    if (mi > 0) {
      log(`· cluster mode ${mode}`);
      dp = dataplaneOf(await c.must(['cluster', 'mode', mode, '--json']));
    }
    // New pods for each mode: a pod's MTU is fixed when it is created.
    const pod = `m${mi}`;
    const addr: Record<string, string> = {};
    for (const n of ['node1', 'node2', 'node3']) {
      const added = JSON.parse(await c.must(['pod', 'add', n, pod, '--json'])) as { address?: string };
      addr[n] = (added.address ?? '').split('/')[0]!;
    }
    const podMtu = await linkMtu(c, `node1/${pod}`, 'eth0');
    const node1Plan = dp.find((d) => d.node === 'node1');
    if (node1Plan && podMtu !== null && node1Plan.podMtu !== podMtu) {
      log(`  note: node1 plans pod MTU ${node1Plan.podMtu} for ${mode}, the new pod has ${podMtu}`);
    }
    for (const p of PAIRS) {
      checkBudget();
      const row = emptyRow(mode, p);
      row.mtu = podMtu;
      row.fromAddress = addr[p.from] ?? null;
      row.toAddress = addr[p.to] ?? null;
      const byDesign = node1Plan?.unreachable.find((u) => u.node === p.to);
      if (byDesign) {
        row.status = 'unreachable-by-design';
        const leaks = await reaches(c, `${p.from}/${pod}`, row.toAddress!);
        row.note = leaks ? 'unreachable by design, yet a ping got through (check the routes)' : 'unreachable (by design)';
        log(`· ${mode.padEnd(16)} ${p.label}: ${row.note}`);
      } else {
        await measure(c, row, `${p.from}/${pod}`, `${p.to}/${pod}`, row.toAddress!, args.seconds);
      }
      rows.push(row);
    }
    // Take this mode's pods away so the next mode's bridges carry only its own pods.
    for (const n of ['node1', 'node2', 'node3']) await c.cli(['pod', 'del', n, pod, '--json'], 30_000);
  }
  if (!ipipProbe.supported) {
    for (const m of ['ipip', 'ipip-crosssubnet'] as const) {
      for (const p of PAIRS) rows.push({ ...emptyRow(m, p), status: 'not-measured', note: 'kernel lacks IP-in-IP, not measured here' });
    }
  }

  // Ratios to the same pair's underlay, then the order the table and chart read in.
  for (const r of rows) {
    const u = rows.find((x) => x.series === 'underlay' && x.pair === r.pair);
    if (r.status === 'measured' && r.throughputGbps !== null && u?.status === 'measured' && u.throughputGbps) {
      r.ratioToUnderlay = r.throughputGbps / u.throughputGbps;
    }
  }
  const order: Series[] = ['underlay', 'host-gw', 'vxlan', 'ipip', 'ipip-crosssubnet'];
  rows.sort((a, b) => PAIRS.findIndex((p) => p.id === a.pair) - PAIRS.findIndex((p) => p.id === b.pair) || order.indexOf(a.series) - order.indexOf(b.series));

  await cleanup();
  const report: Report = {
    benchmark: 'dataplane',
    headline: HEADLINE,
    startedAt,
    finishedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - t0) / 100) / 10,
    machine: { kernel: os.release(), cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '?', iperf3: iperfVersion,
      node: process.version,
      load1: { start: loadStart, end: os.loadavg()[0] ?? 0 },
    },
    cluster: name,
    method: {
      iperf3: `iperf3 -s -1 in the target; timeout ${Math.max(30, args.seconds + 15)} iperf3 -c <addr> -t ${args.seconds} -J in the source; one TCP stream; throughput = end.sum_received.bits_per_second, retransmits = end.sum_sent.retransmits`,
      ping: `ping ${PING_ARGS.join(' ')} <addr>; RTT = avg`,
      seconds: args.seconds,
      pairs: PAIRS,
      modesMeasured: modes,
    },
    ipip: { supported: ipipProbe.supported, probe: 'ip link add name tunl0 type ipip (throwaway netns)', detail: ipipProbe.detail },
    rows,
  };

  fs.mkdirSync(args.out, { recursive: true });
  const jsonPath = path.join(args.out, 'dataplane.json');
  const svgPath = path.join(args.out, 'dataplane.svg');
  fs.writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(svgPath, renderSvg(report));

  const out: string[] = [];
  out.push('');
  out.push(`Data plane benchmark · cluster ${name} · kernel ${report.machine.kernel} · ${report.machine.cpus} CPUs · iperf3 ${iperfVersion}`);
  out.push(`One TCP stream for ${args.seconds} s per row (iperf3), RTT = average of 20 pings 50 ms apart. Load average (1 min) ${report.machine.load1.start.toFixed(2)} before, ${report.machine.load1.end.toFixed(2)} after.`);
  out.push(`The figure to read: ${HEADLINE} ("× underlay", same pair, same run).`);
  out.push('');
  out.push(renderTable(report));
  out.push('');
  out.push('MTU: the pod\'s eth0 (underlay rows: the node\'s eth1). retrans: TCP retransmits seen by the sender.');
  out.push('Both ends of every row share this machine\'s CPUs and the underlay is veth pairs and bridges, not a NIC:');
  out.push('absolute Gbit/s measure this machine; the ratios show what each data plane costs.');
  out.push('One sample per row: with both ends on the same few CPUs the same row can differ by tens of percent');
  out.push('between runs, so repeat the run (or raise --seconds) before reading much into close ratios.');
  if (!ipipProbe.supported) out.push('ipip: kernel lacks IP-in-IP, not measured here.');
  out.push('');
  out.push(`wrote ${path.relative(process.cwd(), jsonPath) || jsonPath}`);
  out.push(`wrote ${path.relative(process.cwd(), svgPath) || svgPath}`);
  out.push(`took ${report.durationSeconds} s`);
  process.stdout.write(`${out.join('\n')}\n`);
  return rows.some((r) => r.status === 'failed') ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  log(`dataplane: ${(err as Error).message}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
