// ping(8) on the simulated kernel, printing what Debian 12's iputils-ping (20221126) prints:
// the header, one line per reply or ICMP error, local errors on stderr, the statistics block.
// Exit 0 with a reply, 1 without, 2 on an error before sending (no route, bad option).
// Time is simulated: nothing sleeps; a failed ARP costs 3 s, which -W/-w may not wait for.
import { fail, currentNs, type Command, type CommandResult } from './command.ts';
import { fibLookup, isLocalAddress } from './fib.ts';
import { isIp4 } from './ip4.ts';
import { linkByName } from './model.ts';
import { pmtuFor } from './pmtu.ts';
import type { IpPacket } from './packet/types.ts';
import { Walk } from './packet/walk.ts';

const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -c <count>         stop after <count> replies
  -i <interval>      seconds between sending each packet
  -I <interface>     either interface name or address
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -q                 quiet output
  -s <size>          use <size> as number of data bytes to be sent
  -t <ttl>           define time to live
  -W <timeout>       time to wait for response
  -w <deadline>      reply wait <deadline> in seconds

For more details see ping(8).
`;

interface Opts {
  count?: number;
  wait: number;
  deadline?: number;
  interval: number;
  quiet: boolean;
  size: number;
  pmtu: 'do' | 'dont' | 'want';
  iface?: string;
  ttl?: number;
  dst: string;
}

/** Without -c or -w a real ping runs until interrupted; a one-shot command sends this many. */
export const DEFAULT_COUNT = 4;

function parse(args: string[]): Opts | CommandResult {
  const o: Partial<Opts> & { wait: number; interval: number; quiet: boolean; size: number; pmtu: Opts['pmtu'] } = { wait: 10, interval: 1, quiet: false, size: 56, pmtu: 'want' };
  const withValue = 'cWwistIM';
  const hosts: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-') {
      hosts.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (withValue.includes(f)) {
        const v = a.length > j + 1 ? a.slice(j + 1) : args[++i];
        if (v === undefined) return fail(`ping: option requires an argument -- '${f}'${USAGE}`, 2);
        const bad = (what: string) => fail(`ping: invalid argument: '${v}'${what ? `: ${what}` : ''}`, 2);
        const num = Number(v);
        switch (f) {
          case 'c':
            if (!/^\d+$/.test(v) || num < 1) return bad('out of range: 1 <= value <= 9223372036854775807');
            o.count = num;
            break;
          case 'W':
            if (!Number.isFinite(num) || num < 0) return fail(`ping: bad linger time: ${v}`, 2);
            o.wait = num;
            break;
          case 'w':
            if (!/^\d+$/.test(v)) return bad('out of range: 0 <= value <= 2147483647');
            o.deadline = num;
            break;
          case 'i':
            if (!Number.isFinite(num) || num < 0) return fail(`ping: bad timing interval: ${v}`, 2);
            o.interval = num;
            break;
          case 's':
            if (!/^\d+$/.test(v) || num > 65507) return bad('out of range: 0 <= value <= 2147483647');
            o.size = num;
            break;
          case 't':
            if (!/^\d+$/.test(v) || num < 1 || num > 255) return bad('out of range: 1 <= value <= 255');
            o.ttl = num;
            break;
          case 'I':
            o.iface = v;
            break;
          case 'M':
            if (v !== 'do' && v !== 'dont' && v !== 'want' && v !== 'probe') return fail(`ping: invalid -M argument: ${v}`, 2);
            o.pmtu = v === 'probe' ? 'do' : v;
            break;
        }
        break;
      }
      if (f === 'q') o.quiet = true;
      else if (f === 'n' || f === '4' || f === 'D' || f === 'O' || f === 'U' || f === 'v' || f === 'A') {
        /* accepted, no effect here */
      } else return fail(`ping: invalid option -- '${f}'${USAGE}`, 2);
    }
  }
  if (hosts.length === 0) return fail('ping: usage error: Destination address required', 2);
  let dst = hosts[hosts.length - 1]!;
  if (dst === 'localhost') dst = '127.0.0.1';
  if (!isIp4(dst)) return fail(`ping: ${dst}: Name or service not known`, 2);
  return { ...o, dst } as Opts;
}

function fmtMs(ms: number): string {
  // iputils: 3 decimals below 1 s… as tvsub gives them; rtts here are always well below 100 ms.
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

/** printf("%g"): six significant digits, no trailing zeros. */
function g(n: number): string {
  return String(Number(n.toPrecision(6)));
}

const UNREACH_TEXT: Record<number, string> = {
  0: 'Destination Net Unreachable',
  1: 'Destination Host Unreachable',
  2: 'Destination Protocol Unreachable',
  3: 'Destination Port Unreachable',
  9: 'Destination Net Prohibited',
  10: 'Destination Host Prohibited',
  13: 'Packet filtered',
};

export function icmpErrorText(p: IpPacket): string {
  const i = p.icmp!;
  if (i.kind === 'time-exceeded') return 'Time to live exceeded';
  if (i.code === 4) return `Frag needed and DF set (mtu = ${i.mtu})`;
  return UNREACH_TEXT[i.code ?? 0] ?? `Dest Unreachable, Bad Code: ${i.code}`;
}

export const ping: Command = (ctx, args) => {
  const o = parse(args);
  if ('code' in o) return o;
  const ns = currentNs(ctx);
  const world = ctx.world;

  // -I: an interface name binds to the device, an address is the source.
  let oif: number | undefined;
  let src: string | undefined;
  let device: string | undefined;
  if (o.iface !== undefined) {
    if (isIp4(o.iface)) {
      if (!isLocalAddress(ns, o.iface)) return fail('ping: bind: Cannot assign requested address', 2);
      src = o.iface;
    } else {
      const l = linkByName(ns, o.iface);
      if (!l) return fail(`ping: SO_BINDTODEVICE ${o.iface}: No such device`, 2);
      oif = l.ifindex;
      device = o.iface;
    }
  }
  // connect(): the route decides the source, or that there is no way at all.
  const hit = fibLookup(world, ns, o.dst, oif === undefined ? {} : { oif });
  if (!('dev' in hit)) return fail(`ping: connect: ${hit.error}`, 2);
  src ??= hit.src ?? '0.0.0.0';

  const ipLen = o.size + 28;
  let out = `PING ${o.dst} (${o.dst}) ${o.iface !== undefined ? `from ${src} ${device ?? ''}: ` : ''}${o.size}(${ipLen}) bytes of data.\n`;
  let err = '';
  const count = o.count ?? (o.deadline !== undefined ? Math.max(1, Math.ceil(o.deadline / Math.max(o.interval, 0.001))) : DEFAULT_COUNT);
  const id = (ctx.pid ?? 4242) & 0xffff;
  const defaultTtl = Number(ns.sysctl['net.ipv4.ip_default_ttl'] ?? '64') || 64;

  let sent = 0;
  let received = 0;
  let errors = 0;
  const rtts: number[] = [];
  /** When each probe's answer arrives (seconds after start), for "pipe". */
  const answered: { sentAt: number; at: number }[] = [];
  const lastSend = (count - 1) * o.interval;
  // ping stops waiting -W after the last probe (or at -w).
  const end = Math.min(lastSend + o.wait, o.deadline ?? Infinity);

  const first = ctx.firstSeq ?? 1;
  for (let seq = first; seq < first + count; seq++) {
    const sentAt = (seq - first) * o.interval;
    if (o.deadline !== undefined && sentAt >= o.deadline && seq > first) break;
    sent++;
    // -M want sets DF where the packet fits the path as far as the kernel knows it (pmtu.ts).
    const fits = ipLen <= Math.min(hit.dev.mtu, pmtuFor(ns, o.dst)?.mtu ?? Infinity);
    const pkt: IpPacket = {
      src,
      dst: o.dst,
      ttl: o.ttl ?? defaultTtl,
      df: o.pmtu === 'do' || (o.pmtu === 'want' && fits),
      len: ipLen,
      proto: 'icmp',
      icmp: { kind: 'echo-request', id, seq },
    };
    const walk = new Walk(world);
    const res = walk.output(ns, pkt, oif === undefined ? { origin: true } : { origin: true, oif });
    const at = sentAt + walk.delay;
    if (res.kind === 'local-error') {
      errors++;
      err += res.error === 'EMSGSIZE' ? `ping: local error: message too long, mtu=${res.mtu}\n` : `ping: sendmsg: ${res.message}\n`;
      continue;
    }
    if (res.kind !== 'delivered' || res.ns !== ns.id || at > end) continue;
    const p = res.pkt;
    if (p.icmp?.kind === 'echo-reply' && p.icmp.id === id && p.src === o.dst) {
      received++;
      const rtt = 0.035 + 0.011 * walk.crossings + ((seq * 7) % 5) * 0.003;
      rtts.push(rtt);
      answered.push({ sentAt, at });
      if (!o.quiet) out += `${p.len - 20} bytes from ${p.src}: icmp_seq=${seq} ttl=${p.ttl} time=${fmtMs(rtt)} ms\n`;
    } else if (p.icmp && (p.icmp.kind === 'dest-unreach' || p.icmp.kind === 'time-exceeded') && p.icmp.orig?.icmp?.id === id) {
      errors++;
      answered.push({ sentAt, at });
      if (!o.quiet) out += `From ${p.src} icmp_seq=${seq} ${icmpErrorText(p)}\n`;
    }
  }

  let pipe = 1;
  for (const a of answered) pipe = Math.max(pipe, answered.filter((b) => b.sentAt <= a.sentAt && b.at > a.sentAt).length);
  const elapsed = sent > 1 ? Math.round((sent - 1) * o.interval * 1000 + (sent - 1) * (errors > received ? 10 : 0.5)) : 0;
  const loss = sent === 0 ? 0 : ((sent - received) * 100) / sent;
  out += `\n--- ${o.dst} ping statistics ---\n`;
  out += `${sent} packets transmitted, ${received} received, ${errors ? `+${errors} errors, ` : ''}${g(loss)}% packet loss, time ${elapsed}ms\n`;
  const tail: string[] = [];
  if (received > 0) {
    const min = Math.min(...rtts);
    const max = Math.max(...rtts);
    const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
    const mdev = Math.sqrt(Math.max(0, rtts.reduce((a, b) => a + b * b, 0) / rtts.length - avg * avg));
    tail.push(`rtt min/avg/max/mdev = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms`);
  }
  if (pipe > 1) tail.push(`pipe ${pipe}`);
  out += `${tail.join(', ')}\n`;
  const code = received > 0 && !(o.deadline !== undefined && o.count !== undefined && received < o.count) ? 0 : 1;
  return { code, stdout: out, stderr: err };
};
