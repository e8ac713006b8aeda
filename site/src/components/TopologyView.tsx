// The cluster as the nodes report it (GET /api/topology), drawn in SVG: the underlay segments as
// bands, the router joining them, each worker with its uplink, tunnels, bridge, pods (hanging off
// the bridge by their host veth) and its routes to the other nodes' pod subnets.
// Sizes are in CSS pixels: the layout is recomputed for the width it gets, so text stays readable.
import type { VNode } from 'preact';
import type { ApiNode, ApiTopology } from '../engine/types.ts';
import { tx } from '../lib/lang.ts';
import { list, msg } from '../../../src/i18n/index.ts';

const PAD = 14;
const GAP = 14;
const MIN_COL = 156;
const MAX_COL = 330;
const LABEL_Y = 14;
const MONO = 0.602; // advance of a monospace glyph, in em
const SANS = 0.56;

type Seg = { name: string; cidr: string; index: number };

const monoW = (s: string, size: number) => s.length * size * MONO;
const sansW = (s: string, size: number) => s.length * size * SANS;

/** Greedy packing of unbreakable units into lines of at most `max` px. */
function pack(units: string[], size: number, max: number, sep = '  '): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const u of units) {
    if (!u) continue;
    const cand = cur ? cur + sep + u : u;
    if (cur && monoW(cand, size) > max) {
      lines.push(cur);
      cur = u;
    } else cur = cand;
  }
  if (cur) lines.push(cur);
  return lines;
}

function ellipsize(s: string, size: number, max: number, mono = true): string {
  const w = mono ? monoW : sansW;
  if (w(s, size) <= max) return s;
  let t = s;
  while (t.length > 1 && w(`${t}…`, size) > max) t = t.slice(0, -1);
  return `${t}…`;
}

function segIndexOf(topo: ApiTopology, node: ApiNode): number {
  let best = Number.POSITIVE_INFINITY;
  for (const u of node.underlay) {
    const i = topo.segments.findIndex((s) => s.name === u.segment);
    if (i >= 0) best = Math.min(best, i);
  }
  return Number.isFinite(best) ? best : topo.segments.length;
}

/** Which node a route leads to: the one owning the destination subnet, or the next hop. */
function routeTarget(topo: ApiTopology, r: ApiNode['routes'][number]): string | undefined {
  const bySubnet = topo.nodes.find((n) => n.podSubnet && n.podSubnet === r.dst);
  if (bySubnet) return bySubnet.name;
  if (r.via) {
    const byVia = topo.nodes.find((n) => n.underlay.some((u) => u.address.split('/')[0] === r.via));
    if (byVia) return byVia.name;
  }
  return undefined;
}

interface Block {
  height: number;
  draw: (x: number, y: number, h: number) => VNode;
  /** Where things are inside the block, relative to its top-left corner. */
  anchors: BlockAnchors;
}

interface BlockAnchors {
  headerY: number;
  tunnelMid?: number;
  bridgeMid?: number;
  pods: { name: string; top: number; h: number; portX: number; boxX: number; boxW: number }[];
}

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A worker's box and the points a packet trace passes through in it (absolute SVG coordinates). */
export interface WorkerGeometry {
  box: Rect;
  /** Where the uplink meets the segment's drop line: the top edge, mid-column. */
  dropX: number;
  /** The routing decisions: the box's top-left corner. */
  core: { x: number; y: number };
  tunnel?: { x: number; y: number };
  bridge?: { x: number; y: number };
  pods: Record<string, { port: { x: number; y: number }; box: Rect }>;
}

export interface TopologyGeometry {
  /** The y of the segment bands (the switches). */
  laneY: number;
  workers: Record<string, WorkerGeometry>;
  routers: Record<string, { box: Rect; cx: number }>;
  segments: Record<string, { x1: number; x2: number }>;
}

/** Extra layers drawn with the picture: `under` below the nodes' boxes, `over` on top. */
export type TopologyDecoration = (g: TopologyGeometry) => { under?: VNode | null; over?: VNode | null };

