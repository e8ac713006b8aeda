// One tab per terminal the engine offers (each node; "your machine" when the server has one), each
// an xterm.js terminal on the engine's session. Every Terminal is created once and kept: switching
// tabs only hides/shows it (and re-fits it). xterm is a lazy chunk.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import type { TerminalInfo } from '../engine/types.ts';
import type { ConnState, TermSession } from '../terminal/session.ts';
import { useTheme } from '../lib/theme.ts';
import { IconRefresh, IconTerminal } from './Icons.tsx';
import { tx, useT } from '../lib/lang.ts';

type SessionModule = typeof import('../terminal/session.ts');

/** xterm's chunk, fetched once for the page (main.tsx starts it while the engine starts). */
let sessionModule: SessionModule | undefined;
const loadingSession: { p?: Promise<SessionModule> } = {};
export function loadSessionModule(): Promise<SessionModule> {
  return (loadingSession.p ??= import('../terminal/session.ts').then((m) => (sessionModule = m)));
}

/** Runs `f` when the page is idle (soon, at the latest). */
const whenIdle = (f: () => void): (() => void) => {
  if (typeof requestIdleCallback === 'function') {
    const h = requestIdleCallback(f, { timeout: 500 });
    return () => cancelIdleCallback(h);
  }
  const t = setTimeout(f, 50);
  return () => clearTimeout(t);
};

function statusText(s: ConnState | undefined): string {
  if (!s) return tx('term.starting');
  switch (s.status) {
    case 'connecting':
      return tx('term.connecting');
    case 'open':
      return tx('term.connected');
    case 'reconnecting':
      return tx('term.reconnecting');
    case 'exited':
      return tx('term.exited', { code: s.code });
    case 'failed':
      return tx('term.disconnected');
  }
}

/** A tab's name: the engine's label, but "your machine" in the page's language. */
const tabLabel = (t: TerminalInfo): string => (t.kind === 'workstation' ? tx('term.workstation') : t.label);

function statusClass(s: ConnState | undefined): string {
  if (!s) return 'st-wait';
  switch (s.status) {
    case 'open':
      return 'st-ok';
    case 'connecting':
    case 'reconnecting':
      return 'st-wait';
    case 'exited':
      return 'st-idle';
    case 'failed':
      return 'st-bad';
  }
}

function Countdown({ at }: { at: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 250);
    return () => window.clearInterval(t);
  }, []);
  const s = Math.max(0, Math.ceil((at - now) / 1000));
  return <>{s > 0 ? tx('term.inSeconds', { s }) : tx('term.now')}</>;
}

function Overlay({ node, state, session }: { node: string; state: ConnState | undefined; session: TermSession | undefined }) {
  if (!state || state.status === 'open') return null;
  if (state.status === 'connecting') {
    return (
      <div class="term-overlay" role="status">
        <span class="spinner-dot" aria-hidden="true" /> {tx('term.connectingTo', { node })}
      </div>
    );
  }
  if (state.status === 'reconnecting') {
    return (
      <div class="term-overlay is-warn" role="status">
        <span class="spinner-dot" aria-hidden="true" />
        <span>
          {tx('term.reconnectingTo', { node })}{' '}
          <span class="muted">
            {tx('term.attempt', { n: state.attempt })}
            <Countdown at={state.retryAt} />
          </span>
        </span>
        <button type="button" class="btn btn-small" onClick={() => session?.retryNow()}>
          {tx('term.retryNow')}
        </button>
      </div>
    );
  }
  if (state.status === 'exited') {
    return (
      <div class="term-overlay" role="status">
        <span>{tx('term.shellExited', { code: state.code })}</span>
        <button
          type="button"
          class="btn btn-small"
          onClick={() => {
            session?.restart();
            session?.focus();
          }}
        >
          {tx('term.newShell')}
        </button>
      </div>
    );
  }
  return (
    <div class="term-overlay is-error" role="alert">
      <span>{state.message}</span>
      <button type="button" class="btn btn-small" onClick={() => session?.retryNow()}>
        {tx('common.tryAgain')}
      </button>
    </div>
  );
}

