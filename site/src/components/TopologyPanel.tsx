// The live topology panel: fetches /api/topology on mount, on Refresh and whenever `version`
// changes (after each check, after a reset); draws it for the width it has; can open full-size.
import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import { errorMessage } from '../engine/errors.ts';
import type { ApiTopology } from '../engine/types.ts';
import { traceStops } from '../lib/tracePath.ts';
import { useTrace, type TraceState } from '../lib/useTrace.ts';
import { drawTopology, type TopologyDecoration } from './TopologyView.tsx';
import { Dialog } from './Dialog.tsx';
import { IconChevron, IconExpand, IconNetwork, IconRefresh } from './Icons.tsx';
import { TraceForm } from './TraceForm.tsx';
import { traceOverlay } from './TraceOverlay.tsx';
import { DirectionSwitch, HopStepper, TraceHops, TraceSummary } from './TraceResult.tsx';
import { tx } from '../lib/lang.ts';

function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setW(el.clientWidth);
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}

/**
 * Lays the picture out for the width it has (text keeps its size); `zoom` > 1 draws it larger
 * (the full-size view, for a projector). When even the narrowest layout is wider than the
 * panel, the picture is scaled down to fit.
 */
function Drawing({ topo, zoom = 1, decorate }: { topo: ApiTopology; zoom?: number; decorate?: TopologyDecoration | undefined }) {
  const [ref, w] = useWidth<HTMLDivElement>();
  const z = w >= 900 ? zoom : 1;
  const drawing = w > 0 ? drawTopology(topo, Math.floor(w / z), decorate) : null;
  const scale = drawing ? Math.min(z, w / drawing.width) : 1;
  return (
    <div class="topo-canvas" ref={ref}>
      {drawing && (
        <div class="topo-scale" style={{ width: `${drawing.width * scale}px`, height: `${drawing.height * scale}px` }}>
          {drawing.svg}
        </div>
      )}
    </div>
  );
}

/** The trace drawn on the picture: the direction shown, the selected hop emphasised. */
function traceDecoration(topo: ApiTopology, t: TraceState): TopologyDecoration | undefined {
  const trace = t.trace;
  if (!trace) return undefined;
  const stops = traceStops(trace, topo, t.shown);
  return (g) => traceOverlay(g, stops, t.activeHop);
}

function TraceArea({ topo, t, children, wide }: { topo: ApiTopology; t: TraceState; children: ComponentChildren; wide?: boolean }) {
  return (
    <div class={`trace-area${wide ? ' is-wide' : ''}${t.trace ? ' has-trace' : ''}`}>
      <div class="trace-top">
        <TraceForm topo={topo} busy={t.busy} hasResult={!!t.trace || !!t.error} onTrace={t.run} onClear={t.clear} />
        {t.error && (
          <div class="alert alert-error alert-compact trace-error" role="alert">
            {tx('trace.failed', { error: t.error })}
          </div>
        )}
        {t.trace && (
          <div class="trace-head">
            <TraceSummary trace={t.trace} />
            <DirectionSwitch trace={t.trace} shown={t.shown} onShow={t.show} />
          </div>
        )}
        {t.trace && <HopStepper trace={t.trace} activeHop={t.activeHop} onActive={t.select} />}
      </div>
      <div class="trace-picture">{children}</div>
      {t.trace && <TraceHops trace={t.trace} activeHop={t.activeHop} onActive={t.select} />}
    </div>
  );
}

function TopologyBody({
  topo,
  error,
  loading,
  zoom,
  trace,
}: {
  topo: ApiTopology | null;
  error: string | null;
  loading: boolean;
  zoom?: number;
  trace: TraceState;
}) {
  if (!topo) {
    if (error) {
      return (
        <div class="alert alert-error topo-msg" role="alert">
          {error}
        </div>
      );
    }
    return <div class="topo-msg muted">{loading ? tx('topo.asking') : tx('topo.none')}</div>;
  }
  if (topo.nodes.length === 0) {
    return (
      <div class="empty-state">
        <p>{tx('topo.notUp')}</p>
        <p>
          <code>npx cnilab cluster up</code>
        </p>
      </div>
    );
  }
  return (
    <>
      {error && (
        <div class="alert alert-error alert-compact" role="alert">
          {tx('topo.refreshFailed', { error })}
        </div>
      )}
      <TraceArea topo={topo} t={trace} wide={(zoom ?? 1) > 1}>
        <Drawing topo={topo} zoom={zoom ?? 1} decorate={traceDecoration(topo, trace)} />
      </TraceArea>
    </>
  );
}

