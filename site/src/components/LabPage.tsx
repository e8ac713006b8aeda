// A lab: toolbar (Check, Hint, Reset, Solution), the check results and hints, then the lab text.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import { errorMessage, isAborted, EngineError } from '../engine/errors.ts';
import type { ApiCheckResult, ApiDone, ApiHints, ApiLab, ApiSolution } from '../engine/types.ts';
import { labHref } from '../lib/router.ts';
import { CheckResults, type CheckRun } from './CheckResults.tsx';
import { CodeBlock } from './CodeBlock.tsx';
import { Dialog } from './Dialog.tsx';
import { HintsCard } from './HintsCard.tsx';
import { InlineText } from './InlineText.tsx';
import { LabContent } from './LabContent.tsx';
import { IconAlert, IconArrowRight, IconBulb, IconCheck, IconClock, IconCode, IconPlay, IconSpinner, IconUndo } from './Icons.tsx';
import { tx, useLang, useT } from '../lib/lang.ts';
import { list, t } from '../../../src/i18n/index.ts';

/** The kernel feature lab 07 needs, by its config name: the same in every language. */
const KERNEL_IPIP = 'IP-in-IP (CONFIG_NET_IPIP)';

type Async<T> = { status: 'idle' } | { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; message: string };

function langOf(file: string): string | undefined {
  const ext = /\.(\w+)$/.exec(file)?.[1];
  return ext === 'ts' || ext === 'mts' || ext === 'cts' ? 'ts' : ext;
}

function SolutionView({ state }: { state: Async<ApiSolution> }) {
  if (state.status === 'loading' || state.status === 'idle') {
    return (
      <p class="muted">
        <IconSpinner size={14} /> {tx('solution.loading')}
      </p>
    );
  }
  if (state.status === 'error') {
    return (
      <div class="alert alert-error" role="alert">
        <InlineText text={state.message} />
      </div>
    );
  }
  const sol = state.value;
  if (!sol.available) {
    return (
      <div class="alert alert-info">
        {tx('solution.lockedBefore', { id: sol.lab })}
        <strong>{tx('lab.check')}</strong>
        {tx('solution.lockedAfter')}
      </div>
    );
  }
  if (sol.regions.length === 0) return <p class="muted">{tx('solution.noCode')}</p>;
  return (
    <div class="solution">
      <p class="muted">
        <InlineText text={tx('solution.intro')} />
      </p>
      {sol.regions.map((r, i) => (
        <section key={i} class="solution-region" data-file={r.file} data-line={r.line}>
          <header class="solution-head">
            <code class="solution-loc">
              {r.file}:{r.line}
            </code>
            <span class="solution-desc">
              <InlineText text={r.description} />
            </span>
          </header>
          <CodeBlock code={r.code} lang={langOf(r.file)} />
        </section>
      ))}
    </div>
  );
}

