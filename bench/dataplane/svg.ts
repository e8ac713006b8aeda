// dataplane.svg: a self-contained grouped bar chart (no fonts, scripts or links to fetch).
// One group per node pair, one bar per data plane plus the underlay; each bar carries its
// Gbit/s and its ratio to the underlay, the figure the chart is there to show.
import type { Report, Row, Series } from './types.ts';

const W = 1280;
const H = 720;
const PLOT = { left: 100, right: W - 40, top: 150, bottom: H - 150 };
const FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif";

// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies and on a projector.
const COLOUR: Record<Series, string> = {
  underlay: '#6e6e6e',
  'host-gw': '#0072B2',
  vxlan: '#E69F00',
  ipip: '#009E73',
  'ipip-crosssubnet': '#CC79A7',
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function text(x: number, y: number, s: string, attrs: Record<string, string | number> = {}): string {
  const a = Object.entries({ x: r1(x), y: r1(y), ...attrs })
    .map(([k, v]) => `${k}="${esc(String(v))}"`)
    .join(' ');
  return `<text ${a}>${esc(s)}</text>`;
}

const r1 = (n: number) => Math.round(n * 10) / 10;

/** A "nice" axis step (1, 2 or 5 × 10^k) giving about `target` intervals up to max. */
function niceStep(max: number, target: number): number {
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

export function renderSvg(report: Report): string {
  const pairs = report.method.pairs;
  // Series drawn: the underlay and every mode measured in this run (ipip absent when the kernel lacks it).
  const series: Series[] = ['underlay', ...report.method.modesMeasured];
  const row = (pair: string, s: Series): Row | undefined => report.rows.find((r) => r.pair === pair && r.series === s);
  const values = report.rows.map((r) => r.throughputGbps ?? 0);
  const maxVal = Math.max(1, ...values);
  const step = niceStep(maxVal * 1.12, 6);
  const axisMax = Math.ceil((maxVal * 1.12) / step) * step;
  const y = (v: number) => PLOT.bottom - (v / axisMax) * (PLOT.bottom - PLOT.top);

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${esc(FONT)}" role="img" aria-labelledby="title desc">`,
  );
  out.push(`<title id="title">Pod-to-pod TCP throughput by data plane</title>`);
  out.push(
    `<desc id="desc">${esc(
      report.rows
        .map((r) => `${r.series} ${r.pairLabel}: ${r.status === 'measured' ? `${r.throughputGbps?.toFixed(2)} Gbit/s, ratio ${r.ratioToUnderlay?.toFixed(2) ?? '—'}` : r.note}`)
        .join('; '),
    )}</desc>`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);

  // Title block
  out.push(text(40, 52, 'Pod-to-pod TCP throughput by data plane', { 'font-size': 34, 'font-weight': 'bold', fill: '#111' }));
  out.push(
    text(40, 88, 'Read: overlay throughput as a ratio of underlay (same node pair, same run)', {
      'font-size': 22,
      fill: '#333',
    }),
  );
  out.push(
    text(
      40,
      118,
      `iperf3, one TCP stream, ${report.method.seconds} s per bar · netns cluster (veth underlay, no real NIC) · kernel ${report.machine.kernel} · ${report.machine.cpus} CPUs`,
      { 'font-size': 16, fill: '#666' },
    ),
  );

  // Grid and y axis
  for (let v = 0; v <= axisMax + 1e-9; v += step) {
    const yy = y(v);
    out.push(`<line x1="${PLOT.left}" x2="${PLOT.right}" y1="${r1(yy)}" y2="${r1(yy)}" stroke="${v === 0 ? '#333' : '#e2e2e2'}" stroke-width="${v === 0 ? 2 : 1}"/>`);
    out.push(text(PLOT.left - 12, yy + 6, Number.isInteger(v) ? String(v) : v.toFixed(1), { 'font-size': 18, fill: '#444', 'text-anchor': 'end' }));
  }
  const midY = (PLOT.top + PLOT.bottom) / 2;
  out.push(
    text(34, midY, 'Gbit/s', { 'font-size': 20, fill: '#333', 'text-anchor': 'middle', transform: `rotate(-90 34 ${r1(midY)})` }),
  );

  // Bars
  const groupW = (PLOT.right - PLOT.left) / pairs.length;
  const slot = Math.min(150, (groupW * 0.86) / series.length);
  const barW = slot * 0.78;
  pairs.forEach((p, gi) => {
    const gx = PLOT.left + gi * groupW + (groupW - slot * series.length) / 2;
    series.forEach((s, si) => {
      const r = row(p.id, s);
      const cx = gx + si * slot + slot / 2;
      const x = cx - barW / 2;
      // mode name under the bar
      out.push(text(cx, PLOT.bottom + 30, s, { 'font-size': 18, 'font-weight': 'bold', fill: COLOUR[s], 'text-anchor': 'middle' }));
      if (r?.mtu != null) out.push(text(cx, PLOT.bottom + 52, `MTU ${r.mtu}`, { 'font-size': 15, fill: '#666', 'text-anchor': 'middle' }));
      if (r && r.status === 'measured' && r.throughputGbps !== null) {
        const top = y(r.throughputGbps);
        out.push(`<rect x="${r1(x)}" y="${r1(top)}" width="${r1(barW)}" height="${r1(PLOT.bottom - top)}" fill="${COLOUR[s]}" rx="3"/>`);
        const ratio = s === 'underlay' ? '100 % (reference)' : r.ratioToUnderlay === null ? '' : `${Math.round(r.ratioToUnderlay * 100)} % of underlay`;
        out.push(text(cx, top - 34, r.throughputGbps.toFixed(1), { 'font-size': 26, 'font-weight': 'bold', fill: '#111', 'text-anchor': 'middle' }));
        if (ratio) out.push(text(cx, top - 12, ratio, { 'font-size': 15, fill: '#333', 'text-anchor': 'middle' }));
      } else {
        // No bar: say why, in the bar's place (words, not a box, so nothing reads as a value).
        const words = r?.status === 'unreachable-by-design' ? ['unreachable', '(by design)'] : r?.status === 'failed' ? ['failed', '(see JSON)'] : ['not', 'measured'];
        out.push(`<line x1="${r1(x)}" x2="${r1(x + barW)}" y1="${PLOT.bottom - 2}" y2="${PLOT.bottom - 2}" stroke="${COLOUR[s]}" stroke-width="5" stroke-dasharray="8 6"/>`);
        out.push(text(cx, PLOT.bottom - 44, words[0]!, { 'font-size': 18, 'font-style': 'italic', fill: '#444', 'text-anchor': 'middle' }));
        out.push(text(cx, PLOT.bottom - 20, words[1]!, { 'font-size': 18, 'font-style': 'italic', fill: '#444', 'text-anchor': 'middle' }));
      }
    });
    // pair label under its group
    const gc = PLOT.left + gi * groupW + groupW / 2;
    out.push(text(gc, PLOT.bottom + 92, p.label, { 'font-size': 24, 'font-weight': 'bold', fill: '#111', 'text-anchor': 'middle' }));
    out.push(text(gc, PLOT.bottom + 116, p.path, { 'font-size': 17, fill: '#555', 'text-anchor': 'middle' }));
  });
  if (pairs.length > 1) {
    for (let gi = 1; gi < pairs.length; gi++) {
      const gx = PLOT.left + gi * groupW;
      out.push(`<line x1="${r1(gx)}" x2="${r1(gx)}" y1="${PLOT.top}" y2="${PLOT.bottom + 120}" stroke="#cfcfcf" stroke-width="1.5" stroke-dasharray="4 6"/>`);
    }
  }

  // Footnotes: what was not measured (left, where it is seen), when and where the figures are (right).
  if (!report.ipip.supported) {
    out.push(text(24, H - 12, 'ipip, ipip-crosssubnet: not measured here — this kernel lacks IP-in-IP', { 'font-size': 16, fill: '#9a3412' }));
  }
  out.push(
    text(W - 24, H - 12, `one run each · ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC · figures in dataplane.json`, {
      'font-size': 15,
      fill: '#777',
      'text-anchor': 'end',
    }),
  );

  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