function workerBlock(topo: ApiTopology, node: ApiNode, w: number): Block {
  const ix = 12;
  const iw = w - 24;
  const items: ((x: number, y: number) => VNode)[] = [];
  let y = 0;
  const name = node.name;
  const reachable = node.reachable;

  // Header
  y += 22;
  const headerY = y;
  items.push((x, y0) => (
    <g key="hdr">
      <text class="t-node" x={x + ix} y={y0 + headerY}>
        {ellipsize(name, 13, reachable ? iw : iw - 84, false)}
      </text>
      {!reachable ? (
        <g class="chip chip-bad">
          <rect x={x + w - 12 - 78} y={y0 + headerY - 12} width={78} height={17} rx={8.5} />
          <text x={x + w - 12 - 39} y={y0 + headerY} text-anchor="middle">
            {tx('topo.unreachable')}
          </text>
        </g>
      ) : null}
    </g>
  ));

  // Underlay interfaces
  for (const u of node.underlay) {
    y += 16;
    const ly = y;
    items.push((x, y0) => (
      <text key={`u-${u.ifname}`} class="t-mono" x={x + ix} y={y0 + ly} data-underlay={`${name}/${u.ifname}`}>
        <tspan class="t-dim">{u.ifname} </tspan>
        {u.address}
        {!u.up && <tspan class="t-bad"> {tx('word.down')}</tspan>}
      </text>
    ));
  }
  if (node.podSubnet) {
    y += 16;
    const ly = y;
    const subnet = node.podSubnet;
    items.push((x, y0) => (
      <text key="subnet" class="t-mono" x={x + ix} y={y0 + ly}>
        <tspan class="t-dim">{tx('topo.pods')} </tspan>
        {subnet}
      </text>
    ));
  }

  if (!reachable) {
    const note = pack(['No', 'answer', 'from', 'this', 'node:', 'its', 'state', 'is', 'unknown.'], 11, iw, ' ');
    y += 10;
    const ly = y;
    items.push((x, y0) => (
      <text key="unreach" class="t-note" x={x + ix} y={y0 + ly}>
        {note.map((l, i) => (
          <tspan key={i} x={x + ix} dy={i === 0 ? 14 : 14}>
            {l}
          </tspan>
        ))}
      </text>
    ));
    y += note.length * 14 + 8;
    return {
      height: y + 10,
      anchors: { headerY, pods: [] },
      draw: (x, y0, h) => (
        <g class="node node-worker is-unreachable" data-node={name} data-role="worker" data-reachable="false">
          <title>{tx('topo.nodeUnreachable', { node: name })}</title>
          <rect class="node-box" x={x} y={y0} width={w} height={h} rx={10} />
          {items.map((f) => f(x, y0))}
        </g>
      ),
    };
  }

  // Tunnel badges
  let tunnelMid: number | undefined;
  if (node.tunnels.length > 0) {
    y += 10;
    let bx = 0;
    let row = 0;
    const placed: { t: ApiNode['tunnels'][number]; bx: number; row: number; bw: number; label: string }[] = [];
    for (const t of node.tunnels) {
      const label = `${t.name} mtu ${t.mtu}${t.up ? '' : ' down'}`;
      const bw = Math.min(iw, monoW(label, 10) + 14);
      if (bx > 0 && bx + bw > iw) {
        row += 1;
        bx = 0;
      }
      placed.push({ t, bx, row, bw, label });
      bx += bw + 6;
    }
    const top = y;
    tunnelMid = top + 9;
    y += (row + 1) * 22;
    items.push((x, y0) => (
      <g key="tunnels">
        {placed.map(({ t, bx: px, row: r, bw, label }) => (
          <g
            key={t.name}
            class={`badge badge-tunnel${t.up ? '' : ' is-down'}`}
            data-tunnel={`${name}/${t.name}`}
            data-kind={t.kind}
            data-mtu={t.mtu}
            data-up={String(t.up)}
          >
            <title>{tx('topo.tunnelTitle', { name: t.name, kind: t.kind, mtu: t.mtu, state: msg(t.up ? 'word.up' : 'word.down') })}</title>
            <rect x={x + ix + px} y={y0 + top + r * 22} width={bw} height={18} rx={5} />
            <text x={x + ix + px + 7} y={y0 + top + r * 22 + 12.5}>
              {ellipsize(label, 10, bw - 12)}
            </text>
          </g>
        ))}
      </g>
    ));
  }

  // Bridge
  y += 12;
  const bridge = node.bridge;
  const bridgeTop = y;
  let bridgeBottom: number;
  let bridgeMid: number;
  const podAnchors: BlockAnchors['pods'] = [];
  if (bridge) {
    const addrLines = pack(bridge.addresses.length ? bridge.addresses : [tx('topo.noAddress')], 10.5, iw - 16, ', ');
    const bh = 22 + addrLines.length * 14;
    y += bh;
    bridgeBottom = y;
    bridgeMid = bridgeTop + bh / 2;
    items.push((x, y0) => (
      <g
        key="bridge"
        class={`bridge${bridge.up ? '' : ' is-down'}`}
        data-bridge={`${name}/${bridge.name}`}
        data-up={String(bridge.up)}
      >
        <title>
          {tx('topo.bridgeTitle', {
            name: bridge.name,
            addrs: bridge.addresses.length ? list(bridge.addresses) : msg('topo.noAddress'),
            mtu: bridge.mtu,
            state: msg(bridge.up ? 'word.up' : 'word.down'),
          })}
        </title>
        <rect class="bridge-box" x={x + ix} y={y0 + bridgeTop} width={iw} height={bh} rx={6} />
        <text class="t-mono t-strong" x={x + ix + 8} y={y0 + bridgeTop + 16}>
          {ellipsize(bridge.name, 11, iw - 60)}
        </text>
        <text class={bridge.up ? 't-ok' : 't-bad'} x={x + ix + iw - 8} y={y0 + bridgeTop + 16} text-anchor="end">
          {bridge.up ? `● ${tx('word.up')}` : `○ ${tx('word.down')}`}
        </text>
        {addrLines.map((l, i) => (
          <text key={i} class="t-mono-sm" x={x + ix + 8} y={y0 + bridgeTop + 31 + i * 14}>
            {l}
          </text>
        ))}
      </g>
    ));
  } else {
    const bh = 26;
    y += bh;
    bridgeBottom = y;
    bridgeMid = bridgeTop + bh / 2;
    items.push((x, y0) => (
      <g key="nobridge" class="bridge is-missing" data-bridge={`${name}/`} data-up="false">
        <rect class="bridge-box" x={x + ix} y={y0 + bridgeTop} width={iw} height={bh} rx={6} />
        <text class="t-note" x={x + ix + 8} y={y0 + bridgeTop + 17}>
          {tx('topo.noBridge')}
        </text>
      </g>
    ));
  }

  // Pods, hanging off the bridge by their host veth
  const tunnelMtu = Math.min(...node.tunnels.filter((t) => t.up).map((t) => t.mtu), Number.POSITIVE_INFINITY);
  if (node.pods.length > 0) {
    const trunkX = ix + 12;
    const boxX = ix + 26;
    const boxW = iw - 26;
    const inner = boxW - 14;
    const pods = node.pods.map((p) => {
      const addr = p.address ?? tx('topo.noAddress');
      const nameW = sansW(p.name, 11.5) + 8;
      const oneLine = nameW + monoW(addr, 10.5) <= inner;
      const sub = pack([p.hostVeth ?? '', p.mtu !== undefined ? `mtu ${p.mtu}` : ''], 9.5, inner);
      const mtuWarn = p.mtu !== undefined && p.mtu > tunnelMtu;
      const lines = (oneLine ? 1 : 2) + sub.length;
      const h = 10 + lines * 13 + 2;
      return { p, addr, oneLine, sub, h, mtuWarn };
    });
    y += 8;
    const top = y;
    const tops: number[] = [];
    for (const pd of pods) {
      tops.push(y);
      y += pd.h + 6;
    }
    y -= 6;
    pods.forEach((pd, i) => podAnchors.push({ name: pd.p.name, top: tops[i] ?? top, h: pd.h, portX: trunkX, boxX, boxW }));
    const lastMid = (tops[tops.length - 1] ?? top) + 13;
    items.push((x, y0) => (
      <g key="pods">
        <line class="veth-line" x1={x + trunkX} y1={y0 + bridgeBottom} x2={x + trunkX} y2={y0 + lastMid} />
        {pods.map((pd, i) => {
          const ty = (tops[i] ?? 0) + y0;
          const p = pd.p;
          return (
            <g
              key={p.name}
              class={`pod${pd.mtuWarn ? ' is-warn' : ''}`}
              data-pod={`${name}/${p.name}`}
              data-address={p.address ?? ''}
              data-veth={p.hostVeth ?? ''}
              data-mtu={p.mtu ?? ''}
            >
              <title>
                {tx('topo.podTitle', { pod: p.name, address: p.address ?? '' }).trim() +
                  (p.hostVeth ? tx('topo.podHostEnd', { veth: p.hostVeth, bridge: bridge?.name ?? msg('topo.theBridge') }) : '') +
                  (p.mtu !== undefined ? tx('topo.podMtu', { mtu: p.mtu }) : '') +
                  (pd.mtuWarn ? tx('topo.podMtuWarn', { mtu: tunnelMtu }) : '')}
              </title>
              <line class="veth-line" x1={x + trunkX} y1={ty + 13} x2={x + boxX} y2={ty + 13} />
              <circle class="veth-port" cx={x + trunkX} cy={ty + 13} r={2.5} />
              <rect class="pod-box" x={x + boxX} y={ty} width={boxW} height={pd.h} rx={6} />
              <text class="t-pod" x={x + boxX + 7} y={ty + 17}>
                {ellipsize(p.name, 11.5, pd.oneLine ? inner - monoW(pd.addr, 10.5) - 8 : inner, false)}
              </text>
              {pd.oneLine ? (
                <text class="t-mono-sm t-strong" x={x + boxX + boxW - 7} y={ty + 17} text-anchor="end">
                  {pd.addr}
                </text>
              ) : (
                <text class="t-mono-sm t-strong" x={x + boxX + 7} y={ty + 30}>
                  {ellipsize(pd.addr, 10.5, inner)}
                </text>
              )}
              {pd.sub.map((l, j) => (
                <text key={j} class={`t-mono-xs${pd.mtuWarn && l.includes('mtu') ? ' t-warn' : ''}`} x={x + boxX + 7} y={ty + (pd.oneLine ? 30 : 43) + j * 13}>
                  {l}
                  {pd.mtuWarn && l.includes('mtu') ? ' ⚠' : ''}
                </text>
              ))}
            </g>
          );
        })}
      </g>
    ));
  } else if (bridge) {
    y += 18;
    const ly = y;
    items.push((x, y0) => (
      <text key="nopods" class="t-note" x={x + ix + 4} y={y0 + ly}>
        {tx('topo.noPods')}
      </text>
    ));
  }

  // Routes to the other nodes' pods
  y += 22;
  const routesTitleY = y;
  items.push((x, y0) => (
    <text key="rt" class="t-section" x={x + ix} y={y0 + routesTitleY}>
      {tx('topo.routesTitle')}
    </text>
  ));
  if (node.routes.length === 0) {
    y += 16;
    const ly = y;
    items.push((x, y0) => (
      <text key="noroutes" class="t-note" x={x + ix} y={y0 + ly}>
        {tx('topo.noneRoutes')}
      </text>
    ));
  }
  for (const r of node.routes) {
    const target = routeTarget(topo, r);
    const detail = pack([r.via ? `via ${r.via}` : '', `dev ${r.dev}`, r.onlink ? 'onlink' : ''], 10, iw - 12, ' ');
    y += 16;
    const ly = y;
    const full = `${r.dst}${r.via ? ` via ${r.via}` : ''} dev ${r.dev}${r.onlink ? ' onlink' : ''}`;
    items.push((x, y0) => (
      <g key={`r-${r.dst}`} class="route" data-route={`${name}/${r.dst}`} data-via={r.via ?? ''} data-dev={r.dev} data-target={target ?? ''}>
        <title>{full}</title>
        <text class="t-mono" x={x + ix} y={y0 + ly}>
          {r.dst}
          {target && monoW(r.dst, 11) + sansW(` → ${target}`, 11) <= iw ? <tspan class="t-accent"> → {target}</tspan> : null}
        </text>
        {detail.map((l, i) => (
          <text key={i} class="t-mono-xs t-dim" x={x + ix + 10} y={y0 + ly + 13 + i * 12}>
            {l}
          </text>
        ))}
      </g>
    ));
    y += detail.length * 12 + 3;
  }
  y += 12;

  return {
    height: y,
    anchors: { headerY, ...(tunnelMid !== undefined ? { tunnelMid } : {}), ...(bridge ? { bridgeMid } : {}), pods: podAnchors },
    draw: (x, y0, h) => (
      <g class="node node-worker" data-node={name} data-role="worker" data-reachable="true">
        <rect class="node-box" x={x} y={y0} width={w} height={h} rx={10} />
        {items.map((f) => f(x, y0))}
      </g>
    ),
  };
}

