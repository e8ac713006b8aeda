// The student's code: a file list, the lab's TODOs, a CodeMirror editor, Deploy and its errors.
// It talks to its engine only through a CodeWorkspace (files + deploy); CodeMirror is a lazy
// chunk, loaded when this panel first shows.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { IconAlert, IconCheck, IconPlay, IconSpinner, IconUndo } from '../components/Icons.tsx';
import { compareSourcePaths } from '../../../src/labs/starterCore.ts';
import type { EditorHandle } from './codemirror.ts';
import { tx } from '../lib/lang.ts';
import './editor.css';
import { todosIn, type BuildError, type CodeWorkspace, type DeployResult, type TodoLine } from './workspace.ts';

export interface CodeEditorProps {
  workspace: CodeWorkspace;
  /** Called after each deploy (e.g. to refresh the topology or the check results). */
  onDeployed?: (result: DeployResult) => void;
}

type Deploy = { status: 'idle' } | { status: 'building' } | { status: 'done'; result: DeployResult } | { status: 'failed'; message: string };

const SAVE_DELAY_MS = 400;

/** "src/plugin/ipam/bin.ts" → ["src/plugin/ipam", "bin.ts"] */
const splitPath = (p: string): [string, string] => {
  const i = p.lastIndexOf('/');
  return [p.slice(0, i), p.slice(i + 1)];
};

/** TODOs by lab (this lab's first), then in file order. */
const byLab = (todos: TodoLine[]): TodoLine[] => todos.map((t, i) => [t, i] as const).sort(([a, i], [b, j]) => a.lab.localeCompare(b.lab) || i - j).map(([t]) => t);

