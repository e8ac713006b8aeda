import { render } from 'preact';
import { App } from './components/App.tsx';
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

const root = document.getElementById('app');
if (root) {
  void loadEngine().then((engine) => {
    window.__cnilab!.engine = engine;
    render(
      <EngineProvider engine={engine}>
        <App />
      </EngineProvider>,
      root,
    );
  });
}