/** Resolves when the page is idle (soon, at the latest). */
const idle = (): Promise<void> =>
  new Promise((r) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(() => r(), { timeout: 500 }) : setTimeout(r, 50)));

export function TopologyPanel({
  version,
  collapsed,
  onToggle,
  onMode,
}: {
  version: number;
  collapsed: boolean;
  onToggle: () => void;
  onMode?: (mode: string) => void;
}) {
  const [topo, setTopo] = useState<ApiTopology | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [updated, setUpdated] = useState<Date | null>(null);
  const [expanded, setExpanded] = useState(false);
  const [tick, setTick] = useState(0);
  const ctrl = useRef<AbortController | null>(null);
  const trace = useTrace();
  const engine = useEngine();

  const first = useRef(true);
  useEffect(() => {
    ctrl.current?.abort();
    const c = new AbortController();
    ctrl.current = c;
    setLoading(true);
    const topology = engine.topology?.bind(engine);
    if (!topology) return;
    // The first picture waits for an idle moment: the page's terminal comes first.
    const ready = first.current ? idle() : Promise.resolve();
    first.current = false;
    ready.then(() => (c.signal.aborted ? new Promise<never>(() => undefined) : topology(c.signal))).then(
      (t) => {
        if (c.signal.aborted) return;
        setTopo(t);
        setError(null);
        setUpdated(new Date());
        setLoading(false);
        onMode?.(t.mode);
      },
      (e: unknown) => {
        if (c.signal.aborted) return;
        setError(errorMessage(e));
        setLoading(false);
      },
    );
    return () => c.abort();
  }, [version, tick]);

  const refresh = () => setTick((t) => t + 1);
  const time = updated?.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

  return (
    <section class={`topo-panel${collapsed ? ' is-collapsed' : ''}`} aria-label={tx('topo.cluster')}>
      <div class="panel-bar">
        <button
          type="button"
          class="panel-title-btn"
          aria-expanded={!collapsed}
          aria-controls="topo-body"
          onClick={onToggle}
          title={collapsed ? tx('topo.show') : tx('topo.hide')}
        >
          <IconChevron size={15} class={`chev${collapsed ? ' is-closed' : ''}`} />
          <IconNetwork size={15} class="panel-bar-icon" />
          <span class="panel-title">{tx('topo.title')}</span>
        </button>
        {topo && (
          <span class="chip chip-mode" data-mode={topo.mode} title={tx('topo.modeTitle')}>
            {tx('topo.mode')} <strong>{topo.mode}</strong>
          </span>
        )}
        {topo && !collapsed && <span class="panel-meta cq-wide">{tx('topo.pods')} {topo.clusterCidr}</span>}
        <span class="panel-spacer" />
        {time && !collapsed && (
          <span class="panel-meta cq-mid" aria-live="polite">
            {loading ? tx('topo.refreshing') : tx('topo.asOf', { time })}
          </span>
        )}
        <button type="button" class="icon-btn" onClick={refresh} aria-label={tx('topo.refresh')} title={tx('topo.refreshTitle')} disabled={loading}>
          <IconRefresh size={15} class={loading ? 'spin' : ''} />
        </button>
        <button type="button" class="icon-btn" onClick={() => setExpanded(true)} aria-label={tx('topo.open')} title={tx('topo.openTitle')} disabled={!topo}>
          <IconExpand size={15} />
        </button>
      </div>
      {!collapsed && (
        <div class="topo-body" id="topo-body">
          <TopologyBody topo={topo} error={error} loading={loading} trace={trace} />
        </div>
      )}
      <Dialog open={expanded} onClose={() => setExpanded(false)} title={tx('topo.cluster')} wide>
        <div class="topo-dialog-meta">
          {topo && (
            <>
              <span class="chip chip-mode">
                {tx('topo.mode')} <strong>{topo.mode}</strong>
              </span>
              <span class="muted">{tx('topo.podCidr', { cidr: topo.clusterCidr })}</span>
              {time && <span class="muted">{tx('topo.asOf', { time })}</span>}
            </>
          )}
          <span class="panel-spacer" />
          <button type="button" class="btn btn-small" onClick={refresh} disabled={loading}>
            <IconRefresh size={14} class={loading ? 'spin' : ''} /> {tx('topo.refreshButton')}
          </button>
        </div>
        <div class="topo-dialog-body">
          <TopologyBody topo={topo} error={error} loading={loading} zoom={1.3} trace={trace} />
        </div>
      </Dialog>
    </section>
  );
}
