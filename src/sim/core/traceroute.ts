// traceroute(8) as Debian's (Dmitry Butskoy's 2.1) prints it: UDP probes to port 33434 and up
// (-I: ICMP echo), TTL 1…30, three probes per hop; `* * *` where nothing answers, !H !N !P !F-N
// for unreachables. Time is simulated, so a silent hop costs nothing.
import { fail, currentNs, type Command } from './command.ts';
import { fibLookup, isLocalAddress } from './fib.ts';
import { isIp4 } from './ip4.ts';
import type { IpPacket } from './packet/types.ts';
import { Walk } from './packet/walk.ts';

export const traceroute: Command = (ctx, args) => {
  let numeric = false;
  let maxHops = 30;
  let queries = 3;
  let icmp = false;
  let first = 1;
  let port = 33434;
  let source: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = () => args[++i] ?? '';
    if (a === '-n') numeric = true;
    else if (a === '-I' || a === '--icmp') icmp = true;
    else if (a === '-m' || a === '--max-hops') maxHops = Number(val());
    else if (a === '-q' || a === '--queries') queries = Number(val());
    else if (a === '-f' || a === '--first') first = Number(val());
    else if (a === '-p' || a === '--port') port = Number(val());
    else if (a === '-s' || a === '--source') source = val();
    else if (a === '-w' || a === '--wait' || a === '-z') val();
    else if (a === '-U' || a === '--udp' || a === '-4' || a === '-e') {
      /* accepted */
    } else if (a.startsWith('-')) return fail(`Bad option \`${a}' (argc ${i + 1})`, 2);
    else rest.push(a);
  }
  const dst = rest[0];
  if (!dst) return fail('Specify "host" missing argument.', 2);
  const size = rest[1] !== undefined ? Number(rest[1]) : 60;
  if (!isIp4(dst)) return fail(`${dst}: Name or service not known\nCannot handle "host" cmdline arg \`${dst}' on position 1 (argc ${args.indexOf(dst) + 1})`, 2);
  if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > 255) return fail(`max hops cannot be more than 255`, 2);
  if (!Number.isInteger(queries) || queries < 1 || queries > 10) return fail(`no more than 10 probes per hop`, 2);
  const ns = currentNs(ctx);
  const hit = fibLookup(ctx.world, ns, dst);
  if (!('dev' in hit)) return fail(`connect: ${hit.error}`, 1, `traceroute to ${dst} (${dst}), ${maxHops} hops max, ${size} byte packets\n`);
  if (source !== undefined && !isLocalAddress(ns, source)) return fail('bind: Cannot assign requested address', 1);
  const src = source ?? hit.src ?? '0.0.0.0';
  let out = `traceroute to ${dst} (${dst}), ${maxHops} hops max, ${size} byte packets\n`;
  const name = (ip: string) => (numeric ? ip : `${ip} (${ip})`);
  let seq = 0;
  for (let ttl = first; ttl <= maxHops; ttl++) {
    let line = `${String(ttl).padStart(2)} `;
    let last: string | undefined;
    let done = false;
    for (let q = 0; q < queries; q++) {
      seq++;
      const pkt: IpPacket = icmp
        ? { src, dst, ttl, df: true, len: size, proto: 'icmp', icmp: { kind: 'echo-request', id: (ctx.pid ?? 4242) & 0xffff, seq } }
        : { src, dst, ttl, df: true, len: size, proto: 'udp', udp: { sport: 40000 + ((ctx.pid ?? 0) % 20000), dport: port + seq - 1 } };
      if (size > hit.dev.mtu) pkt.df = false;
      const walk = new Walk(ctx.world);
      const o = walk.output(ns, pkt, { origin: true });
      const rtt = (0.03 + 0.012 * walk.crossings + (seq % 4) * 0.004).toFixed(3);
      if (o.kind === 'local-error') {
        line += q === 0 ? ` send failed: ${o.message}` : '';
        done = true;
        continue;
      }
      if (o.kind !== 'delivered' || o.ns !== ns.id || walk.delay > 5 || !o.pkt.icmp) {
        line += ' *';
        continue;
      }
      const p = o.pkt;
      const i = p.icmp!;
      if (p.src !== last) {
        line += ` ${name(p.src)}`;
        last = p.src;
      }
      line += `  ${rtt} ms`;
      if (i.kind === 'echo-reply') done = true;
      else if (i.kind === 'dest-unreach') {
        done = true;
        const flag = { 0: ' !N', 1: ' !H', 2: ' !P', 4: ` !F-${i.mtu}`, 13: ' !X' }[i.code ?? -1 as 0];
        if (i.code !== 3 && flag) line += flag;
      }
    }
    out += `${line}\n`;
    if (done) break;
  }
  return { code: 0, stdout: out, stderr: '' };
};