export function LabPage({
  lab,
  labs,
  onPassed,
  onChanged,
}: {
  lab: ApiLab;
  labs: ApiLab[];
  onPassed: (id: string) => void;
  /** After a check, a reset ('reset': the lab's files may be back to the starter too). */
  onChanged: (what?: 'reset') => void;
}) {
  const engine = useEngine();
  const tr = useT();
  const lang = useLang();
  const [run, setRun] = useState<CheckRun>({ status: 'idle' });
  const [showResults, setShowResults] = useState(true);
  const [hints, setHints] = useState<ApiHints | null>(null);
  const [hintBusy, setHintBusy] = useState(false);
  const [hintError, setHintError] = useState<string | null>(null);
  const [resetOpen, setResetOpen] = useState(false);
  const [reset, setReset] = useState<Async<ApiDone>>({ status: 'idle' });
  const [solutionOpen, setSolutionOpen] = useState(false);
  const [solution, setSolution] = useState<Async<ApiSolution>>({ status: 'idle' });
  const scrollRef = useRef<HTMLDivElement>(null);
  const checkCtrl = useRef<AbortController | null>(null);

  const index = labs.findIndex((l) => l.id === lab.id);
  const prev = index > 0 ? labs[index - 1] : undefined;
  const next = index >= 0 ? labs[index + 1] : undefined;
  const passed = lab.passed || (run.status === 'done' && !!run.passed);
  const running = run.status === 'running';

  useEffect(() => {
    let live = true;
    engine.hints(lab.id).then(
      (h) => live && setHints(h),
      (e: unknown) => live && !(e instanceof EngineError && e.kind === 'not-found') && setHintError(errorMessage(e)),
    );
    return () => {
      live = false;
      checkCtrl.current?.abort();
    };
  }, [lab.id]);

  const runCheck = async () => {
    if (running) return;
    checkCtrl.current?.abort();
    const ctrl = new AbortController();
    checkCtrl.current = ctrl;
    const results: Record<string, ApiCheckResult> = {};
    const order: string[] = [];
    setShowResults(true);
    setRun({ status: 'running', results: {}, order: [] });
    try {
      const done = await engine.check(
        lab.id,
        (ev) => {
          if (ev.type !== 'check') return;
          results[ev.result.id] = ev.result;
          if (!order.includes(ev.result.id)) order.push(ev.result.id);
          setRun({ status: 'running', results: { ...results }, order: [...order] });
        },
        ctrl.signal,
      );
      for (const r of done.checks) {
        results[r.id] = r;
        if (!order.includes(r.id)) order.push(r.id);
      }
      setRun({ status: 'done', results: { ...results }, order: [...order], passed: done.passed, at: new Date() });
      if (done.passed) onPassed(lab.id);
    } catch (e) {
      if (isAborted(e)) return;
      setRun({ status: 'error', results: { ...results }, order: [...order], error: errorMessage(e), at: new Date() });
    } finally {
      if (!ctrl.signal.aborted) onChanged();
    }
  };

  const nextHint = async () => {
    setHintBusy(true);
    setHintError(null);
    try {
      setHints(await engine.nextHint(lab.id));
    } catch (e) {
      setHintError(errorMessage(e));
    } finally {
      setHintBusy(false);
    }
  };

  const openSolution = () => {
    setSolutionOpen(true);
    setSolution({ status: 'loading' });
    engine.solution(lab.id).then(
      (s) => setSolution({ status: 'ok', value: s }),
      (e: unknown) => setSolution({ status: 'error', message: errorMessage(e) }),
    );
  };

  const doReset = async () => {
    setReset({ status: 'loading' });
    try {
      const done = await engine.reset(lab.id);
      setReset({ status: 'ok', value: done });
      setRun({ status: 'idle' });
      engine.hints(lab.id).then(setHints, () => undefined);
    } catch (e) {
      setReset({ status: 'error', message: errorMessage(e) });
    } finally {
      onChanged('reset');
    }
  };

  const closeReset = () => {
    if (reset.status === 'loading') return;
    setResetOpen(false);
    setReset({ status: 'idle' });
  };

  const note = engine.labNote?.(lab.id);
  const shownHints = hints?.hints.length ?? 0;
  const totalHints = Math.max(lab.hintCount, shownHints + (hints?.remaining ?? 0));
  const hintsLeft = hints ? hints.remaining > 0 : lab.hintCount > 0;
  const showFeedback = (run.status !== 'idle' && showResults) || shownHints > 0 || !!hintError;

  return (
    <div class="lab-page" data-lab={lab.id}>
      <div class="lab-toolbar" role="toolbar" aria-label={tr('lab.actions', { id: lab.id })}>
        <div class="lab-toolbar-title">
          <span class="lab-badge">{tr('lab.badge', { id: lab.id })}</span>
          <span class="lab-toolbar-name" title={lab.title}>
            {lab.title}
          </span>
          <span class="lab-minutes" title={tr('lab.estimatedTime')}>
            <IconClock size={13} /> {tr('lab.minutes', { n: lab.minutes })}
          </span>
          {passed && (
            <span class="chip chip-ok" data-passed="true" title={tr('lab.passedTitle')}>
              <IconCheck size={12} /> <span class="btn-label">{tr('lab.passed')}</span>
            </span>
          )}
        </div>
        <div class="lab-actions">
          <button
            type="button"
            class="btn"
            onClick={nextHint}
            disabled={hintBusy || !hintsLeft}
            title={hintsLeft ? tr('lab.hintNext') : tr('lab.hintAllShown')}
            data-action="hint"
          >
            {hintBusy ? <IconSpinner size={15} /> : <IconBulb size={15} />}
            <span>
              <span class="btn-label">{tr('lab.hint')}</span>
              {totalHints > 0 && <span class="btn-count">{shownHints}/{totalHints}</span>}
            </span>
          </button>
          <button type="button" class="btn" onClick={() => setResetOpen(true)} data-action="reset" title={tr('lab.resetTitle')}>
            <IconUndo size={15} />
            <span class="btn-label">{tr('lab.reset')}</span>
          </button>
          {passed && (
            <button type="button" class="btn" onClick={openSolution} data-action="solution" title={tr('lab.solutionTitle')}>
              <IconCode size={15} />
              <span class="btn-label">{tr('lab.solution')}</span>
            </button>
          )}
          <button type="button" class="btn btn-primary btn-check" onClick={runCheck} disabled={running} data-action="check">
            {running ? <IconSpinner size={15} /> : <IconPlay size={14} />}
            <span>{running ? tr('lab.checking') : tr('lab.check')}</span>
          </button>
        </div>
      </div>

      {showFeedback && (
        <div class="lab-feedback">
          {run.status !== 'idle' && showResults && (
            <CheckResults lab={lab} run={run} next={next} onRetry={runCheck} onClose={() => setShowResults(false)} onSolution={openSolution} />
          )}
          {hintError && (
            <div class="alert alert-error alert-compact" role="alert">
              <IconAlert size={15} /> <InlineText text={hintError} />
            </div>
          )}
          {hints && shownHints > 0 && <HintsCard hints={hints} total={totalHints} />}
        </div>
      )}

      <div class="lab-scroll" ref={scrollRef} tabIndex={-1}>
        <div class="lab-text">
          {note && (
            <div class={`alert ${note.runs ? 'alert-info' : 'alert-warn'} lab-note`} role="note" {...(note.runs ? { 'data-lab-note': lab.id } : { 'data-unsupported': lab.id })}>
              <IconAlert size={15} /> <InlineText text={note.text} />
            </div>
          )}
          {lab.kernel.length > 0 && (
            <div class="alert alert-info alert-compact">
              <IconAlert size={15} /> {tr('lab.needsKernel', { features: list(lab.kernel.map((k) => (k === 'ipip' ? KERNEL_IPIP : k))) })}
            </div>
          )}
          <LabContent dir={lab.dir} onLoaded={() => scrollRef.current?.scrollTo({ top: 0 })} />
          <nav class="lab-pager" aria-label={tr('lab.navigation')}>
            {prev ? (
              <a class="pager-link" href={labHref(prev.id)}>
                <span class="pager-dir">{tr('lab.previous')}</span>
                <span class="pager-title">
                  {prev.id} · {prev.title}
                </span>
              </a>
            ) : (
              <span />
            )}
            {next && (
              <a class="pager-link pager-next" href={labHref(next.id)}>
                <span class="pager-dir">
                  {tr('lab.next')} <IconArrowRight size={13} />
                </span>
                <span class="pager-title">
                  {next.id} · {next.title}
                </span>
              </a>
            )}
          </nav>
        </div>
      </div>

      <Dialog
        open={resetOpen}
        onClose={closeReset}
        title={tr('reset.title', { id: lab.id })}
        footer={
          reset.status === 'ok' ? (
            <button type="button" class="btn btn-primary" onClick={closeReset} autoFocus>
              {tr('common.done')}
            </button>
          ) : (
            <>
              <button type="button" class="btn" onClick={closeReset} disabled={reset.status === 'loading'} autoFocus>
                {tr('common.cancel')}
              </button>
              <button type="button" class="btn btn-danger" onClick={doReset} disabled={reset.status === 'loading'} data-action="confirm-reset">
                {reset.status === 'loading' ? <IconSpinner size={15} /> : <IconUndo size={15} />}
                {tr(reset.status === 'loading' ? 'reset.resetting' : reset.status === 'error' ? 'common.tryAgain' : 'reset.confirm')}
              </button>
            </>
          )
        }
      >
        {reset.status === 'ok' ? (
          <div class="reset-done" role="status">
            <p>
              <IconCheck size={15} class="t-ok" /> {tr('reset.doneIntro', { id: lab.id })}
            </p>
            {reset.value.done.length > 0 ? (
              <ul class="done-list">
                {(reset.value.msg ?? reset.value.done).map((d, i) => (
                  <li key={i}>
                    <InlineText text={t(lang, d)} />
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">{tr('reset.nothing')}</p>
            )}
          </div>
        ) : (
          <>
            <p>
              <InlineText text={tr('reset.explain', { id: lab.id })} />
            </p>
            <p class="warn-text">
              <IconAlert size={15} /> <InlineText text={tr('reset.warn')} />
            </p>
            {reset.status === 'error' && (
              <div class="alert alert-error" role="alert">
                <InlineText text={reset.message} />
              </div>
            )}
          </>
        )}
      </Dialog>

      <Dialog open={solutionOpen} onClose={() => setSolutionOpen(false)} title={tr('solution.dialogTitle', { id: lab.id })} wide>
        <SolutionView state={solution} />
      </Dialog>
    </div>
  );
}
