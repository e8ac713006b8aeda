// The engine the app runs on, for every component: <EngineProvider engine={…}> once at the top,
// useEngine() wherever a component needs labs, terminals, checks…
import { createContext } from 'preact';
import type { ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import type { Engine } from './types.ts';

const EngineContext = createContext<Engine | null>(null);

export function EngineProvider({ engine, children }: { engine: Engine; children: ComponentChildren }) {
  return <EngineContext.Provider value={engine}>{children}</EngineContext.Provider>;
}

export function useEngine(): Engine {
  const e = useContext(EngineContext);
  if (!e) throw new Error('useEngine() outside <EngineProvider>: the app must be rendered inside one.');
  return e;
}
