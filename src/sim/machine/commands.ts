// The simulated kernel's programs as commands of a node's shell (just-bash custom commands). Each
// runs against the machine's one World in the namespace the shell is in (a variable the shell
// carries: `ip netns exec` / `nsenter` run their program with it changed). ping and tcpdump print
// as they go when the shell's line is just that command (then nothing else's output can come
// before theirs); in a pipe or a redirection they return their output at the end, as any command.
import { defineCommand, type Command, type CommandContext } from 'just-bash/browser';
import { closeCapture, openCapture, parseCaptureArgs, takeLines } from '../core/capture.ts';
import { COMMANDS, runSimCommand } from '../core/commands.ts';
import type { CommandResult } from '../core/command.ts';
import type { World } from '../core/model.ts';

/** Shell variables the machine's commands read (exported, so `sh -c` and sub-shells keep them). */
export const MACHINE_VARS = {
  /** World namespace id the shell's commands run in. */
  netns: 'SIMPLECNI_SIM_NETNS',
  /** Id of the machine exec this command belongs to (its output sinks and signal). */
  exec: '__SIMPLECNI_EXEC',
} as const;

export interface ExecSinks {
  /** The line is one command with its output going to the terminal: ping/tcpdump stream into these. */
  stream: boolean;
  onStdout?(s: string): void;
  onStderr?(s: string): void;
  signal?: AbortSignal;
}

export interface MachineHooks {
  world(): World;
  node: string;
  /** The exec (by id) a command runs in. */
  sinks(id: string | undefined): ExecSinks | undefined;
  /** Called after every command that may have changed the world. */
  changed(): void;
  /** Real time between ping probes is scaled by this (tests use 0). */
  timeScale(): number;
}

type Out = { stdout: string; stderr: string; exitCode: number };

