// Connections on the simulated kernel, as far as probes need them: listening sockets in a
// namespace, and a connection attempt walked through the packet model — the SYN there, the SYN-ACK
// (or RST) back, each through every hook and filter on the way. "ok" means what the real probe's
// "ok" means: the connection was let in and its reply came back. No data is carried; UDP is a
// datagram that arrives or not. `nc` is the student's face of the same: `nc -zv [-w N] [-u] HOST
// PORT` connects and closes; `nc -l [-k] [-u] PORT` listens (its socket is the caller's until
// `unlisten`: the process layer keeps it while the program runs).
import { currentNs, fail, ok, type Command } from './command.ts';
import { isIp4 } from './ip4.ts';
import type { SimNetns, World } from './model.ts';
import type { IpPacket } from './packet/types.ts';
import { Walk } from './packet/walk.ts';
import { ERRNO_TEXT } from '../../shared/errno.ts';

export type Proto = 'tcp' | 'udp';

/** Opens listening sockets in a namespace for `owner` (until `untilMs`, epoch ms, when given). */
export function listen(world: World, nsId: string, proto: Proto, ports: readonly number[], owner: string, untilMs?: number): void {
  const ns = world.namespaces[nsId];
  if (!ns) throw new Error(`no namespace ${nsId}`);
  const now = Date.now();
  const keep = (ns.sockets ?? []).filter((s) => s.until === undefined || s.until > now);
  for (const port of ports) {
    if (keep.some((s) => s.proto === proto && s.port === port)) throw new Error(`${proto} port ${port} is in use in this namespace: Address already in use`);
    keep.push({ proto, port, owner, ...(untilMs !== undefined ? { until: untilMs } : {}) });
  }
  ns.sockets = keep;
}

/** Closes every socket `owner` opened, in every namespace. */
export function unlisten(world: World, owner: string): void {
  for (const ns of Object.values(world.namespaces)) if (ns.sockets) ns.sockets = ns.sockets.filter((s) => s.owner !== owner);
}

export type ConnectResult = 'ok' | 'timeout' | 'ECONNREFUSED' | 'ENETUNREACH' | 'EHOSTUNREACH' | 'EACCES';

function nextPort(world: World): number {
  world.portSeq = ((world.portSeq ?? 0) + 1) % 28232;
  return 32768 + world.portSeq; // the kernel's ephemeral range, 32768–60999
}

/** One connection attempt from `nsId` to dst:port, walked there and back. */
export function connect(world: World, nsId: string, dst: string, port: number, proto: Proto = 'tcp'): { result: ConnectResult; walk: Walk } {
  const ns: SimNetns | undefined = world.namespaces[nsId];
  if (!ns) throw new Error(`no namespace ${nsId}`);
  const walk = new Walk(world);
  const sport = nextPort(world);
  const ttl = Number(ns.sysctl['net.ipv4.ip_default_ttl'] ?? '64') || 64;
  const pkt: IpPacket =
    proto === 'tcp'
      ? { src: '', dst, ttl, df: true, len: 60, proto: 'tcp', tcp: { sport, dport: port, flags: 'S' } }
      : { src: '', dst, ttl, df: true, len: 29, proto: 'udp', udp: { sport, dport: port } };
  const o = walk.output(ns, pkt, { origin: true });
  if (o.kind === 'local-error') return { result: o.error === 'EMSGSIZE' ? 'EHOSTUNREACH' : o.error, walk };
  if (o.kind !== 'delivered') return { result: 'timeout', walk };
  const got = o.pkt;
  if (proto === 'udp') {
    if (got.icmp?.kind === 'dest-unreach') return { result: got.icmp.code === 3 ? 'ECONNREFUSED' : 'EHOSTUNREACH', walk };
    return { result: 'ok', walk };
  }
  if (got.tcp?.flags === 'S.') return { result: 'ok', walk };
  if (got.tcp?.flags === 'R.') return { result: 'ECONNREFUSED', walk };
  if (got.icmp?.kind === 'dest-unreach') return { result: got.icmp.code === 0 ? 'ENETUNREACH' : 'EHOSTUNREACH', walk };
  return { result: 'timeout', walk };
}

const SERVICES: Record<string, string> = { 'tcp/22': 'ssh', 'tcp/53': 'domain', 'udp/53': 'domain', 'tcp/80': 'http', 'tcp/443': 'https', 'tcp/6379': 'redis', 'tcp/5432': 'postgresql', 'tcp/8080': 'http-alt' };

const NC_USAGE = 'usage: nc [-klnuvz] [-w timeout] [destination] [port]\n(the simulated nc connects and closes with -z, or listens with -l; it carries no data)';

/** nc (netcat-openbsd), the probing part: `-z` connects and closes, `-l` listens. */
export const nc: Command = (ctx, args) => {
  const ns = currentNs(ctx);
  let listenMode = false;
  let zero = false;
  let verbose = false;
  let udp = false;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-') {
      words.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const f = a[j]!;
      if (f === 'l') listenMode = true;
      else if (f === 'z') zero = true;
      else if (f === 'v') verbose = true;
      else if (f === 'u') udp = true;
      else if (f === 'k' || f === 'n') continue;
      else if (f === 'w' || f === 'p' || f === 's') {
        const v = a.length > j + 1 ? a.slice(j + 1) : args[++i];
        if (v === undefined) return fail(`nc: option requires an argument -- '${f}'\n${NC_USAGE}`);
        if (f === 'p') words.push(v);
        break;
      } else return fail(`nc: invalid option -- '${f}'\n${NC_USAGE}`);
    }
  }
  const proto: Proto = udp ? 'udp' : 'tcp';
  const portOf = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) && Number(s) > 0 && Number(s) < 65536 ? Number(s) : undefined);
  if (listenMode) {
    const port = portOf(words[words.length - 1]);
    if (port === undefined) return fail(`nc: missing port number\n${NC_USAGE}`);
    try {
      listen(ctx.world, ns.id, proto, [port], `nc:${ctx.pid ?? ns.id}`);
    } catch {
      return fail('nc: Address already in use');
    }
    return ok(verbose ? `Listening on 0.0.0.0 ${port}\n` : '');
  }
  const [host, p] = words;
  const port = portOf(p);
  if (!host || port === undefined) return fail(`nc: missing hostname and port\n${NC_USAGE}`);
  if (!isIp4(host)) return fail(`nc: getaddrinfo for host "${host}" port ${p}: Name or service not known`);
  if (!zero) return fail(`nc: ${NC_USAGE}`);
  let { result } = connect(ctx.world, ns.id, host, port, proto);
  // UDP has no handshake: netcat reports success unless an ICMP error came back, as the real one does.
  if (proto === 'udp' && result === 'timeout') result = 'ok';
  const service = SERVICES[`${proto}/${port}`] ?? '*';
  if (result === 'ok') return { code: 0, stdout: '', stderr: verbose ? `Connection to ${host} ${port} port [${proto}/${service}] succeeded!\n` : '' };
  if (!verbose) return { code: 1, stdout: '', stderr: '' };
  if (result === 'timeout') return fail(`nc: connect to ${host} port ${port} (${proto}) timed out: Operation now in progress`);
  return fail(`nc: connect to ${host} port ${port} (${proto}) failed: ${ERRNO_TEXT[result]}`);
};
