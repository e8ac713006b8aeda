// A terminal in the browser: a PTY running a shell, bridged to one WebSocket. The shell is a
// node's own (the node driver decides what that is: `nsenter … bash` for netns, ssh for VMs) or
// the workstation's: the student's machine, in the kit's folder, with `cnilab` on PATH.
// The client picks a terminal by id; it never sends a command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IPty } from '@lydell/node-pty';
import type { WebSocket } from 'ws';
import type { NodeDriver } from '../cluster/driver.ts';
import { repoRoot } from '../shared/paths.ts';
import { LIMITS, type TermClientMessage, type TermServerMessage } from './api.ts';
import { msg, t } from '../i18n/index.ts';

export type Pty = Pick<typeof import('@lydell/node-pty'), 'spawn'>;

/** The PTY addon is native: loaded by the lab server once, not by every cnilab command. */
export async function loadPty(): Promise<Pty> {
  const mod = await import('@lydell/node-pty');
  // A CommonJS module: some loaders give its exports as named imports, others only as `default`.
  return typeof mod.spawn === 'function' ? mod : mod.default;
}

/** What to run in a terminal, and where. */
export interface ShellSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.TERM = 'xterm-256color';
  return env;
}

/** The kit's `bin/` first on PATH: `cnilab` works on the workstation, and says where to run it on a node. */
function withKitBin(env: Record<string, string>): Record<string, string> {
  return { ...env, PATH: `${path.join(repoRoot(), 'bin')}${path.delimiter}${env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}` };
}

/** A node's own shell. */
export function nodeShell(driver: NodeDriver, node: string): ShellSpec {
  return { argv: driver.shellArgv(node), cwd: process.cwd(), env: withKitBin(baseEnv()) };
}

/**
 * The student's own machine: their shell in the kit's folder, `cnilab` first on PATH and the
 * server's cluster selected, so the lab text's `$ cnilab …` lines run as printed.
 */
export function workstationShell(cluster: string): ShellSpec {
  const env = withKitBin(baseEnv());
  const root = repoRoot();
  env.SIMPLECNI_CLUSTER = cluster;
  delete env.SIMPLECNI_NODE; // not a node, whatever started the server
  const shell = env.SHELL && fs.existsSync(env.SHELL) ? env.SHELL : fs.existsSync('/bin/bash') ? '/bin/bash' : '/bin/sh';
  return { argv: [shell, '-i'], cwd: root, env };
}

/** How long a shell may take to end after its socket closed (SIGHUP) before its processes are killed. */
export const HANGUP_GRACE_MS = 1500;

/** Every process started under `leader`: its session (jobs have their own groups) and its descendants. Linux's /proc; elsewhere the group only. */
function processesOf(leader: number, withTree: boolean): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const parent = new Map<number, number>();
  const inSession: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp session …": comm may hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(e);
    parent.set(pid, Number(f[1]));
    if (Number(f[3]) === leader) inSession.push(pid);
  }
  const found = new Set(inSession);
  if (!withTree) return [...found];
  found.add(leader);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!found.has(pid) && found.has(ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  return [...found].filter((p) => parent.has(p));
}

/** Signals the shell's processes; once the shell itself is gone (its PID free for reuse), only its session's. */
function killAll(leader: number, signal: NodeJS.Signals, leaderGone: boolean) {
  const pids = processesOf(leader, !leaderGone).filter((p) => !leaderGone || p !== leader);
  for (const pid of leaderGone ? pids : [-leader, ...pids]) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone, or not ours
    }
  }
}

/** The terminals a server has open, so it can cap them and end them all when it stops. */
export class TerminalSet {
  private readonly open = new Set<{ end(graceMs: number): Promise<void> }>();

  constructor(readonly max: number) {}

  get size() {
    return this.open.size;
  }

  get full() {
    return this.open.size >= this.max;
  }

  /**
   * Bridges one WebSocket to a shell. Synchronous on purpose: the socket's handlers must be in
   * place before its first message, or keys typed at once would be lost.
   */
  attach(ws: WebSocket, pty: Pty, spec: ShellSpec, label: string): void {
    // A protocol error (an oversized message) closes the socket with 1009; the 'close' handler ends the shell.
    ws.on('error', () => {});
    const send = (m: TermServerMessage) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(m));
    const [file, ...args] = spec.argv;
    let term: IPty;
    try {
      term = pty.spawn(file!, args, { name: 'xterm-256color', cols: 100, rows: 30, cwd: spec.cwd, env: spec.env });
    } catch (err) {
      const text = msg('err.term.noShell', { label, error: (err as Error).message });
      send({ type: 'error', message: t('en', text), text });
      ws.close(1011, 'could not open a shell');
      return;
    }
    let exited = false;
    const exit = new Promise<void>((resolve) =>
      term.onExit(({ exitCode }) => {
        exited = true;
        send({ type: 'exit', code: exitCode });
        ws.close(1000, 'the shell ended');
        resolve();
      }),
    );
    let ending: Promise<void> | undefined;
    /** Hang up; a shell that ignores SIGHUP (`trap '' HUP`) and what it started are killed after the grace. */
    const end = (graceMs: number): Promise<void> =>
      (ending ??= (async () => {
        if (!exited) killAll(term.pid, 'SIGHUP', false);
        const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
        await Promise.race([exit, timer]);
        // Jobs the shell left behind in the session outlive it: they go too.
        killAll(term.pid, 'SIGKILL', exited);
        await Promise.race([exit, new Promise<void>((r) => setTimeout(r, 2000).unref())]);
      })().finally(() => this.open.delete(entry)));
    const entry = { end };
    this.open.add(entry);
    term.onData((data) => send({ type: 'output', data }));
    ws.on('message', (raw, isBinary) => {
      if (isBinary || exited) return;
      let m: TermClientMessage;
      try {
        m = JSON.parse(raw.toString()) as TermClientMessage;
      } catch {
        return; // not ours: ignore rather than crash the shell
      }
      try {
        if (m?.type === 'input' && typeof m.data === 'string') term.write(m.data);
        else if (m?.type === 'resize') {
          const cols = Math.max(2, Math.min(LIMITS.maxCols, Math.floor(Number(m.cols)) || 80));
          const rows = Math.max(2, Math.min(LIMITS.maxRows, Math.floor(Number(m.rows)) || 24));
          term.resize(cols, rows);
        }
      } catch {
        // the PTY closed under this message (resize after exit throws): the exit handler reports it
      }
    });
    // The shell lives exactly as long as the socket: closing the tab ends it.
    ws.on('close', () => void end(HANGUP_GRACE_MS));
  }

  /** Ends every terminal (the server is stopping), quickly. */
  async endAll(): Promise<void> {
    await Promise.all([...this.open].map((t) => t.end(300)));
  }
}
