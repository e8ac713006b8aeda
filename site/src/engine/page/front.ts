// The page engine's front: what the lab page needs first — the lab list, the terminals' tabs, what
// a lab lacks in the tab — answered from the catalog and the saved progress at once, while the
// simulated cluster (./index.ts: the shell library and the kernel model, most of the page's code)
// is still being fetched and compiled. The page draws itself and opens its terminals meanwhile:
// a terminal greets and shows its prompt at once, and a line typed before its node's shell is
// there runs when it comes. Everything else waits for the cluster.
//
// The cluster's code starts once the first terminal has drawn its prompt (or soon after the page,
// if no terminal opens): evaluating it holds the main thread for a moment, which would otherwise
// come before the terminal is painted.
import type { Engine } from '../types.ts';
import { catalog, labNote, pageEngineInfo, pageLabs, terminalBanner, topology, unknownNode } from './labs.ts';
import { loadState } from './store.ts';
import { PageTerminal } from './terminal.ts';

/** After the next paint (a frame, then a task): what was drawn until now is on the screen. */
const afterPaint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

export async function createPageEngine(): Promise<Engine> {
  let start!: () => void;
  const started = new Promise<void>((r) => (start = r));
  const fallback = setTimeout(start, 1000);
  const module = started.then(() => import('./index.ts'));
  const saved = await loadState();
  const full = module.then((m) => m.createPageEngine({ state: saved }));
  let ready: Engine | undefined;
  // Kept with the page's state: the saved working directory and history, for the prompt until the shell comes.
  const early = (id: string) => ({ cwd: saved?.shells?.[id]?.cwd ?? '/root', history: saved?.history[id] ?? [] });
  full.then(
    (e) => (ready = e),
    (e: unknown) => console.error('The simulated cluster could not start:', e),
  );
  const later =
    <A extends unknown[], R>(f: (e: Engine) => (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      start();
      return f(await full)(...args);
    };
  return {
    info: pageEngineInfo(),
    hasAccess: () => true,
    onAccessRefused: () => () => undefined,
    labs: async (signal) => (ready ? ready.labs(signal) : pageLabs(saved?.progress)),
    openTerminal: (id, sink) => {
      if (ready) return ready.openTerminal(id, sink);
      const node = topology.nodes.find((n) => n.name === id);
      if (!node) return unknownNode(id, sink);
      const parts = full.then((e) => e.terminalNode(id)!);
      const term = new PageTerminal(id, parts, sink, terminalBanner(node), early(id));
      void afterPaint().then(() => {
        clearTimeout(fallback);
        start();
      });
      return term;
    },
    check: later((e) => e.check),
    hints: later((e) => e.hints),
    nextHint: later((e) => e.nextHint),
    solution: later((e) => e.solution),
    reset: later((e) => e.reset),
    solve: later((e) => e.solve!),
    topology: later((e) => e.topology!),
    trace: later((e) => e.trace!),
    files: later((e) => e.files!),
    saveFile: later((e) => e.saveFile!),
    installBundles: later((e) => e.installBundles!),
    labNote: (id) => {
      const lab = catalog.find((l) => l.id === id);
      return lab && labNote(lab);
    },
    work: {
      exportWork: later((e) => e.work!.exportWork),
      importWork: later((e) => e.work!.importWork),
      startOver: later((e) => e.work!.startOver),
    },
  };
}