/** Quotes a word for the shell. */
export const shQuote = (s: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** A command's stdin as text (just-bash hands it over as bytes, one char per byte). */
export function stdinText(ctx: CommandContext): string {
  const bytes = ctx.stdin as unknown as string;
  if (!bytes) return '';
  return new TextDecoder().decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
}

const out = (r: CommandResult): Out => ({ stdout: r.stdout, stderr: r.stderr, exitCode: r.code });

/** Programs that read a script on stdin when given "-": only then is stdin consumed. */
function wantsStdin(argv: readonly string[]): boolean {
  const [cmd, ...args] = argv;
  if (cmd === 'ip' || cmd === 'bridge') return args.some((a, i) => (a === '-batch' || a === '-b') && args[i + 1] === '-');
  if (cmd === 'nft') return args.some((a, i) => (a === '-f' || a === '--file') && args[i + 1] === '-');
  return false;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

function nsOf(h: MachineHooks, ctx: CommandContext): string {
  return ctx.env.get(MACHINE_VARS.netns) || h.node;
}

/** Runs argv in namespace `ns` through the node's shell (a program of the shell's, or another sim command). */
async function spawnIn(ctx: CommandContext, argv: string[], ns: string): Promise<Out> {
  if (argv.length === 0) {
    return { stdout: '', stderr: 'an interactive shell inside a namespace is not available here: give the command to run, e.g. ip netns exec NAME ip addr\n', exitCode: 1 };
  }
  if (!ctx.exec) return { stdout: '', stderr: `${argv[0]}: cannot run here\n`, exitCode: 126 };
  const r = await ctx.exec(`export ${MACHINE_VARS.netns}=${shQuote(ns)}; ${argv.map(shQuote).join(' ')}`, { cwd: ctx.cwd, stdin: stdinText(ctx), signal: ctx.signal });
  return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
}

const DURATION = /^(\d+(?:\.\d+)?)([smhd]?)$/;
const UNIT_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * timeout DURATION COMMAND…: as coreutils' (exit 124 when the time is up), run in the namespace
 * the shell is in. just-bash's own timeout starts its command without the shell's exported
 * variables, so `ip netns exec POD timeout 5 tcpdump …` would capture on the node instead.
 */
function timeoutCommand(h: MachineHooks): Command {
  return defineCommand('timeout', async (args, ctx) => {
    let i = 0;
    while (i < args.length && args[i]!.startsWith('-') && args[i] !== '--') {
      const a = args[i]!;
      if (a === '-k' || a === '-s' || a === '--kill-after' || a === '--signal') i += 2;
      else if (a === '--preserve-status' || a === '--foreground' || /^-[ks]./.test(a) || /^--(kill-after|signal)=/.test(a)) i += 1;
      else return { stdout: '', stderr: `timeout: invalid option -- '${a}'\n`, exitCode: 125 };
    }
    if (args[i] === '--') i++;
    const [duration, ...argv] = args.slice(i);
    const d = duration === undefined ? null : DURATION.exec(duration);
    if (!d) return { stdout: '', stderr: duration === undefined ? 'timeout: missing operand\n' : `timeout: invalid time interval '${duration}'\n`, exitCode: 125 };
    if (argv.length === 0) return { stdout: '', stderr: 'timeout: missing operand\n', exitCode: 125 };
    if (!ctx.exec) return { stdout: '', stderr: 'timeout: cannot run a command here\n', exitCode: 126 };
    const ms = Number(d[1]) * UNIT_MS[d[2]!]!;
    const stop = new AbortController();
    const onOuter = () => stop.abort();
    ctx.signal?.addEventListener('abort', onOuter, { once: true });
    let timedOut = false;
    const timer = ms > 0 ? setTimeout(() => ((timedOut = true), stop.abort()), ms) : undefined;
    try {
      const r = await ctx.exec(`export ${MACHINE_VARS.netns}=${shQuote(nsOf(h, ctx))}; ${argv.map(shQuote).join(' ')}`, { cwd: ctx.cwd, stdin: stdinText(ctx), signal: stop.signal });
      if (timedOut) return { stdout: r.stdout, stderr: r.stderr.replace(/^bash: execution aborted\n?/m, ''), exitCode: 124 };
      return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onOuter);
    }
  });
}

/** One of the model's one-shot programs (ip, bridge, sysctl, nft, nsenter, traceroute). */
function simCommand(h: MachineHooks, name: string): Command {
  return defineCommand(name, async (args, ctx) => {
    const argv = [name, ...args];
    const stdin = wantsStdin(argv) ? stdinText(ctx) : undefined;
    const r = runSimCommand({ world: h.world(), ns: nsOf(h, ctx), node: h.node, ...(stdin === undefined ? {} : { stdin }) }, argv);
    h.changed();
    if (!r.spawn || r.code !== 0) return out(r);
    const sub = await spawnIn(ctx, r.spawn.argv, r.spawn.ns);
    return { stdout: r.stdout + sub.stdout, stderr: r.stderr + sub.stderr, exitCode: sub.exitCode };
  });
}

/**
 * ping: in a pipe the model answers at once (its time is simulated). In a terminal it sends one
 * probe at a time, an interval apart, so a tcpdump elsewhere sees them as they go and a change
 * made meanwhile shows in the next reply; without -c it runs until Ctrl-C, as ping does.
 */
function pingCommand(h: MachineHooks): Command {
  return defineCommand('ping', async (args, ctx) => {
    const sinks = h.sinks(ctx.env.get(MACHINE_VARS.exec));
    const run = (a: string[], firstSeq?: number) => {
      const r = runSimCommand({ world: h.world(), ns: nsOf(h, ctx), node: h.node, ...(firstSeq ? { firstSeq } : {}) }, ['ping', ...a]);
      h.changed();
      return r;
    };
    if (!sinks?.stream || !sinks.onStdout) return out(run(args));
    const { base, count, deadline } = splitCountArgs(args);
    const interval = pingInterval(args);
    const signal = sinks.signal ?? ctx.signal;
    const first = run([...base, '-c', '1']);
    if (first.code === 2) return out(first); // a usage error or no route: nothing was sent
    const header = first.stdout.slice(0, first.stdout.indexOf('\n') + 1);
    const dst = /^PING (\S+)/.exec(header)?.[1] ?? '';
    sinks.onStdout(header);
    let sent = 0;
    let received = 0;
    let errors = 0;
    const rtts: number[] = [];
    const emit = (r: CommandResult) => {
      sent++;
      const body = r.stdout.slice(r.stdout.indexOf('\n') + 1).split('\n\n--- ')[0]!;
      for (const line of body.split('\n').filter(Boolean)) {
        if (/ bytes from /.test(line)) {
          received++;
          rtts.push(Number(/time=([\d.]+)/.exec(line)?.[1] ?? 0));
        } else if (/^From /.test(line)) errors++;
        sinks.onStdout!(`${line}\n`);
      }
      if (r.stderr) {
        errors += r.stderr.split('\n').filter(Boolean).length;
        (sinks.onStderr ?? sinks.onStdout!)(r.stderr);
      }
    };
    emit(first);
    for (let seq = 2; count === undefined || seq <= count; seq++) {
      if (deadline !== undefined && (seq - 1) * interval >= deadline) break;
      await sleep(interval * 1000 * h.timeScale(), signal);
      if (signal?.aborted) break;
      emit(run([...base, '-c', '1'], seq));
    }
    const loss = sent === 0 ? 0 : ((sent - received) * 100) / sent;
    let stats = `\n--- ${dst} ping statistics ---\n${sent} packets transmitted, ${received} received, ${errors ? `+${errors} errors, ` : ''}${Number(loss.toPrecision(6))}% packet loss, time ${Math.round((sent - 1) * interval * 1000)}ms\n`;
    if (rtts.length > 0) {
      const avg = rtts.reduce((x, y) => x + y, 0) / rtts.length;
      const mdev = Math.sqrt(Math.max(0, rtts.reduce((x, y) => x + y * y, 0) / rtts.length - avg * avg));
      stats += `rtt min/avg/max/mdev = ${Math.min(...rtts).toFixed(3)}/${avg.toFixed(3)}/${Math.max(...rtts).toFixed(3)}/${mdev.toFixed(3)} ms\n`;
    }
    sinks.onStdout(stats);
    return { stdout: '', stderr: '', exitCode: received > 0 && !(deadline !== undefined && count !== undefined && received < count) ? 0 : 1 };
  });
}

/** ping's arguments without -c and -w (the terminal counts probes itself), and their values. */
function splitCountArgs(args: string[]): { base: string[]; count?: number; deadline?: number } {
  const base: string[] = [];
  let count: number | undefined;
  let deadline: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^-([cw])(\d*)$/.exec(a);
    if (m) {
      const v = Number(m[2] || args[++i]);
      if (m[1] === 'c') count = v;
      else deadline = v;
      continue;
    }
    base.push(a);
  }
  return { base, ...(count !== undefined ? { count } : {}), ...(deadline !== undefined ? { deadline } : {}) };
}

