// The results of one Check run, filled in line by line as the NDJSON stream arrives.
import type { ApiCheckResult, ApiLab } from '../engine/types.ts';
import { labHref } from '../lib/router.ts';
import { useLang, useT } from '../lib/lang.ts';
import { localizeCheck } from '../../../src/i18n/checks.ts';
import { InlineText } from './InlineText.tsx';
import { IconArrowRight, IconCheck, IconCode, IconSpinner, IconX } from './Icons.tsx';

export type CheckRun =
  | { status: 'idle' }
  | { status: 'running' | 'done' | 'error'; results: Record<string, ApiCheckResult>; order: string[]; passed?: boolean; error?: string; at?: Date };

function Row({ lab, id, title, result: raw, running }: { lab: string; id: string; title: string; result: ApiCheckResult | undefined; running: boolean }) {
  const lang = useLang();
  const tr = useT();
  const result = raw && localizeCheck(lab, raw, lang);
  if (!result) {
    return (
      <li class="check-row is-pending" data-check={id} data-state="pending">
        <span class="check-icon">{running ? <IconSpinner size={16} /> : <span class="dot-pending" />}</span>
        <div class="check-main">
          <div class="check-title">
            <InlineText text={title} />
          </div>
        </div>
        <span class="check-state">{running ? tr('check.checking') : tr('check.notRun')}</span>
      </li>
    );
  }
  const ok = result.passed;
  return (
    <li class={`check-row ${ok ? 'is-pass' : 'is-fail'}`} data-check={id} data-state={ok ? 'pass' : 'fail'}>
      <span class="check-icon">{ok ? <IconCheck size={16} /> : <IconX size={16} />}</span>
      <div class="check-main">
        <div class="check-title">
          <InlineText text={result.title || title} />
        </div>
        {!ok && (
          <dl class="check-detail">
            {result.expected && (
              <>
                <dt>{cap(tr('check.expected'))}</dt>
                <dd>
                  <code class="check-value">{result.expected}</code>
                </dd>
              </>
            )}
            {result.found && (
              <>
                <dt>{cap(tr('check.found'))}</dt>
                <dd>
                  <code class="check-value">{result.found}</code>
                </dd>
              </>
            )}
            {result.hint && (
              <>
                <dt>{cap(tr('check.hint'))}</dt>
                <dd class="check-hint">
                  <InlineText text={result.hint} />
                </dd>
              </>
            )}
          </dl>
        )}
      </div>
      <span class="check-state">{ok ? tr('check.pass') : tr('check.fail')}</span>
    </li>
  );
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function CheckResults({
  lab,
  run,
  next,
  onRetry,
  onClose,
  onSolution,
}: {
  lab: ApiLab;
  run: Exclude<CheckRun, { status: 'idle' }>;
  next: ApiLab | undefined;
  onRetry: () => void;
  onClose: () => void;
  onSolution: () => void;
}) {
  const lang = useLang();
  const known = lab.checks.map((c) => c.id);
  const extra = run.order.filter((id) => !known.includes(id));
  const rows = [...lab.checks.map((c) => ({ id: c.id, title: c.title })), ...extra.map((id) => ({ id, title: run.results[id]?.title ?? id }))];
  const total = rows.length;
  const got = Object.values(run.results);
  const passedCount = got.filter((r) => r.passed).length;
  const failedCount = got.filter((r) => !r.passed).length;
  const running = run.status === 'running';
  const allPassed = run.status === 'done' && run.passed;
  const tr = useT();

  let summary: string;
  if (running) summary = tr('check.summary.running', { done: got.length, total });
  else if (run.status === 'error') summary = tr('check.summary.error');
  else if (allPassed) summary = tr('check.summary.allPass', { total });
  else summary = tr('check.summary.someFail', { failed: failedCount, total, passed: passedCount });

  return (
    <section
      class={`card check-card${allPassed ? ' is-pass' : run.status === 'done' ? ' is-fail' : ''}`}
      aria-labelledby="check-summary"
      data-status={run.status}
      data-passed={run.status === 'done' ? String(!!run.passed) : ''}
    >
      <header class="card-head">
        <h2 id="check-summary" class="card-title" aria-live="polite">
          {running ? <IconSpinner size={16} /> : allPassed ? <IconCheck size={16} class="t-ok" /> : run.status === 'done' ? <IconX size={16} class="t-bad" /> : null}
          {summary}
        </h2>
        {run.at && !running && <span class="card-meta">{run.at.toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</span>}
        <button type="button" class="icon-btn" aria-label={tr('check.hide')} title={tr('check.hide')} onClick={onClose} disabled={running}>
          <IconX size={16} />
        </button>
      </header>
      {allPassed && (
        <div class="success-banner" role="status">
          <div class="success-text">
            <strong>{tr('check.passedBanner', { id: lab.id })}</strong> {tr('check.passedBannerText')}
          </div>
          <div class="success-actions">
            <button type="button" class="btn btn-small" onClick={onSolution}>
              <IconCode size={14} /> {tr('check.showSolution')}
            </button>
            {next && (
              <a class="btn btn-small btn-primary" href={labHref(next.id)} title={tr('lab.pagerTitle', { id: next.id, title: next.title })}>
                {tr('check.nextLab', { id: next.id })} <IconArrowRight size={14} />
              </a>
            )}
          </div>
        </div>
      )}
      {run.status === 'error' && (
        <div class="alert alert-error" role="alert">
          <p>
            <InlineText text={run.error ?? tr('check.failedDefault')} />
          </p>
          <button type="button" class="btn btn-small" onClick={onRetry}>
            {tr('check.runAgain')}
          </button>
        </div>
      )}
      <ol class="check-list">
        {rows.map((r) => (
          <Row key={r.id} lab={lab.id} id={r.id} title={r.title} result={run.results[r.id]} running={running} />
        ))}
      </ol>
    </section>
  );
}
