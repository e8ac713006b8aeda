// A workshop's load on one lab server: N browser-like clients, each with 3 terminals typing a
// numbered sequence and 1 check stream, for a bounded time; then every socket is closed. Measures
// the keystroke echo latency (typed text seen back from the shell) and each check's duration, and
// finds every lost or reordered line, every unfinished check. Loopback only.
import * as fs from 'node:fs';
import WebSocket from 'ws';

export interface LoadOptions {
  /** http://127.0.0.1:PORT/#token=… as the server prints it. */
  url: string;
  clients: number;
  terminalsPerClient?: number;
  durationMs: number;
  /** Pause between two typed lines of one terminal (a person types a command every few seconds; a test types faster). */
  typingGapMs?: number;
  /** The lab whose checks each client streams, again and again until the time is up. */
  lab?: string;
  /** Lines each terminal types even when the time is up before it opened (a slow machine still proves order). */
  minLines?: number;
}

export interface LoadReport {
  terminals: number;
  linesTyped: number;
  /** Problems: lost or reordered lines, terminals that never opened, checks that did not finish. */
  problems: string[];
  echoMs: number[];
  checkMs: number[];
  checksDone: number;
}

const NODES = ['node1', 'node2', 'node3'];

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function runLoad(opts: LoadOptions): Promise<LoadReport> {
  const u = new URL(opts.url);
  const token = new URLSearchParams(u.hash.slice(1)).get('token')!;
  const origin = `${u.protocol}//${u.host}`;
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error(`the load test talks to loopback only, not ${u.hostname}`);
  const report: LoadReport = { terminals: 0, linesTyped: 0, problems: [], echoMs: [], checkMs: [], checksDone: 0 };
  const deadline = Date.now() + opts.durationMs;
  const perClient = opts.terminalsPerClient ?? 3;
  const sockets: WebSocket[] = [];

  const terminal = async (client: number, t: number) => {
    const node = NODES[(client + t) % NODES.length]!;
    const tag = `c${client}t${t}`;
    const ws = new WebSocket(`ws://${u.host}/api/term?node=${node}`, [`cnilab.${token}`], { origin });
    sockets.push(ws);
    let out = '';
    const waiters: { re: RegExp; resolve: () => void }[] = [];
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString()) as { type: string; data?: string };
      if (msg.type !== 'output') return;
      out += msg.data;
      for (const w of [...waiters]) if (w.re.test(out)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    });
    const seen = (re: RegExp, ms: number) =>
      new Promise<boolean>((resolve) => {
        if (re.test(out)) return resolve(true);
        const timer = setTimeout(() => (waiters.splice(waiters.indexOf(w), 1), resolve(false)), ms);
        const w = { re, resolve: () => (clearTimeout(timer), resolve(true)) };
        waiters.push(w);
      });
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('error', () => resolve(false));
      ws.once('close', () => resolve(false));
    });
    if (!opened) return void report.problems.push(`${tag}: the terminal on ${node} did not open`);
    report.terminals++;
    let n = 0;
    while (n < (opts.minLines ?? 5) || Date.now() < deadline) {
      n++;
      // The shell's output is `<tag>-<n>`; the typed line shows `$((…))` unexpanded, so the two never mix up.
      const typed = `echo ${tag}-$((${n}+0))`;
      const t0 = performance.now();
      ws.send(JSON.stringify({ type: 'input', data: `${typed}\r` }));
      report.linesTyped++;
      if (await seen(new RegExp(escape(typed)), 30_000)) report.echoMs.push(performance.now() - t0);
      else report.problems.push(`${tag}: "${typed}" was never echoed`);
      await new Promise((r) => setTimeout(r, opts.typingGapMs ?? 100));
    }
    // Every line's output, in order, once: nothing lost, nothing reordered.
    await seen(new RegExp(`^${tag}-${n}\\r?$`, 'm'), 30_000);
    const got = [...out.matchAll(new RegExp(`^${tag}-(\\d+)\\r?$`, 'gm'))].map((m) => Number(m[1]));
    const want = Array.from({ length: n }, (_, i) => i + 1);
    if (got.join(',') !== want.join(',')) report.problems.push(`${tag} on ${node}: output lines ${summarize(got)}, expected 1…${n} in order`);
  };

  const checks = async (client: number) => {
    do {
      const t0 = performance.now();
      try {
        const r = await fetch(`${origin}/api/labs/${opts.lab ?? '00'}/check`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin } });
        const lines = (await r.text()).trim().split('\n').map((l) => JSON.parse(l) as { type: string });
        if (r.status !== 200 || lines.at(-1)?.type !== 'done') report.problems.push(`client ${client}: a check stream ended without "done" (HTTP ${r.status})`);
        else {
          report.checksDone++;
          report.checkMs.push(performance.now() - t0);
        }
      } catch (err) {
        report.problems.push(`client ${client}: a check stream failed: ${(err as Error).message}`);
      }
    } while (Date.now() < deadline);
  };

  const clients = Array.from({ length: opts.clients }, async (_, c) => {
    // What a browser does first: the lab list, then the page's terminals and its Check.
    const labs = await fetch(`${origin}/api/labs`, { headers: { authorization: `Bearer ${token}`, origin } });
    if (labs.status !== 200) report.problems.push(`client ${c}: GET /api/labs answered ${labs.status}`);
    await Promise.all([...Array.from({ length: perClient }, (_, t) => terminal(c, t)), checks(c)]);
  });
  try {
    await Promise.all(clients);
  } finally {
    for (const ws of sockets) ws.close();
    await Promise.all(sockets.map((ws) => (ws.readyState === ws.CLOSED ? undefined : new Promise((r) => ws.once('close', r)))));
  }
  return report;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const summarize = (xs: number[]) => (xs.length > 12 ? `${xs.slice(0, 6).join(',')} … ${xs.slice(-6).join(',')} (${xs.length} lines)` : xs.join(',') || 'none');

/** Resident memory of a process, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Every process below `pid` (children, grandchildren…), from /proc. */
export function descendants(pid: number): { pid: number; cmd: string }[] {
  const kids = new Map<number, number[]>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const k of kids.get(p) ?? []) {
      let cmd = '?';
      try {
        cmd = fs.readFileSync(`/proc/${k}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        // gone meanwhile
      }
      out.push({ pid: k, cmd });
      walk(k);
    }
  };
  walk(pid);
  return out;
}