function pingInterval(args: string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-i') return Number(args[i + 1]) || 1;
    if (/^-i[\d.]+$/.test(a)) return Number(a.slice(2)) || 1;
  }
  return 1;
}

const POLL_MS = 40;
const stamp = (d = new Date()) => `${d.toTimeString().slice(0, 8)}.${String(d.getMilliseconds() * 1000).padStart(6, '0')}`;

/** tcpdump: a capture on the model, read while packets pass, until -c packets or Ctrl-C (the exec's signal). */
function tcpdumpCommand(h: MachineHooks): Command {
  return defineCommand('tcpdump', async (args, ctx) => {
    const parsed = parseCaptureArgs(args);
    const count = 'error' in parsed ? undefined : parsed.count;
    const opened = openCapture(h.world(), nsOf(h, ctx), args);
    if ('error' in opened) return { stdout: '', stderr: opened.error.replace(/\n?$/, '\n'), exitCode: 1 };
    const sinks = h.sinks(ctx.env.get(MACHINE_VARS.exec));
    const stream = Boolean(sinks?.stream && sinks.onStdout);
    const signal = sinks?.signal ?? ctx.signal;
    const iface = 'error' in parsed ? 'any' : parsed.iface;
    const head =
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n' +
      `listening on ${iface}, link-type ${iface === 'any' ? 'LINUX_SLL2 (Linux cooked v2)' : 'EN10MB (Ethernet)'}, snapshot length 262144 bytes\n`;
    let stdout = '';
    let stderr = '';
    const emitOut = (s: string) => (stream ? sinks!.onStdout!(s) : (stdout += s));
    const emitErr = (s: string) => (stream && sinks!.onStderr ? sinks!.onStderr(s) : (stderr += s));
    emitErr(head);
    let seen = 0;
    try {
      while (!signal?.aborted && (count === undefined || seen < count)) {
        for (const entry of takeLines(h.world(), opened.id)) {
          if (count !== undefined && seen >= count) break;
          seen++;
          emitOut(`${/^\d\d:\d\d:\d\d/.test(entry) ? entry : `${stamp()} ${entry}`}\n`);
        }
        if (count === undefined || seen < count) await sleep(POLL_MS, signal);
      }
    } finally {
      closeCapture(h.world(), opened.id);
    }
    const s = seen === 1 ? '' : 's';
    emitErr(`\n${seen} packet${s} captured\n${seen} packet${s} received by filter\n0 packets dropped by kernel\n`);
    return { stdout, stderr, exitCode: 0 };
  });
}

