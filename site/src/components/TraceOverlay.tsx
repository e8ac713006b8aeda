// A packet trace drawn over the topology picture: the way the packet went (along the box edges,
// the drop lines and the segment bands), numbered markers at each stop (the numbers of the hop
// list), the boxes it visited outlined, the drop in red, encapsulated stretches as a tunnel.
import { tx } from '../lib/lang.ts';
import type { VNode } from 'preact';
import { stopLabel, type Stop } from '../lib/tracePath.ts';
import type { TopologyGeometry, WorkerGeometry } from './TopologyView.tsx';

type Pt = { x: number; y: number };

/** Where a stop sits: the marker at `entry`; the packet leaves from `exit` (they differ only for a router). */
interface Located {
  stop: Stop;
  entry: Pt;
  exit: Pt;
  /** x where the stop meets the segment band. */
  lane: number;
  /** The worker the point is inside, if any. */
  worker?: WorkerGeometry;
}

function workerPoint(w: WorkerGeometry, stop: Stop): Pt {
  const p = stop.place;
  if (p.kind === 'pod') return w.pods[p.pod]?.port ?? w.core;
  if (p.kind !== 'node') return w.core;
  if (p.part === 'uplink') return { x: w.dropX, y: w.box.y };
  if (p.part === 'tunnel') return w.tunnel ?? w.core;
  if (p.part === 'bridge') return w.bridge ?? w.core;
  return w.core;
}

function locate(g: TopologyGeometry, stops: Stop[]): Located[] {
  // First everything but the switches, whose point depends on their neighbours.
  const out: (Located | undefined)[] = stops.map((stop) => {
    const p = stop.place;
    if (p.kind === 'pod' || p.kind === 'node') {
      const w = g.workers[p.node];
      if (!w) return undefined;
      const pt = workerPoint(w, stop);
      return { stop, entry: pt, exit: pt, lane: w.dropX, worker: w };
    }
    if (p.kind === 'router') {
      const r = g.routers[p.node];
      if (!r) return undefined;
      const pt = { x: r.cx, y: g.laneY };
      return { stop, entry: pt, exit: pt, lane: r.cx };
    }
    return undefined;
  });
  const laneOf = (i: number) => out[i]?.lane;
  stops.forEach((stop, i) => {
    if (stop.place.kind !== 'segment') return;
    const band = g.segments[stop.place.segment];
    if (!band) return;
    const prev = out[i - 1];
    const next = out[i + 1];
    let x = prev?.worker ? prev.lane : next?.worker ? next.lane : ((laneOf(i - 1) ?? band.x1) + (laneOf(i + 1) ?? band.x2)) / 2;
    x = Math.max(band.x1, Math.min(band.x2, x));
    const pt = { x, y: g.laneY };
    out[i] = { stop, entry: pt, exit: pt, lane: x };
  });
  // A router is entered and left by the edges facing its neighbours.
  out.forEach((l, i) => {
    if (!l || l.stop.place.kind !== 'router') return;
    const r = g.routers[l.stop.place.node]!;
    const side = (other: number | undefined, fallback: 'left' | 'right') =>
      (other === undefined ? fallback === 'left' : other < r.cx) ? r.box.x : r.box.x + r.box.w;
    l.entry = { x: side(laneOf(i - 1), 'left'), y: g.laneY };
    l.exit = { x: side(laneOf(i + 1), 'right'), y: g.laneY };
  });
  return out.filter((l): l is Located => !!l);
}

/** Inside a worker: along its left margin (the spine), never across its text. */
function viaSpine(w: WorkerGeometry, a: Pt, b: Pt): Pt[] {
  const spine = w.box.x + 4;
  return [a, { x: spine, y: a.y }, { x: spine, y: b.y }, b];
}

function path(a: Located, b: Located, laneY: number): Pt[] {
  if (a.worker && a.worker === b.worker) return viaSpine(a.worker, a.exit, b.entry);
  const pts: Pt[] = [];
  if (a.worker) pts.push(...viaSpine(a.worker, a.exit, { x: a.worker.dropX, y: a.worker.box.y }));
  else pts.push(a.exit);
  pts.push({ x: a.worker ? a.lane : a.exit.x, y: laneY }, { x: b.worker ? b.lane : b.entry.x, y: laneY });
  if (b.worker) pts.push(...viaSpine(b.worker, { x: b.worker.dropX, y: b.worker.box.y }, b.entry));
  else pts.push(b.entry);
  return pts;
}

function simplify(pts: Pt[]): Pt[] {
  const out: Pt[] = [];
  for (const p of pts) {
    const last = out[out.length - 1];
    if (last && Math.abs(last.x - p.x) < 0.5 && Math.abs(last.y - p.y) < 0.5) continue;
    out.push(p);
  }
  return out;
}

const d = (pts: Pt[]) => pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');

function Outline({ x, y, w, h, rx, cls }: { x: number; y: number; w: number; h: number; rx: number; cls: string }) {
  return <rect class={cls} x={x - 2} y={y - 2} width={w + 4} height={h + 4} rx={rx + 2} />;
}

