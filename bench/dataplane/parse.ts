// Parsers for the two tools the data-plane benchmark reads: iperf3 -J and ping -q.

export interface IperfFigures {
  /** What the receiver got: end.sum_received.bits_per_second. */
  receivedBps: number;
  /** What the sender pushed: end.sum_sent.bits_per_second. */
  sentBps: number;
  /** TCP retransmits seen by the sender (end.sum_sent.retransmits). */
  retransmits: number | null;
  seconds: number;
  /** Sender's TCP MSS as iperf3 reports it (start.tcp_mss_default). */
  mss: number | null;
  cpu: { senderPercent: number; receiverPercent: number } | null;
}

export class ParseError extends Error {}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Parses iperf3 -J client output; throws ParseError with iperf3's own message when it reports one. */
export function parseIperfJson(stdout: string): IperfFigures {
  let doc: Json | undefined;
  try {
    doc = obj(JSON.parse(stdout));
  } catch {
    throw new ParseError(`iperf3 printed no JSON: ${stdout.trim().slice(0, 200) || '(nothing)'}`);
  }
  if (!doc) throw new ParseError('iperf3 JSON is not an object');
  if (typeof doc.error === 'string') throw new ParseError(`iperf3: ${doc.error}`);
  const end = obj(doc.end);
  const received = obj(end?.sum_received);
  const sent = obj(end?.sum_sent);
  const receivedBps = num(received?.bits_per_second);
  if (!end || receivedBps === undefined) throw new ParseError('iperf3 JSON has no end.sum_received.bits_per_second');
  const cpu = obj(end.cpu_utilization_percent);
  const host = num(cpu?.host_total);
  const remote = num(cpu?.remote_total);
  return {
    receivedBps,
    sentBps: num(sent?.bits_per_second) ?? receivedBps,
    retransmits: num(sent?.retransmits) ?? null,
    seconds: num(received?.seconds) ?? num(sent?.seconds) ?? 0,
    mss: num(obj(doc.start)?.tcp_mss_default) ?? null,
    cpu: host !== undefined && remote !== undefined ? { senderPercent: host, receiverPercent: remote } : null,
  };
}

export interface PingFigures {
  transmitted: number;
  received: number;
  lossPercent: number;
  minMs: number | null;
  avgMs: number | null;
  maxMs: number | null;
  mdevMs: number | null;
}

/** Parses iputils ping's summary ("20 packets transmitted, 20 received, …" and "rtt min/avg/max/mdev = …"). */
export function parsePing(stdout: string): PingFigures {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(stdout);
  if (!counts) throw new ParseError(`ping printed no summary: ${stdout.trim().slice(0, 200) || '(nothing)'}`);
  const transmitted = Number(counts[1]);
  const received = Number(counts[2]);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(stdout);
  const f = (i: number) => (rtt ? Number(rtt[i]) : null);
  return {
    transmitted,
    received,
    lossPercent: transmitted > 0 ? (100 * (transmitted - received)) / transmitted : 100,
    minMs: f(1),
    avgMs: f(2),
    maxMs: f(3),
    mdevMs: f(4),
  };
}
