// The right-hand work area: the cluster (topology and node terminals), and — when the engine gives
// the student's files — a "Code" tab beside it, the editor at full height. Both stay mounted once
// shown (terminal sessions and the editor's undo history survive switching). The editor is a lazy
// chunk, fetched when the Code tab first opens.
import { tx } from '../lib/lang.ts';
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { readStored, writeStored } from '../lib/storage.ts';
import { IconCode, IconTerminal } from '../components/Icons.tsx';
import type { CodeWorkspace, DeployResult } from './workspace.ts';

type EditorModule = typeof import('./CodeEditor.tsx');
type View = 'terminals' | 'code';
const KEY = 'cnilab.work';

export function WorkTabs({ workspace, cluster, onDeployed }: { workspace: CodeWorkspace | null; cluster: ComponentChildren; onDeployed?: (r: DeployResult) => void }) {
  const [view, setView] = useState<View>(() => (readStored('local', KEY) === 'code' ? 'code' : 'terminals'));
  const [mod, setMod] = useState<EditorModule | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const shown: View = workspace ? view : 'terminals';

  useEffect(() => {
    if (shown !== 'code' || mod) return;
    import('./CodeEditor.tsx').then(setMod, (e: unknown) => setLoadError(e instanceof Error ? e.message : String(e)));
  }, [shown]);

  if (!workspace) return <>{cluster}</>;
  const pick = (v: View) => {
    setView(v);
    writeStored('local', KEY, v);
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next: View = shown === 'code' ? 'terminals' : 'code';
    pick(next);
    document.getElementById(`work-tab-${next}`)?.focus();
  };
  return (
    <div class={`work-tabs-area is-${shown}`}>
      <div class="work-tabs" role="tablist" aria-label={tx('work.area')} onKeyDown={onKey}>
        <button type="button" role="tab" id="work-tab-terminals" aria-selected={shown === 'terminals'} aria-controls="work-terminals" tabIndex={shown === 'terminals' ? 0 : -1} class={`work-tab${shown === 'terminals' ? ' is-active' : ''}`} onClick={() => pick('terminals')}>
          <IconTerminal size={14} /> {tx('work.tabCluster')}
        </button>
        <button type="button" role="tab" id="work-tab-code" aria-selected={shown === 'code'} aria-controls="work-code" tabIndex={shown === 'code' ? 0 : -1} class={`work-tab${shown === 'code' ? ' is-active' : ''}`} onClick={() => pick('code')} data-action="open-code">
          <IconCode size={14} /> {tx('work.tabCode')}
        </button>
      </div>
      <div id="work-terminals" role="tabpanel" aria-labelledby="work-tab-terminals" class="work-pane work-pane-terminals" hidden={shown !== 'terminals'}>
        {cluster}
      </div>
      <div id="work-code" role="tabpanel" aria-labelledby="work-tab-code" class="work-pane work-pane-code" hidden={shown !== 'code'}>
        {loadError ? (
          <div class="alert alert-error" role="alert">
            {tx('editor.loadFailed', { error: loadError })}
          </div>
        ) : mod ? (
          <mod.CodeEditor workspace={workspace} {...(onDeployed ? { onDeployed } : {})} />
        ) : shown === 'code' ? (
          <div class="loading-main" aria-busy="true">
            <span class="spinner-dot" /> {tx('editor.loading')}
          </div>
        ) : null}
      </div>
    </div>
  );
}
