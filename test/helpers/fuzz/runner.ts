// Runs fuzz cases against the plugin on a throwaway node: a network namespace and a temp dir made
// here (and removed by `close`), a pod netns in it, the plugin's entry running inside the node.
// Every case must end in a CNI error with a right code on stdout (never 999, never a stack trace,
// never an empty stdout with a non-zero exit), and a failed ADD must leave the node as it was.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { execCommand, mustExec } from '../../../src/shared/exec.ts';
import { withJson } from '../../../src/validators/probe.ts';
import { uniqueName } from '../names.ts';
/** The plugin's bundle, as deployed (built by scripts/build.mjs). */
const PLUGIN = path.resolve('dist/simplecni.cjs');
import { caseAt, GOOD_IPAM, preview, type CaseRoots, type FuzzCase } from './cases.ts';

export interface Outcome {
  code: number;
  stdout: string;
  /** Set when the plugin's entry threw or left a promise rejected: always a bug. */
  crash?: string;
}

export interface CaseFailure {
  seed: number;
  index: number;
  fuzzCase: FuzzCase;
  problems: string[];
  outcome: Outcome;
}

const HARNESS = path.resolve('test/helpers/fuzz/harness.ts');
const CASE_TIMEOUT_MS = 60_000;

/** What a failed ADD must not change: the node's links, IPv4 addresses and routes, its leases, the pod's links. */
interface NodeState {
  links: string[];
  addrs: string[];
  routes: string[];
  leases: string[];
  pod: string[];
}

export class FuzzNode {
  readonly ns = uniqueName();
  readonly podNs = uniqueName();
  readonly roots: CaseRoots;
  private _harness?: ChildProcessWithoutNullStreams;
  private _lines?: AsyncIterator<string>;
  private _baseline?: NodeState;
  private _seq = 0;

  private constructor(readonly dir: string) {
    this.roots = { dir, ipamFile: path.join(dir, 'ipam.config'), dataDir: path.join(dir, 'data'), podNetns: `/run/netns/${this.podNs}`, scratch: path.join(dir, 'scratch') };
  }

