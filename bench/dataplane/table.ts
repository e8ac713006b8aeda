// The printed report: one aligned table, a row per (pair, data plane), underlay first in each pair.
import type { Report, Row } from './types.ts';

const fx = (v: number | null, digits: number) => (v === null ? '—' : v.toFixed(digits));

function cells(r: Row): string[] {
  const head = [r.series, r.pairLabel, r.path];
  if (r.status !== 'measured') {
    const mtu = r.mtu === null ? '—' : String(r.mtu);
    return [...head, mtu, r.note ?? r.status];
  }
  return [
    ...head,
    r.mtu === null ? '—' : String(r.mtu),
    fx(r.throughputGbps, 2),
    r.series === 'underlay' ? '1.00 (ref)' : r.ratioToUnderlay === null ? '—' : `${r.ratioToUnderlay.toFixed(2)}`,
    r.retransmits === null ? '—' : String(r.retransmits),
    r.rtt?.avgMs == null ? '—' : r.rtt.avgMs.toFixed(3),
  ];
}

export function renderTable(report: Report): string {
  const header = ['mode', 'pair', 'path', 'MTU', 'Gbit/s', '× underlay', 'retrans', 'RTT ms'];
  const right = new Set([3, 4, 5, 6, 7]);
  const rows = report.rows.map(cells);
  // The first four columns size from every row; the figures' columns only from rows that have
  // figures (a row without them spans those columns with its note).
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.filter((r) => i < 4 || r.length === header.length).map((r) => r[i]!.length)),
  );
  const pad = (s: string, i: number) => (right.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const line = (cols: string[]) => {
    if (cols.length === header.length) return cols.map(pad).join('  ').trimEnd();
    // mode, pair, path, MTU, then the note in place of the figures
    return `${cols.slice(0, 4).map(pad).join('  ')}  ${cols[4]}`;
  };
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  ')];
  let lastPair = report.rows[0]?.pair;
  report.rows.forEach((r, i) => {
    if (r.pair !== lastPair) out.push('');
    lastPair = r.pair;
    out.push(line(rows[i]!));
  });
  return out.join('\n');
}
