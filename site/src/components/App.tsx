import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import { EngineError, errorMessage } from '../engine/errors.ts';
import type { ApiLab, EngineLabs } from '../engine/types.ts';
import { labHref, navigate, useRoute } from '../lib/router.ts';
import { useLang, useT } from '../lib/lang.ts';
import { localizeLab } from '../../../src/i18n/labs.ts';
import { LangSwitch } from './LangSwitch.tsx';
import { readStored, writeStored } from '../lib/storage.ts';
import { useTheme } from '../lib/theme.ts';
import { ErrorBoundary } from './ErrorBoundary.tsx';
import { IconMoon, IconSidebar, IconSun } from './Icons.tsx';
import { LabPage } from './LabPage.tsx';
import { ErrorPage, NoTokenPage } from './Pages.tsx';
import { Sidebar } from './Sidebar.tsx';
import { EngineBadge } from './EngineBadge.tsx';
import { WorkMenu } from './WorkMenu.tsx';
import { Split } from './Split.tsx';
import { TerminalPanel } from './TerminalPanel.tsx';
import { TopologyPanel } from './TopologyPanel.tsx';
import type { CodeWorkspace } from '../editor/workspace.ts';
import { WorkTabs } from '../editor/WorkTabs.tsx';

type LabsState = { status: 'loading' } | { status: 'ok'; data: EngineLabs } | { status: 'error'; error: EngineError | Error };

function defaultLab(data: EngineLabs): ApiLab | undefined {
  return data.labs.find((l) => l.id === data.current) ?? data.labs.find((l) => !l.passed) ?? data.labs[0];
}

const isNarrow = () => window.matchMedia('(max-width: 900px)').matches;
const isCompact = () => window.matchMedia('(max-width: 1439px)').matches;

function ThemeToggle() {
  const [theme, setTheme] = useTheme();
  const tr = useT();
  const next = theme === 'dark' ? 'light' : 'dark';
  const label = tr(next === 'dark' ? 'app.themeDark' : 'app.themeLight');
  return (
    <button type="button" class="icon-btn" onClick={() => setTheme(next)} aria-label={label} title={label} data-theme-toggle={theme}>
      {theme === 'dark' ? <IconSun size={17} /> : <IconMoon size={17} />}
    </button>
  );
}

function NotFound({ id, labs }: { id: string; labs: ApiLab[] }) {
  const tr = useT();
  return (
    <div class="lab-page">
      <div class="lab-scroll">
        <div class="lab-text">
          <div class="alert alert-error" role="alert">
            <p>
              {tr('app.noSuchLab', { id })} {labs[0] && <a href={labHref(labs[0].id)}>{tr('app.goToLab', { id: labs[0].id })}</a>}
            </p>
          </div>
        </div>
      </div>
    </div>
  );
}

export interface AppProps {
  /** The student's files for a lab, when the engine has them (then a Code tab shows beside the terminals). */
  codeWorkspace?: (labId: string) => CodeWorkspace | null;
}