  static async create(): Promise<FuzzNode> {
    const n = new FuzzNode(fs.mkdtempSync(path.join(os.tmpdir(), 'sct-fuzz-')));
    try {
      await mustExec(['ip', 'netns', 'add', n.ns]);
      await mustExec(['ip', 'netns', 'add', n.podNs]);
      // No IPv6 in the node: its link-local addresses come and go on their own and would blur the comparison.
      await mustExec(['ip', 'netns', 'exec', n.ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
      await mustExec(['ip', '-n', n.ns, 'link', 'set', 'lo', 'up']);
      n._resetFiles();
      await n._startHarness();
      // The node as a runtime finds it after its first pod came and went: the bridge is there.
      const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'warmup', CNI_NETNS: n.roots.podNetns, CNI_IFNAME: 'eth0' };
      const conf = JSON.stringify({ cniVersion: '1.1.0', name: 'testnet', type: 'simplecni', ipamFile: n.roots.ipamFile, dataDir: n.roots.dataDir });
      const add = await n._call(env, conf);
      if (add.code !== 0) throw new Error(`the node's first ADD failed: ${add.stdout}${add.crash ?? ''}`);
      await n._call({ ...env, CNI_COMMAND: 'DEL' }, conf);
      n._resetFiles();
      n._baseline = await n._state();
      return n;
    } catch (err) {
      await n.close();
      throw err;
    }
  }

  /** Runs case `index` of run `seed`; returns the failure, or undefined when the case passed. */
  async runCase(seed: number, index: number, opts: { alsoAsProcess?: boolean } = {}): Promise<CaseFailure | undefined> {
    const c = caseAt(this.roots, seed, index);
    const problems: string[] = [];
    const isAdd = c.env.CNI_COMMAND === 'ADD';
    this._prepare(c);
    const before = isAdd ? await this._state() : undefined;
    const outcome = await this._call(c.env, c.stdin);
    problems.push(...judge(c, outcome, 'in-process'));
    if (isAdd && outcome.code !== 0 && !outcome.crash) problems.push(...diffState(before!, await this._state(), 'after the failed ADD'));
    await this._cleanUp(c, outcome);
    if (opts.alsoAsProcess && problems.length === 0) {
      // The same case through the real bundle, as a runtime runs it: the process's own stdout and exit code.
      this._prepare(c);
      const p = withJson(await execCommand(['ip', 'netns', 'exec', this.ns, process.execPath, PLUGIN], { env: onlyCaseEnv(c.env), input: c.stdin, timeoutMs: CASE_TIMEOUT_MS }));
      const asProcess: Outcome = { code: p.code, stdout: p.stdout.trim() };
      problems.push(...judge(c, asProcess, 'as a process'));
      const codeOf = (o: Outcome) => (o.code === 0 ? 0 : (withJson(o).json?.code ?? `exit ${o.code}`));
      if (codeOf(asProcess) !== codeOf(outcome)) problems.push(`as a process it answered ${codeOf(asProcess)}, in-process ${codeOf(outcome)}`);
      if (isAdd && asProcess.code !== 0) problems.push(...diffState(before!, await this._state(), 'after the failed ADD (as a process)'));
      await this._cleanUp(c, asProcess);
    }
    return problems.length ? { seed, index, fuzzCase: c, problems, outcome } : undefined;
  }

  async close() {
    this._harness?.stdin.end();
    this._harness?.kill('SIGKILL');
    await execCommand(['ip', 'netns', 'del', this.podNs]);
    await execCommand(['ip', 'netns', 'del', this.ns]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // ------------------------------------------------------------ internals

  private async _startHarness() {
    const { build } = await import('esbuild');
    const bundle = path.join(this.dir, 'harness.cjs');
    await build({ entryPoints: [HARNESS], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node18', logLevel: 'error' });
    // cwd: the node's temp dir, so a relative path a case hands the plugin can only mean something there.
    const child = spawn('ip', ['netns', 'exec', this.ns, process.execPath, bundle], { cwd: this.dir, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } });
    child.stderr.resume(); // the plugin's log lines: not part of the answer
    this._harness = child;
    this._lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  private async _call(env: Record<string, string>, stdin: string): Promise<Outcome> {
    const id = String(++this._seq);
    this._harness!.stdin.write(`${JSON.stringify({ id, env, stdin })}\n`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the plugin did not answer within ${CASE_TIMEOUT_MS / 1000} s`)), CASE_TIMEOUT_MS);
    });
    try {
      for (;;) {
        const next = await Promise.race([this._lines!.next(), timeout]);
        if (next.done) throw new Error('the harness exited');
        const msg = JSON.parse(next.value) as { id: string; code?: number; stdout?: string; threw?: string; unhandled?: string };
        if (msg.unhandled) return { code: -1, stdout: '', crash: `unhandled rejection: ${msg.unhandled}` };
        if (msg.id !== id) continue;
        if (msg.threw) return { code: -1, stdout: '', crash: `the entry threw: ${msg.threw}` };
        return { code: msg.code!, stdout: msg.stdout ?? '' };
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private _resetFiles() {
    fs.writeFileSync(this.roots.ipamFile, JSON.stringify(GOOD_IPAM));
    fs.rmSync(this.roots.dataDir, { recursive: true, force: true });
    fs.rmSync(this.roots.scratch, { recursive: true, force: true });
    fs.mkdirSync(this.roots.scratch, { recursive: true });
  }

  private _prepare(c: FuzzCase) {
    this._resetFiles();
    if (c.ipamFile === null) fs.rmSync(this.roots.ipamFile, { force: true });
    else if (c.ipamFile !== undefined) fs.writeFileSync(this.roots.ipamFile, c.ipamFile);
    if (c.leaseFiles) {
      const leaseDir = path.join(this.roots.dataDir, 'testnet');
      fs.mkdirSync(leaseDir, { recursive: true });
      for (const f of c.leaseFiles) {
        const p = path.join(leaseDir, f.name.replace(/\/$/, ''));
        if (fs.existsSync(p)) continue; // the first file of a name wins
        if (f.name.endsWith('/')) fs.mkdirSync(p);
        else fs.writeFileSync(p, f.content);
      }
    }
  }

  /** After a case: undo a successful ADD with DEL, put the files back, and make sure the node is the baseline again. */
  private async _cleanUp(c: FuzzCase, outcome: Outcome) {
    if (c.env.CNI_COMMAND === 'ADD' && outcome.code === 0) await this._call({ ...c.env, CNI_COMMAND: 'DEL' }, c.stdin);
    this._resetFiles();
    if (c.env.CNI_COMMAND !== 'ADD' || outcome.code !== 0) return;
    // A successful ADD may have made a bridge of another name: the node is put back as it was.
    const now = await this._state();
    for (const l of now.links.filter((x) => !this._baseline!.links.includes(x))) await execCommand(['ip', '-n', this.ns, 'link', 'del', l.split(' ')[0]!]);
    for (const l of now.pod.filter((x) => !this._baseline!.pod.includes(x))) await execCommand(['ip', '-n', this.podNs, 'link', 'del', l.split(' ')[0]!]);
  }

  private async _state(): Promise<NodeState> {
    // One `ip -batch` for the node (it prints one JSON array per command, one per line), one for the pod.
    const [node, podOut] = await Promise.all([
      mustExec(['ip', '-n', this.ns, '-4', '-j', '-d', '-batch', '-'], { input: 'link show\naddr show\nroute show table all\n' }),
      mustExec(['ip', '-n', this.podNs, '-4', '-j', 'addr', 'show']),
    ]);
    const [links, addrs, routes] = node.trim().split('\n').map((l) => JSON.parse(l) as any[]) as [any[], any[], any[]];
    const pod = (podOut.trim() ? JSON.parse(podOut) : []) as any[];
    const leaseDir = path.join(this.roots.dataDir, 'testnet');
    // last_reserved_ip is a hint where to look next, not a lease (host-local keeps it after a failed ADD too).
    const leases = fs.existsSync(leaseDir) ? fs.readdirSync(leaseDir).filter((f) => f !== 'last_reserved_ip').sort().map((f) => `${f}: ${fs.statSync(path.join(leaseDir, f)).isDirectory() ? '(dir)' : fs.readFileSync(path.join(leaseDir, f), 'utf8').slice(0, 100)}`) : [];
    return {
      links: links.map((l) => `${l.ifname} ${l.linkinfo?.info_kind ?? ''} mtu ${l.mtu} master ${l.master ?? '-'} ${l.flags?.includes('UP') ? 'up' : 'down'}`).sort(),
      addrs: addrs.flatMap((l) => (l.addr_info ?? []).map((a: any) => `${l.ifname} ${a.local}/${a.prefixlen}`)).sort(),
      routes: routes.map((r) => `${r.type ?? ''} ${r.dst} ${r.gateway ?? ''} ${r.dev ?? ''} ${r.table ?? ''}`).sort(),
      leases,
      pod: pod.map((l) => `${l.ifname} ${(l.addr_info ?? []).map((a: any) => a.local).join(',')}`).sort(),
    };
  }
}

/** The case's promises about the output. */
export function judge(c: FuzzCase, o: Outcome, how: string): string[] {
  if (o.crash) return [`${how}: ${o.crash.split('\n').slice(0, 6).join('\n')}`];
  const problems: string[] = [];
  const stdout = o.stdout.trim();
  let got: number | undefined;
  if (o.code === 0) {
    got = 0;
    if (c.env.CNI_COMMAND === 'ADD' && !withJson({ stdout }).json?.cniVersion) problems.push(`${how}: ADD exited 0 without a result on stdout: ${preview(stdout)}`);
  } else if (stdout === '') {
    problems.push(`${how}: exit ${o.code} with an empty stdout (the runtime reads the error from stdout)`);
  } else {
    const e = withJson({ stdout }).json;
    if (typeof e !== 'object' || e === null || typeof e.code !== 'number' || typeof e.msg !== 'string' || typeof e.cniVersion !== 'string') {
      problems.push(`${how}: exit ${o.code}, but stdout is not a CNI error {cniVersion, code, msg}: ${preview(stdout, 200)}`);
    } else {
      got = e.code;
      if (e.code === 999) problems.push(`${how}: code 999 (an internal error: a bug) — ${e.msg}`);
      if (/\n\s+at .+\(.*:\d+:\d+\)|\n\s+at .+:\d+:\d+/.test(`${e.msg}\n${e.details ?? ''}`)) problems.push(`${how}: a stack trace in the error: ${preview(e.details || e.msg, 200)}`);
    }
  }
  if (got !== undefined && !c.codes.includes(got)) {
    const msg = withJson({ stdout }).json?.msg;
    problems.push(`${how}: answered ${got === 0 ? 'success' : `code ${got} ("${preview(msg ?? '', 160)}")`}; right for this case: ${c.codes.map((x) => (x === 0 ? 'success' : x)).join(', ')}`);
  }
  return problems;
}

function diffState(a: NodeState, b: NodeState, when: string): string[] {
  const out: string[] = [];
  for (const k of Object.keys(a) as (keyof NodeState)[]) {
    const gone = a[k].filter((x) => !b[k].includes(x));
    const added = b[k].filter((x) => !a[k].includes(x));
    if (gone.length || added.length) out.push(`${when}, the node's ${k} changed:${added.length ? ` + ${added.join('; ')}` : ''}${gone.length ? ` − ${gone.join('; ')}` : ''}`);
  }
  return out;
}

/** The case's CNI_* variables, and none inherited from this process (execCommand adds the rest of its env). */
function onlyCaseEnv(env: Record<string, string>): Record<string, string> {
  const unset = Object.fromEntries(Object.keys(process.env).filter((k) => k.startsWith('CNI_') || k.startsWith('SIMPLECNI_')).map((k) => [k, '']));
  return { ...unset, ...env };
}

/** A failure as a report that replays it. */
export function describeFailure(f: CaseFailure): string {
  const c = f.fuzzCase;
  return [
    `fuzz case ${f.index} of seed ${f.seed} failed (replay: npm run fuzz -- --seed ${f.seed} --index ${f.index})`,
    `  what: ${c.what}`,
    ...f.problems.map((p) => `  ✗ ${p}`),
    `  env: ${preview(c.env, 400)}`,
    `  stdin: ${preview(c.stdin, 600)}`,
    ...(c.ipamFile !== undefined ? [`  IPAM file: ${c.ipamFile === null ? '(none)' : preview(c.ipamFile, 300)}`] : []),
    ...(c.leaseFiles ? [`  lease files: ${preview(c.leaseFiles, 400)}`] : []),
    `  answer: exit ${f.outcome.code}, stdout ${preview(f.outcome.stdout, 300)}`,
  ].join('\n');
}
