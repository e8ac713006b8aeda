import { render } from 'preact';
import { App, type AppProps } from './components/App.tsx';
import { preloadLabText } from './components/LabContent.tsx';
import { lazyWorkspace } from './editor/workspace.ts';
import { loadSessionModule } from './components/TerminalPanel.tsx';
import { EngineProvider } from './engine/context.tsx';
import { loadEngine } from './engine/select.ts';
import { initTheme } from './lib/theme.ts';
import { initToken } from './lib/token.ts';
import './styles/base.css';
import './styles/app.css';
import './styles/prose.css';
import './styles/topology.css';
import './styles/trace.css';

initToken();
initTheme();
// A new URL with a token pasted into this tab (after a server restart) only changes the hash:
// take the token and start over with a clean page.
window.addEventListener('hashchange', () => {
  if (/(^|[#&?])token=/.test(window.location.hash)) {
    initToken();
    window.location.reload();
  }
});
window.__cnilab ??= { terminals: {} };

// `?code=tab`: the editor on a workspace kept in this tab, built in the page (Deploy builds; it
// installs nothing: on the lab server `cnilab deploy` installs the workspace on disk).
const codeInTab = new URLSearchParams(window.location.search).get('code') === 'tab';
const props: AppProps = codeInTab
  ? { codeWorkspace: (labId) => lazyWorkspace(() => import('./editor/memoryWorkspace.ts').then((m) => m.memoryWorkspace(labId))) }
  : {};

const root = document.getElementById('app');
if (root) {
  void loadEngine().then((engine) => {
    window.__cnilab!.engine = engine;
    // An engine that installs what the page builds (the page engine): the Code tab's Deploy puts
    // the student's build on the nodes.
    // An engine that keeps the student's files keeps the editor's edits too (in its saved state
    // and its export).
    const install = engine.installBundles?.bind(engine);
    if (install) {
      const files = engine.files?.bind(engine);
      const saveFile = engine.saveFile?.bind(engine);
      props.codeWorkspace = (labId) =>
        lazyWorkspace(() =>
          import('./editor/memoryWorkspace.ts').then((m) =>
            m.memoryWorkspace(labId, { install, ...(files && saveFile ? { store: { load: () => files(labId), save: (f) => saveFile(labId, f) } } : {}) }),
          ),
        );
    }
    // An engine that builds and installs the files itself (the WebContainer engine: `cnilab deploy` in it).
    const deploy = engine.deploy?.bind(engine);
    if (deploy) {
      props.codeWorkspace = (labId) =>
        lazyWorkspace(() =>
          import('./editor/memoryWorkspace.ts').then((m) =>
            m.memoryWorkspace(labId, {
              deploy: async (files) => {
                const r = await deploy(labId, Object.entries(files).map(([path, text]) => ({ path, text })));
                return r.ok ? { ok: true, message: r.done.join(' ') } : { ok: false, errors: [], message: [...r.errors, ...r.done].join('\n') };
              },
            }),
          ),
        );
    }
    render(
      <EngineProvider engine={engine}>
        <App {...props} />
      </EngineProvider>,
      root,
    );
  });
  // What the first paint needs besides the engine, fetched while the engine starts: the terminal
  // and the open lab's text.
  void loadSessionModule().catch(() => undefined);
  const labInUrl = /#\/lab\/(\d\d)/.exec(window.location.hash)?.[1];
  if (labInUrl) preloadLabText(labInUrl);
}
