// One tab per terminal the engine offers (each node; "your machine" when the server has one), each
// an xterm.js terminal on the engine's session. Every Terminal is created once and kept: switching
// tabs only hides/shows it (and re-fits it). xterm is a lazy chunk.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import type { TerminalInfo } from '../engine/types.ts';
import type { ConnState, TermSession } from '../terminal/session.ts';
import { useTheme } from '../lib/theme.ts';
import { IconRefresh, IconTerminal } from './Icons.tsx';

type SessionModule = typeof import('../terminal/session.ts');

function statusText(s: ConnState | undefined): string {
  if (!s) return 'starting';
  switch (s.status) {
    case 'connecting':
      return 'connecting…';
    case 'open':
      return 'connected';
    case 'reconnecting':
      return 'reconnecting…';
    case 'exited':
      return `exited (${s.code})`;
    case 'failed':
      return 'disconnected';
  }
}

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
  return <>{s > 0 ? `in ${s} s` : 'now'}</>;
}

function Overlay({ node, state, session }: { node: string; state: ConnState | undefined; session: TermSession | undefined }) {
  if (!state || state.status === 'open') return null;
  if (state.status === 'connecting') {
    return (
      <div class="term-overlay" role="status">
        <span class="spinner-dot" aria-hidden="true" /> Connecting to {node}…
      </div>
    );
  }
  if (state.status === 'reconnecting') {
    return (
      <div class="term-overlay is-warn" role="status">
        <span class="spinner-dot" aria-hidden="true" />
        <span>
          Reconnecting to {node}… <span class="muted">attempt {state.attempt}, next try <Countdown at={state.retryAt} /></span>
        </span>
        <button type="button" class="btn btn-small" onClick={() => session?.retryNow()}>
          Retry now
        </button>
      </div>
    );
  }
  if (state.status === 'exited') {
    return (
      <div class="term-overlay" role="status">
        <span>Shell exited with code {state.code}.</span>
        <button
          type="button"
          class="btn btn-small"
          onClick={() => {
            session?.restart();
            session?.focus();
          }}
        >
          New shell
        </button>
      </div>
    );
  }
  return (
    <div class="term-overlay is-error" role="alert">
      <span>{state.message}</span>
      <button type="button" class="btn btn-small" onClick={() => session?.retryNow()}>
        Try again
      </button>
    </div>
  );
}

export function TerminalPanel({ terminals }: { terminals: TerminalInfo[] }) {
  const engine = useEngine();
  const nodes = terminals.map((t) => t.id);
  const labelOf = (id: string) => terminals.find((t) => t.id === id)?.label ?? id;
  const [active, setActive] = useState<string | undefined>(nodes[0]);
  const [mod, setMod] = useState<SessionModule | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [states, setStates] = useState<Record<string, ConnState>>({});
  const [theme] = useTheme();
  const hosts = useRef<Record<string, HTMLDivElement | null>>({});
  const sessions = useRef(new Map<string, TermSession>());
  const stackRef = useRef<HTMLDivElement>(null);
  const tabRefs = useRef<Record<string, HTMLButtonElement | null>>({});
  const nodesKey = nodes.join(',');

  useEffect(() => {
    let live = true;
    import('../terminal/session.ts').then(
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

  // Create a session per node (once), dispose sessions of nodes that left.
  useEffect(() => {
    if (!mod) return;
    const onState = (node: string, s: ConnState) => setStates((prev) => ({ ...prev, [node]: s }));
    for (const node of nodes) {
      const host = hosts.current[node];
      if (host && !sessions.current.has(node)) sessions.current.set(node, new mod.TermSession(node, host, theme, engine, onState));
    }
    for (const [node, s] of sessions.current) {
      if (!nodes.includes(node)) {
        s.dispose();
        sessions.current.delete(node);
      }
    }
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
    if (active) sessions.current.get(active)?.fit();
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
    <section class="term-panel" aria-label="Terminals">
      <div class="panel-bar term-bar">
        <div class="term-tabs" role="tablist" aria-label="Node terminals">
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
                title={`${t.label}: ${statusText(s)}`}
              >
                <span class={`status-dot ${statusClass(s)}`} aria-hidden="true" />
                {t.label}
                <span class="sr-only">, {statusText(s)}</span>
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
              title={`Reconnect ${active} (a new shell)`}
              aria-label={`Reconnect ${active}`}
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
            <p>No nodes to open a terminal on. Is the cluster up?</p>
            <p>
              <code>npx cnilab cluster up</code>
            </p>
          </div>
        )}
        {loadError && (
          <div class="alert alert-error" role="alert">
            Could not load the terminal code: {loadError}
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