export function CodeEditor({ workspace, onDeployed }: CodeEditorProps) {
  const [paths, setPaths] = useState<string[] | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [active, setActive] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [deploy, setDeploy] = useState<Deploy>({ status: 'idle' });
  const [errors, setErrors] = useState<BuildError[]>([]);
  const [filesOpen, setFilesOpen] = useState(true);
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<EditorHandle | null>(null);
  const [editorReady, setEditorReady] = useState(false);
  const current = useRef<Record<string, string>>({});
  const pending = useRef(new Map<string, number>());
  const pendingGoto = useRef<{ line: number; column: number } | null>(null);

  // Load the file list and every file (a workspace is a few dozen small files).
  useEffect(() => {
    let live = true;
    setPaths(null);
    setActive(null);
    setErrors([]);
    setDeploy({ status: 'idle' });
    (async () => {
      const list = (await workspace.files.list()).slice().sort(compareSourcePaths);
      const all = Object.fromEntries(await Promise.all(list.map(async (p) => [p, await workspace.files.read(p)] as const)));
      if (!live) return;
      current.current = all;
      setTexts(all);
      setPaths(list);
      // Open the file of the earliest lab's first TODO: that is where this lab's work starts.
      setActive(byLab(list.flatMap((p) => todosIn(p, all[p]!)))[0]?.file ?? list[0] ?? null);
    })().catch((e: unknown) => live && setLoadError(e instanceof Error ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [workspace]);

  // CodeMirror, once the panel is on screen.
  useEffect(() => {
    let live = true;
    import('./codemirror.ts').then(
      (cm) => {
        if (!live || !host.current) return;
        editor.current = cm.createEditor(host.current, (path, text) => {
          current.current[path] = text;
          setTexts((t) => ({ ...t, [path]: text }));
          const t = pending.current.get(path);
          if (t) window.clearTimeout(t);
          pending.current.set(
            path,
            window.setTimeout(() => {
              pending.current.delete(path);
              void workspace.files.write(path, text);
            }, SAVE_DELAY_MS),
          );
        });
        setEditorReady(true);
      },
      (e: unknown) => live && setLoadError(tx('editor.loadFailed', { error: e instanceof Error ? e.message : String(e) })),
    );
    return () => {
      live = false;
      flushWrites();
      editor.current?.destroy();
      editor.current = null;
      setEditorReady(false);
    };
  }, [workspace]);

  useEffect(() => {
    const ed = editor.current;
    if (!editorReady || !ed || !active) return;
    ed.open(active, current.current[active] ?? '');
    ed.showErrors(errors.filter((e) => e.file === active));
    const g = pendingGoto.current;
    pendingGoto.current = null;
    if (g) ed.goto(g.line, g.column);
  }, [editorReady, active]);

  useEffect(() => {
    if (editorReady && active) editor.current?.showErrors(errors.filter((e) => e.file === active));
  }, [errors]);

  const flushWrites = () => {
    for (const [path, t] of pending.current) {
      window.clearTimeout(t);
      void workspace.files.write(path, current.current[path] ?? '');
    }
    pending.current.clear();
  };

  const jump = (file: string, line: number, column = 1) => {
    if (file === active && editor.current) {
      editor.current.goto(line, column);
      return;
    }
    pendingGoto.current = { line, column };
    setActive(file);
  };

  const todos = useMemo(() => byLab((paths ?? []).flatMap((p) => todosIn(p, texts[p] ?? ''))), [paths, texts]);

  const runDeploy = async () => {
    if (deploy.status === 'building') return;
    flushWrites();
    setDeploy({ status: 'building' });
    try {
      const result = await workspace.deploy({ ...current.current });
      setErrors(result.ok ? [] : result.errors);
      setDeploy({ status: 'done', result });
      onDeployed?.(result);
    } catch (e) {
      setDeploy({ status: 'failed', message: e instanceof Error ? e.message : String(e) });
    }
  };

  const resetFile = async () => {
    if (!active) return;
    const text = await workspace.starter(active);
    if (text === undefined) return;
    editor.current?.replace(active, text);
  };

  // One group per folder, in the order folders first appear (a folder's files stay together).
  const groups = useMemo(() => {
    const g = new Map<string, string[]>();
    for (const p of paths ?? []) {
      const [dir] = splitPath(p);
      g.set(dir, [...(g.get(dir) ?? []), p]);
    }
    return [...g];
  }, [paths]);

  const deployState = deploy.status === 'done' ? (deploy.result.ok ? 'ok' : 'error') : deploy.status === 'failed' ? 'error' : deploy.status;

  return (
    <section class={`code-panel${filesOpen ? '' : ' is-files-collapsed'}`} aria-label={tx('editor.panel')}>
      <div class="panel-bar code-bar">
        <button
          type="button"
          class="btn btn-small"
          onClick={() => setFilesOpen(!filesOpen)}
          aria-expanded={filesOpen}
          aria-controls="code-files"
          title={tx(filesOpen ? 'editor.hideFiles' : 'editor.showFiles')}
        >
          {tx('editor.filesButton')}
        </button>
        <code class="code-path" title={active ?? ''}>
          {active ?? ''}
        </code>
        <span class="topbar-spacer" />
        <button type="button" class="btn btn-small" onClick={resetFile} disabled={!active} data-action="reset-file" title={tx('editor.resetFileTitle')}>
          <IconUndo size={14} />
          <span>{tx('editor.resetFile')}</span>
        </button>
        <button type="button" class="btn btn-small btn-primary" onClick={runDeploy} disabled={!paths || deploy.status === 'building'} data-action="deploy" data-state={deployState}>
          {deploy.status === 'building' ? <IconSpinner size={14} /> : <IconPlay size={13} />}
          <span>{tx(deploy.status === 'building' ? 'editor.deploying' : 'editor.deploy')}</span>
        </button>
      </div>
      <div class="code-body">
        {filesOpen && (
          <nav id="code-files" class="code-files" aria-label={tx('editor.files')}>
            {groups.map(([dir, files]) => (
              <div key={dir} class="code-dir">
                <div class="code-dir-name">{dir}/</div>
                {files.map((p) => {
                  const n = todosIn(p, texts[p] ?? '').length;
                  const bad = errors.some((e) => e.file === p);
                  return (
                    <button
                      key={p}
                      type="button"
                      class={`code-file${p === active ? ' is-active' : ''}${bad ? ' has-error' : ''}`}
                      aria-current={p === active ? 'true' : undefined}
                      data-file={p}
                      onClick={() => setActive(p)}
                      title={p}
                    >
                      <span class="code-file-name">{splitPath(p)[1]}</span>
                      {n > 0 && (
                        <span class="code-file-todos" title={tx('editor.todoCount', { n })}>
                          {n}
                        </span>
                      )}
                    </button>
                  );
                })}
              </div>
            ))}
            {todos.length > 0 && (
              <div class="code-todos">
                <div class="code-dir-name">{tx('editor.todos')}</div>
                {todos.map((t) => (
                  <button
                    key={`${t.file}:${t.line}`}
                    type="button"
                    class="code-todo"
                    data-todo={t.lab}
                    data-file={t.file}
                    data-line={t.line}
                    onClick={() => jump(t.file, t.line)}
                    title={`${t.file}:${t.line}`}
                  >
                    <span class="code-todo-lab">{tx('editor.todoLab', { id: t.lab })}</span> {t.text}
                  </button>
                ))}
              </div>
            )}
          </nav>
        )}
        <div class="code-main">
          {loadError && (
            <div class="alert alert-error alert-compact" role="alert">
              <IconAlert size={15} /> {loadError}
            </div>
          )}
          <div class="code-host" ref={host} />
          <DeployOutput deploy={deploy} onJump={jump} />
        </div>
      </div>
    </section>
  );
}

function DeployOutput({ deploy, onJump }: { deploy: Deploy; onJump: (file: string, line: number, column: number) => void }) {
  if (deploy.status === 'idle') return null;
  return (
    <div class="code-output" role="status" aria-live="polite" data-deploy={deploy.status === 'done' ? (deploy.result.ok ? 'ok' : 'error') : deploy.status}>
      {deploy.status === 'building' && (
        <p class="muted">
          <IconSpinner size={14} /> {tx('editor.building')}
        </p>
      )}
      {deploy.status === 'failed' && (
        <p class="t-bad">
          <IconAlert size={14} /> {tx('editor.deployFailed', { error: deploy.message })}
        </p>
      )}
      {deploy.status === 'done' && deploy.result.ok && (
        <p class="t-ok">
          <IconCheck size={14} /> {deploy.result.message}
        </p>
      )}
      {deploy.status === 'done' && !deploy.result.ok && (
        <>
          <p class="t-bad">
            <IconAlert size={14} /> {deploy.result.message ?? tx('editor.doesNotBuild')}
          </p>
          <ul class="code-errors">
            {deploy.result.errors.map((e, i) => (
              <li key={i}>
                <button type="button" class="code-error" data-build-error={`${e.file}:${e.line}:${e.column}`} onClick={() => onJump(e.file, e.line, e.column)} disabled={!e.line}>
                  <code>
                    {e.file}
                    {e.line ? `:${e.line}:${e.column}` : ''}
                  </code>{' '}
                  {e.message}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