export function TerminalPanel({ terminals }: { terminals: TerminalInfo[] }) {
  const engine = useEngine();
  const nodes = terminals.map((t) => t.id);
  const labelOf = (id: string) => {
    const t = terminals.find((x) => x.id === id);
    return t ? tabLabel(t) : id;
  };
  const tr = useT();
  const [active, setActive] = useState<string | undefined>(nodes[0]);
  const [mod, setMod] = useState<SessionModule | null>(sessionModule ?? null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [states, setStates] = useState<Record<string, ConnState>>({});
  const [theme] = useTheme();
  const hosts = useRef<Record<string, HTMLDivElement | null>>({});
  const sessions = useRef(new Map<string, TermSession>());
  const stackRef = useRef<HTMLDivElement>(null);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  const nodesKey = nodes.join(',');

  useEffect(() => {
    if (mod) return;
    let live = true;
    loadSessionModule().then(
      (m) => live && setMod(m),
      (e: unknown) => live && setLoadError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!active || !nodes.includes(active)) setActive(nodes[0]);
  }, [nodesKey]);

  // Create a session per node (once), dispose sessions of nodes that left. The shown tab's first:
  // the others (hidden, so xterm can measure nothing in them yet) once the page is idle.
  const open = (node: string) => {
    const host = hosts.current[node];
    const onState = (n: string, s: ConnState) => setStates((prev) => ({ ...prev, [n]: s }));
    if (mod && host && !sessions.current.has(node)) sessions.current.set(node, new mod.TermSession(node, host, theme, engine, onState));
  };
  useEffect(() => {
    if (!mod) return;
    const first = active && nodes.includes(active) ? active : nodes[0];
    if (first) open(first);
    const cancel = whenIdle(() => {
      for (const node of nodes) open(node);
    });
    for (const [node, s] of sessions.current) {
      if (!nodes.includes(node)) {
        s.dispose();
        sessions.current.delete(node);
      }
    }
    return cancel;
  }, [mod, nodesKey]);

  useEffect(
    () => () => {
      for (const s of sessions.current.values()) s.dispose();
      sessions.current.clear();
    },
    [],
  );

  useEffect(() => {
    for (const s of sessions.current.values()) s.setTheme(theme);
  }, [theme]);

  // Re-fit on show, and whenever the panel changes size (window, split drag, topology collapse).
  useEffect(() => {
    if (!active) return;
    open(active); // shown before the idle moment came
    sessions.current.get(active)?.fit();
  }, [active, mod]);

  useEffect(() => {
    const el = stackRef.current;
    if (!el) return;
    let raf = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(raf);
      raf = requestAnimationFrame(() => {
        for (const s of sessions.current.values()) s.fit();
      });
    });
    ro.observe(el);
    return () => {
      cancelAnimationFrame(raf);
      ro.disconnect();
    };
  }, []);

  const select = (node: string, focusTerminal: boolean) => {
    setActive(node);
    if (focusTerminal) {
      window.requestAnimationFrame(() => {
        const s = sessions.current.get(node);
        s?.fit();
        s?.focus();
      });
    }
  };

  const onTabKey = (e: KeyboardEvent, index: number) => {
    let next = -1;
    if (e.key === 'ArrowRight') next = (index + 1) % nodes.length;
    else if (e.key === 'ArrowLeft') next = (index - 1 + nodes.length) % nodes.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = nodes.length - 1;
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      const n = nodes[index];
      if (n) select(n, true);
      return;
    }
    if (next >= 0) {
      e.preventDefault();
      const n = nodes[next];
      if (n) {
        select(n, false);
        tabRefs.current[n]?.focus();
      }
    }
  };

  const activeState = active ? states[active] : undefined;

  return (
    <section class="term-panel" aria-label={tr('term.panel')}>
      <div class="panel-bar term-bar">
        <div class="term-tabs" role="tablist" aria-label={tr('term.tabs')}>
          <IconTerminal size={15} class="panel-bar-icon" />
          {terminals.map((t, i) => {
            const node = t.id;
            const s = states[node];
            const selected = node === active;
            return (
              <button
                key={node}
                ref={(el) => {
                  tabRefs.current[node] = el;
                }}
                type="button"
                role="tab"
                id={`term-tab-${node}`}
                class={`term-tab${selected ? ' is-active' : ''}${t.kind === 'workstation' ? ' is-workstation' : ''}`}
                aria-selected={selected}
                aria-controls={`term-panel-${node}`}
                tabIndex={selected ? 0 : -1}
                data-node={node}
                data-kind={t.kind}
                onClick={() => select(node, true)}
                onKeyDown={(e) => onTabKey(e, i)}
                title={tr('term.tabTitle', { label: tabLabel(t), status: statusText(s) })}
              >
                <span class={`status-dot ${statusClass(s)}`} aria-hidden="true" />
                {tabLabel(t)}
                <span class="sr-only">{tr('term.srStatus', { status: statusText(s) })}</span>
              </button>
            );
          })}
        </div>
        <div class="term-status" aria-live="polite">
          {active && (
            <span class={`term-status-text ${statusClass(activeState)}`}>
              {labelOf(active)} · {statusText(activeState)}
            </span>
          )}
          {active && activeState?.status === 'open' && (
            <button
              type="button"
              class="icon-btn"
              title={tr('term.reconnectTitle', { node: labelOf(active) })}
              aria-label={tr('term.reconnect', { node: labelOf(active) })}
              onClick={() => {
                const s = sessions.current.get(active);
                if (s) {
                  s.dispose();
                  sessions.current.delete(active);
                  const host = hosts.current[active];
                  if (mod && host) {
                    host.replaceChildren();
                    sessions.current.set(
                      active,
                      new mod.TermSession(active, host, theme, engine, (node, st) => setStates((prev) => ({ ...prev, [node]: st }))),
                    );
                  }
                }
              }}
            >
              <IconRefresh size={15} />
            </button>
          )}
        </div>
      </div>
      <div class="term-stack" ref={stackRef}>
        {nodes.length === 0 && (
          <div class="empty-state">
            <p>{tr('term.noNodes')}</p>
            <p>
              <code>npx cnilab cluster up</code>
            </p>
          </div>
        )}
        {loadError && (
          <div class="alert alert-error" role="alert">
            {tr('term.loadFailed', { error: loadError })}
          </div>
        )}
        {nodes.map((node) => (
          <div
            key={node}
            id={`term-panel-${node}`}
            role="tabpanel"
            aria-labelledby={`term-tab-${node}`}
            class={`term-host-wrap${node === active ? ' is-active' : ''}`}
            aria-hidden={node !== active}
          >
            <div
              class="term-host"
              data-node={node}
              ref={(el) => {
                hosts.current[node] = el;
              }}
            />
            {node === active && <Overlay node={labelOf(node)} state={states[node]} session={sessions.current.get(node)} />}
          </div>
        ))}
      </div>
    </section>
  );
}