/** Tools a student may reach for that the simulated kernel does not model, with what to use instead. */
export const NOT_MODELLED: Record<string, string> = {
  ifconfig: 'ip addr / ip link',
  route: 'ip route',
  arp: 'ip neigh',
  netstat: 'ip route / ip -s link',
  brctl: 'ip link add … type bridge / bridge link',
  iptables: 'nft (the plugin’s masquerade table, the node agent’s NetworkPolicy table)',
  'iptables-save': 'nft list ruleset',
  ip6tables: 'nft',
  ethtool: 'ip -d link',
  conntrack: 'nft list ruleset (connections are tracked for one packet walk only: nothing to list)',
  iperf3: 'ping -s SIZE (TCP is modelled as far as the handshake: no data flows)',
  unshare: 'ip netns add NAME',
  modprobe: 'nothing: modules load when first used (ip link add … type ipip/vxlan); br_netfilter is loaded',
  lsmod: 'ip -d link',
  dmesg: 'the commands’ own error messages',
  mount: 'nothing: namespaces are pinned for you (ip netns add, pods under /run/simplecni-lab/pods)',
  systemctl: 'nothing: no services run on a simulated node',
  containerd: 'a real kernel (lab 09 needs one: the netns or vagrant backend)',
  ctr: 'a real kernel (lab 09 needs one: the netns or vagrant backend)',
  crictl: 'a real kernel (lab 09 needs one: the netns or vagrant backend)',
  docker: 'a real kernel (lab 09 needs one: the netns or vagrant backend)',
};

function notModelled(name: string, instead: string): Command {
  return defineCommand(name, async () => ({ stdout: '', stderr: `${name}: not in the simulated kernel; use ${instead}\n`, exitCode: 127 }));
}

/** Every kernel command of a node's shell. */
export function kernelCommands(h: MachineHooks): Command[] {
  return [
    ...Object.keys(COMMANDS)
      .filter((n) => n !== 'ping')
      .map((n) => simCommand(h, n)),
    pingCommand(h),
    tcpdumpCommand(h),
    timeoutCommand(h),
    ...Object.entries(NOT_MODELLED).map(([n, i]) => notModelled(n, i)),
  ];
}
