// The page engine's front: what the lab page needs first — the lab list, the terminals' tabs, what
// a lab lacks in the tab — answered from the catalog and the saved progress at once, while the
// simulated cluster (./index.ts: the shell library and the kernel model, most of the page's code)
// is still being fetched and compiled. The page draws itself and opens its terminals meanwhile;
// a terminal shows its prompt once its node's shell is there (what was typed before runs then),
// and everything else waits for the cluster.
import type { Engine, TerminalConnection, TerminalSink } from '../types.ts';
import { catalog, labNote, pageEngineInfo, pageLabs } from './labs.ts';
import { loadState } from './store.ts';

export async function createPageEngine(): Promise<Engine> {
  const module = import('./index.ts');
  const saved = await loadState();
  const full = module.then((m) => m.createPageEngine({ state: saved }));
  let ready: Engine | undefined;
  full.then(
    (e) => (ready = e),
    (e: unknown) => console.error('The simulated cluster could not start:', e),
  );
  const later =
    <A extends unknown[], R>(f: (e: Engine) => (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> =>
      f(await full)(...args);
  return {
    info: pageEngineInfo(),
    hasAccess: () => true,
    onAccessRefused: () => () => undefined,
    labs: async (signal) => (ready ? ready.labs(signal) : pageLabs(saved?.progress)),
    openTerminal: (id, sink) => (ready ? ready.openTerminal(id, sink) : terminalWhenReady(full, id, sink)),
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

/** The lab list as the cluster's engine gives it, from the saved progress. */
/** A terminal whose shell comes with the cluster: keystrokes and the size are kept until then. */
function terminalWhenReady(full: Promise<Engine>, id: string, sink: TerminalSink): TerminalConnection {
  let conn: TerminalConnection | undefined;
  let closed = false;
  let typed = '';
  let size: [number, number] | undefined;
  full.then(
    (e) => {
      if (closed) return;
      const c = e.openTerminal(id, sink);
      conn = c;
      if (size) c.resize(...size);
      // After the shell's greeting and prompt (written in a microtask of their own).
      queueMicrotask(() => {
        if (typed && !closed) c.input(typed);
        typed = '';
      });
    },
    (e: unknown) => {
      if (!closed) sink.state({ status: 'failed', message: e instanceof Error ? e.message : String(e) });
    },
  );
  return {
    input: (d) => (conn && !typed ? conn.input(d) : void (typed += d)),
    resize: (cols, rows) => (conn ? conn.resize(cols, rows) : void (size = [cols, rows])),
    retryNow: () => conn?.retryNow(),
    restart: () => conn?.restart(),
    close: () => {
      closed = true;
      conn?.close();
    },
  };
}