export function App({ codeWorkspace }: AppProps = {}) {
  const engine = useEngine();
  const [hasToken] = useState(() => engine.hasAccess());
  const [refused, setRefused] = useState(false);
  const [labs, setLabs] = useState<LabsState>({ status: 'loading' });
  const [topoVersion, setTopoVersion] = useState(0);
  // On narrow screens the lab list is a drawer: closed until asked for. Elsewhere, closed means a
  // rail of lab numbers; below 1440 px it starts as the rail, so the terminal keeps 80 columns.
  const [sidebarOpen, setSidebarOpen] = useState(() => {
    const stored = readStored('local', 'cnilab.sidebar');
    return !isNarrow() && (stored === 'open' || (stored === null && !isCompact()));
  });
  const [topoCollapsed, setTopoCollapsed] = useState(() => readStored('local', 'cnilab.topology') === 'collapsed');
  const route = useRoute();
  const tr = useT();

  useEffect(
    () =>
      engine.onAccessRefused(() => {
        setRefused(true);
      }),
    [],
  );

  const loadLabs = useCallback((quiet = false) => {
    if (!quiet) setLabs({ status: 'loading' });
    engine.labs().then(
      (data) => setLabs({ status: 'ok', data }),
      (e: unknown) => {
        if (!quiet) setLabs({ status: 'error', error: e instanceof Error ? e : new Error(String(e)) });
      },
    );
  }, []);

  useEffect(() => {
    if (hasToken) loadLabs();
  }, [hasToken]);

  // #/ → the lab in the workspace (or the first not passed).
  useEffect(() => {
    if (labs.status !== 'ok' || route.name !== 'home') return;
    const l = defaultLab(labs.data);
    if (l) navigate(labHref(l.id), true);
  }, [labs, route]);

  const labId = route.name === 'lab' ? route.id : undefined;
  const lang = useLang();
  // Lab titles, objectives and check titles in the chosen language (ids unchanged).
  const data = useMemo(() => (labs.status === 'ok' ? { ...labs.data, labs: labs.data.labs.map((l) => localizeLab(l, lang)) } : null), [labs, lang]);
  const lab = data && labId ? data.labs.find((l) => l.id === labId) : undefined;

  // A reset of the lab may put its files back to the starter: the editor reads them again.
  const [resets, setResets] = useState(0);
  const workspace = useMemo(() => (lab && codeWorkspace ? codeWorkspace(lab.id) : null), [lab?.id, codeWorkspace, resets]);

  useEffect(() => {
    document.title = lab ? `${lab.id} · ${lab.title} — SimpleCNI Lab` : 'SimpleCNI Lab';
  }, [lab?.id]);

  const onPassed = useCallback((id: string) => {
    setLabs((s) => (s.status === 'ok' ? { status: 'ok', data: { ...s.data, labs: s.data.labs.map((l) => (l.id === id ? { ...l, passed: true } : l)) } } : s));
  }, []);
  const onChanged = useCallback((what?: 'reset') => {
    if (what === 'reset') setResets((n) => n + 1);
    setTopoVersion((v) => v + 1);
    loadLabs(true);
  }, [loadLabs]);

  const toggleSidebar = () => {
    const next = !sidebarOpen;
    setSidebarOpen(next);
    if (!isNarrow()) writeStored('local', 'cnilab.sidebar', next ? 'open' : 'closed');
  };
  const toggleTopo = () => {
    const next = !topoCollapsed;
    setTopoCollapsed(next);
    writeStored('local', 'cnilab.topology', next ? 'collapsed' : 'open');
  };

  if (!hasToken || refused) return <NoTokenPage refused={refused} />;
  if (labs.status === 'error') {
    const e = labs.error;
    const title =
      e instanceof EngineError && e.kind === 'network'
        ? tr('app.serverDown')
        : e instanceof EngineError && e.kind === 'forbidden'
          ? tr('app.serverRefused')
          : tr('app.labsFailed');
    return <ErrorPage title={title} message={errorMessage(e)} onRetry={() => loadLabs()} />;
  }

  return (
    <div class={`app${sidebarOpen ? ' has-sidebar' : ''}`}>
      <a class="skip-link" href="#main">
        {tr('app.skipToLab')}
      </a>
      <header class="topbar">
        <button
          type="button"
          class="icon-btn"
          onClick={toggleSidebar}
          aria-label={sidebarOpen ? tr('app.hideLabs') : tr('app.showLabs')}
          aria-expanded={sidebarOpen}
          aria-controls="sidebar"
          title={sidebarOpen ? tr('app.hideLabs') : tr('app.showLabs')}
        >
          <IconSidebar size={18} />
        </button>
        <a class="brand" href="#/">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={22} height={22} />
          <span>SimpleCNI Lab</span>
        </a>
        {lab && (
          <span class="topbar-crumb" aria-hidden="true">
            <span class="crumb-sep">/</span> {lab.id} · {lab.title}
          </span>
        )}
        <span class="topbar-spacer" />
        {data && (
          <span class="chip chip-cluster" title={tr('app.clusterTitle', { cluster: data.cluster, backend: data.backend })}>
            {tr('app.cluster')} <strong>{data.cluster}</strong>
            <span class="hide-narrow"> · {data.backend}</span>
          </span>
        )}
        <EngineBadge />
        <WorkMenu />
        <LangSwitch />
        <ThemeToggle />
      </header>
      <div class="app-body">
        {sidebarOpen && <div class="drawer-backdrop" onClick={() => setSidebarOpen(false)} aria-hidden="true" />}
        {(sidebarOpen || data) && (
          <aside
            id="sidebar"
            class={`app-sidebar${sidebarOpen ? '' : ' is-rail'}`}
            onKeyDown={(e) => {
              if (e.key === 'Escape' && isNarrow()) setSidebarOpen(false);
            }}
          >
            {data ? (
              <Sidebar labs={data.labs} activeId={labId} workspaceLab={data.current} rail={!sidebarOpen} onNavigate={() => isNarrow() && setSidebarOpen(false)} />
            ) : (
              <div class="sidebar-skeleton" aria-busy="true">
                {Array.from({ length: 8 }, (_, i) => (
                  <div key={i} class="sk" />
                ))}
              </div>
            )}
          </aside>
        )}
        <main id="main" class="app-main" tabIndex={-1}>
          {!data ? (
            <div class="loading-main" aria-busy="true">
              <span class="spinner-dot" /> {tr('app.loadingLabs')}
            </div>
          ) : (
            <Split
              id="main"
              direction="row"
              initial={0.47}
              min={0.28}
              max={0.72}
              firstMinPx={440}
              secondMinPx={690}
              label={tr('app.resizeLab')}
              first={
                <ErrorBoundary label={tr('app.theLab')}>
                  {lab ? (
                    <LabPage key={lab.id} lab={lab} labs={data.labs} onPassed={onPassed} onChanged={onChanged} />
                  ) : labId ? (
                    <NotFound id={labId} labs={data.labs} />
                  ) : null}
                </ErrorBoundary>
              }
              second={
                <WorkTabs
                  workspace={workspace}
                  onDeployed={() => onChanged()}
                  cluster={
                    !engine.topology ? (
                      <TerminalPanel terminals={data.terminals} />
                    ) : (
                      <Split
                        id="right"
                        direction="column"
                        initial={0.57}
                        min={0.15}
                        max={0.85}
                        secondMinPx={300}
                        collapsedFirst={topoCollapsed}
                        label={tr('app.resizeTopo')}
                        class="right-pane"
                        first={
                          <ErrorBoundary label={tr('app.theTopology')}>
                            <TopologyPanel version={topoVersion} collapsed={topoCollapsed} onToggle={toggleTopo} />
                          </ErrorBoundary>
                        }
                        second={<TerminalPanel terminals={data.terminals} />}
                      />
                    )
                  }
                />
              }
            />
          )}
        </main>
      </div>
    </div>
  );
}