const markerWidth = (label: string) => Math.max(17, label.length * 6.4 + 9);

function Marker({ at, label, stop, active, index, dropLeft }: { at: Pt; label: string; stop: Stop; active: boolean; index: number; dropLeft: boolean }) {
  const w = markerWidth(label);
  const h = 17;
  const cls = `trace-marker${stop.dropped ? ' is-drop' : stop.encapsulatedIn ? ' is-encap' : ''}${active ? ' is-active' : ''}`;
  return (
    <g class={cls} data-trace-stop={stop.key} data-hops={label} data-order={index + 1}>
      {active && <rect class="trace-marker-ring" x={at.x - w / 2 - 4} y={at.y - h / 2 - 4} width={w + 8} height={h + 8} rx={(h + 8) / 2} />}
      <rect x={at.x - w / 2} y={at.y - h / 2} width={w} height={h} rx={h / 2} />
      <text x={at.x} y={at.y + 3.6} text-anchor="middle">
        {label}
      </text>
      {stop.dropped && (
        <text class="trace-drop-label" x={dropLeft ? at.x - w / 2 - 5 : at.x + w / 2 + 5} y={at.y + 4} text-anchor={dropLeft ? 'end' : 'start'}>
          ✗ {tx('trace.droppedMark')}
        </text>
      )}
    </g>
  );
}

/** The trace layer for one direction of a trace. `activeHop` (an index into the hops) is emphasised. */
export function traceOverlay(g: TopologyGeometry, stops: Stop[], activeHop: number | null): { over: VNode } {
  const located = locate(g, stops);
  const legs: { pts: Pt[]; encap: boolean; key: string }[] = [];
  for (let i = 1; i < located.length; i++) {
    const a = located[i - 1]!;
    const b = located[i]!;
    legs.push({ pts: simplify(path(a, b, g.laneY)), encap: b.stop.encapsulatedIn, key: `${a.stop.key}>${b.stop.key}#${i}` });
  }
  // Boxes the packet visited, outlined (the drop's in red).
  const outlines: VNode[] = [];
  const seen = new Set<string>();
  for (const l of located) {
    const p = l.stop.place;
    const drop = l.stop.dropped;
    const key = `${p.kind === 'pod' ? `${p.node}/${p.pod}` : p.kind === 'segment' ? `seg:${p.segment}` : p.node}${drop ? '!' : ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const cls = `trace-outline${drop ? ' is-drop' : ''}`;
    if (p.kind === 'pod') {
      const b = l.worker?.pods[p.pod]?.box;
      if (b) outlines.push(<Outline key={key} {...b} rx={6} cls={cls} />);
    } else if (p.kind === 'router') {
      const b = g.routers[p.node]?.box;
      if (b) outlines.push(<Outline key={key} {...b} rx={9} cls={cls} />);
    } else if (p.kind === 'node' && l.worker && (drop || !seen.has(`node:${p.node}`))) {
      seen.add(`node:${p.node}`);
      outlines.push(<Outline key={key} {...l.worker.box} rx={10} cls={`${cls} is-node`} />);
    }
  }
  // Markers that would sit on the same point are moved apart.
  const taken: Pt[] = [];
  const markers = located.map((l, i) => {
    const label = stopLabel(l.stop);
    const at = { ...l.entry };
    // On a box's left edge, a marker sticks out to the left rather than cover the text inside.
    if (l.worker && Math.abs(at.x - (l.worker.box.x + 4)) < 0.5) at.x = Math.min(at.x, l.worker.box.x + 11 - markerWidth(label) / 2);
    const p = l.stop.place;
    const podBox = p.kind === 'pod' ? l.worker?.pods[p.pod]?.box : undefined;
    if (podBox) at.x = Math.min(at.x, podBox.x - 2 - markerWidth(label) / 2);
    while (taken.some((t) => Math.abs(t.x - at.x) < 14 && Math.abs(t.y - at.y) < 14)) at.y += 18;
    taken.push(at);
    const active = activeHop !== null && l.stop.hops.includes(activeHop);
    // At a router's edge, the marker and "dropped" sit outside its box.
    const router = p.kind === 'router' ? g.routers[p.node] : undefined;
    const dropLeft = !!router && at.x < router.cx;
    if (router) at.x += (dropLeft ? -1 : 1) * (markerWidth(label) / 2 - 5);
    return <Marker key={l.stop.key + i} at={at} label={label} stop={l.stop} active={active} index={i} dropLeft={dropLeft} />;
  });
  return {
    over: (
      <g class={`trace-overlay dir-${stops[0]?.direction ?? 'request'}`} aria-hidden="true">
        {outlines}
        {legs.map((leg) =>
          leg.encap ? (
            <g key={leg.key} class="trace-leg is-encap">
              <path class="trace-pipe" d={d(leg.pts)} />
              <path class="trace-line" d={d(leg.pts)} />
            </g>
          ) : (
            <path key={leg.key} class="trace-leg trace-line" d={d(leg.pts)} />
          ),
        )}
        {markers}
      </g>
    ),
  };
}