function geometryOf(
  blocks: { n: ApiNode; x: number; b: Block }[],
  routers: { r: ApiNode; cx: number; rw: number; rh: number }[],
  bands: { s: Seg; x1: number; x2: number }[],
  laneY: number,
  top: number,
  col: number,
  rowH: number,
): TopologyGeometry {
  const workers: Record<string, WorkerGeometry> = {};
  for (const { n, x, b } of blocks) {
    const a = b.anchors;
    const edge = x + 4; // just inside the box's left edge, left of every text
    const pods: WorkerGeometry['pods'] = {};
    for (const p of a.pods) pods[p.name] = { port: { x: x + p.portX, y: top + p.top + 13 }, box: { x: x + p.boxX, y: top + p.top, w: p.boxW, h: p.h } };
    workers[n.name] = {
      box: { x, y: top, w: col, h: rowH },
      dropX: x + col / 2,
      core: { x: edge, y: top }, // the top-left corner: above the name, clear of every text
      ...(a.tunnelMid !== undefined ? { tunnel: { x: edge, y: top + a.tunnelMid } } : {}),
      ...(a.bridgeMid !== undefined ? { bridge: { x: edge, y: top + a.bridgeMid } } : {}),
      pods,
    };
  }
  const rs: TopologyGeometry['routers'] = {};
  for (const { r, cx, rw, rh } of routers) rs[r.name] = { box: { x: cx - rw / 2, y: laneY - rh / 2, w: rw, h: rh }, cx };
  const segments: TopologyGeometry['segments'] = {};
  for (const { s, x1, x2 } of bands) segments[s.name] = { x1, x2 };
  return { laneY, workers, routers: rs, segments };
}

