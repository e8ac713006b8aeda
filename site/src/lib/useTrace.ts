// The state of the topology panel's packet trace: run one, the result or why it failed, which
// hop is selected and which direction the picture shows.
import { tx } from './lang.ts';
import { useRef, useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import { errorMessage } from '../engine/errors.ts';
import type { ApiTrace } from '../engine/types.ts';
import type { Direction } from './tracePath.ts';

export interface TraceState {
  trace: ApiTrace | null;
  error: string | null;
  busy: boolean;
  activeHop: number | null;
  shown: Direction;
  run: (from: string, to: string) => void;
  clear: () => void;
  select: (hop: number) => void;
  show: (d: Direction) => void;
}

export function useTrace(): TraceState {
  const [trace, setTrace] = useState<ApiTrace | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [activeHop, setActiveHop] = useState<number | null>(null);
  const [shown, setShown] = useState<Direction>('request');
  const ctrl = useRef<AbortController | null>(null);
  const engine = useEngine();

  const run = (from: string, to: string) => {
    ctrl.current?.abort();
    const c = new AbortController();
    ctrl.current = c;
    setBusy(true);
    setError(null);
    if (!engine.trace) {
      setError(tx('trace.unsupported'));
      setBusy(false);
      return;
    }
    engine.trace(from, to, c.signal).then(
      (t) => {
        if (c.signal.aborted) return;
        setTrace(t);
        setActiveHop(null);
        setShown('request');
        setBusy(false);
      },
      (e: unknown) => {
        if (c.signal.aborted) return;
        setTrace(null);
        setError(errorMessage(e));
        setBusy(false);
      },
    );
  };
  const clear = () => {
    ctrl.current?.abort();
    setTrace(null);
    setError(null);
    setBusy(false);
    setActiveHop(null);
  };
  const select = (hop: number) => {
    setActiveHop(hop);
    const d = trace?.hops[hop]?.direction;
    if (d) setShown(d);
  };
  const show = (d: Direction) => {
    setShown(d);
    if (activeHop !== null && trace?.hops[activeHop]?.direction !== d) setActiveHop(null);
  };
  return { trace, error, busy, activeHop, shown, run, clear, select, show };
}