export interface TopologyDrawing {
  width: number;
  height: number;
  svg: VNode;
}

export function drawTopology(topo: ApiTopology, avail: number, decorate?: TopologyDecoration): TopologyDrawing {
  const segs: Seg[] = topo.segments.map((s, index) => ({ ...s, index }));
  const workers = topo.nodes
    .filter((n) => n.role !== 'router')
    .map((n, i) => ({ n, seg: segIndexOf(topo, n), i }))
    .sort((a, b) => a.seg - b.seg || a.i - b.i);
  const routers = topo.nodes.filter((n) => n.role === 'router');
  const count = Math.max(1, workers.length);
  // A decoration (a packet trace) puts markers on the boxes' left edges: room for them.
  const pad = decorate ? PAD + 16 : PAD;
  const gap = decorate ? GAP + 16 : GAP;
  let col = Math.floor((avail - 2 * pad - gap * (count - 1)) / count);
  col = Math.max(MIN_COL, Math.min(MAX_COL, col));
  const contentW = count * col + (count - 1) * gap;
  const width = Math.max(avail, contentW + 2 * pad);
  const left = Math.round((width - contentW) / 2);

  const colX = (i: number) => left + i * (col + gap);
  const workerPos = workers.map((w, i) => ({ ...w, x: colX(i) }));

  // Routers: in the segment lane, between the groups of the segments they join.
  const routerW = (r: ApiNode) =>
    Math.max(sansW(r.name, 12.5) + 30, ...r.underlay.map((u) => monoW(`${u.ifname} ${u.address}`, 10) + 20), 110);
  const routerPos = routers.map((r) => {
    const idx = r.underlay
      .map((u) => segs.findIndex((s) => s.name === u.segment))
      .filter((i) => i >= 0)
      .sort((a, b) => a - b);
    const first = idx[0] ?? 0;
    const lastOfFirst = workerPos.filter((w) => w.seg <= first).pop();
    const firstOfNext = workerPos.find((w) => w.seg > first);
    const rw = routerW(r);
    let cx: number;
    if (lastOfFirst && firstOfNext) cx = (lastOfFirst.x + col + firstOfNext.x) / 2;
    else if (lastOfFirst) cx = lastOfFirst.x + col + gap + rw / 2;
    else cx = left + rw / 2;
    const lines = r.underlay.length + 1;
    const rh = 24 + lines * 13;
    return { r, cx, rw, rh, segs: idx };
  });

  // Segment bands: from their leftmost to their rightmost member.
  const bands = segs.map((s) => {
    const xs: number[] = [];
    for (const w of workerPos) {
      if (w.n.underlay.some((u) => u.segment === s.name)) xs.push(w.x + col / 2);
    }
    const rx: number[] = [];
    for (const rp of routerPos) {
      if (rp.r.underlay.some((u) => u.segment === s.name)) {
        const leftSide = rp.segs[0] === s.index;
        rx.push(leftSide ? rp.cx - rp.rw / 2 : rp.cx + rp.rw / 2);
      }
    }
    const all = [...xs, ...rx];
    const x1 = all.length ? Math.min(...all, ...xs.map((v) => v - col / 2 + 6)) : left;
    const x2 = all.length ? Math.max(...all, ...xs.map((v) => v + col / 2 - 6)) : left + 80;
    return { s, x1, x2, drops: xs };
  });

  const routerH = Math.max(0, ...routerPos.map((p) => p.rh));
  const LANE_Y = Math.max(44, LABEL_Y + 12 + routerH / 2);
  const nodesTop = Math.max(LANE_Y + routerH / 2 + 14, LANE_Y + 28);
  const blocks = workerPos.map((w) => ({ ...w, b: workerBlock(topo, w.n, col) }));
  const rowH = Math.max(60, ...blocks.map((b) => b.b.height));
  const height = nodesTop + rowH + PAD;
  const decoration = decorate?.(geometryOf(blocks, routerPos, bands, LANE_Y, nodesTop, col, rowH));

  const svg = (
    <svg
      class="topo-svg"
      xmlns="http://www.w3.org/2000/svg"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={tx('topo.imgLabel', {
        mode: topo.mode,
        nodes: list(topo.nodes.map((n) => msg(n.reachable ? 'topo.imgNode' : 'topo.imgNodeUnreachable', { node: n.name, n: n.pods.length }))),
      })}
      data-mode={topo.mode}
    >
      {/* segment bands */}
      {bands.map(({ s, x1, x2, drops }) => {
        const i = s.index;
        const label = `${/^seg/i.test(s.name) ? s.name : tx('topo.segment', { name: s.name })} · ${s.cidr}`;
        const anchorEnd = i > 0;
        return (
          <g key={s.name} class={`segment seg-${i % 4}`} data-segment={s.name} data-cidr={s.cidr}>
            <text class="t-seg" x={anchorEnd ? x2 : x1} y={LABEL_Y + 4} text-anchor={anchorEnd ? 'end' : 'start'}>
              {label}
            </text>
            {drops.map((dx, k) => (
              <line key={k} class="drop" x1={dx} y1={LANE_Y} x2={dx} y2={nodesTop} />
            ))}
            <line class="band" x1={x1} y1={LANE_Y} x2={x2} y2={LANE_Y} />
            {drops.map((dx, k) => (
              <circle key={k} class="port" cx={dx} cy={LANE_Y} r={4} />
            ))}
          </g>
        );
      })}
      {decoration?.under}
      {/* routers */}
      {routerPos.map(({ r, cx, rw, rh }) => {
        const x = cx - rw / 2;
        const y = LANE_Y - rh / 2;
        return (
          <g
            key={r.name}
            class={`node node-router${r.reachable ? '' : ' is-unreachable'}`}
            data-node={r.name}
            data-role="router"
            data-reachable={String(r.reachable)}
          >
            <title>
              {tx('topo.routerTitle', {
                name: r.name,
                underlay: list(r.underlay.map((u) => `${u.ifname} ${u.address}`)),
                routes: r.routes.length ? msg('topo.podRoutes', { n: r.routes.length }) : msg('topo.noPodRoutes'),
              })}
            </title>
            <rect class="node-box router-box" x={x} y={y} width={rw} height={rh} rx={9} />
            <text class="t-node" x={x + 10} y={y + 17}>
              {r.name}
            </text>
            {!r.reachable && (
              <text class="t-bad" x={x + rw - 10} y={y + 17} text-anchor="end">
                {tx('topo.unreachable')}
              </text>
            )}
            {r.underlay.map((u, k) => (
              <text key={u.ifname} class="t-mono-xs" x={x + 10} y={y + 31 + k * 13} data-underlay={`${r.name}/${u.ifname}`}>
                <tspan class="t-dim">{u.ifname} </tspan>
                {u.address}
                {!u.up && <tspan class="t-bad"> {tx('word.down')}</tspan>}
              </text>
            ))}
            <text class="t-note-xs" x={x + 10} y={y + 31 + r.underlay.length * 13}>
              {r.routes.length ? tx('topo.podRoutes', { n: r.routes.length }) : tx('topo.noPodRoutes')}
            </text>
          </g>
        );
      })}
      {/* workers */}
      {blocks.map((b) => (
        <g key={b.n.name}>{b.b.draw(b.x, nodesTop, rowH)}</g>
      ))}
      {decoration?.over}
    </svg>
  );
  return { width, height, svg };
}
