// The results of one Check run, filled in line by line as the NDJSON stream arrives.
import type { ApiCheckResult, ApiLab } from '../engine/types.ts';
import { labHref } from '../lib/router.ts';
import { InlineText } from './InlineText.tsx';
import { IconArrowRight, IconCheck, IconCode, IconSpinner, IconX } from './Icons.tsx';

export type CheckRun =
  | { status: 'idle' }
  | { status: 'running' | 'done' | 'error'; results: Record<string, ApiCheckResult>; order: string[]; passed?: boolean; error?: string; at?: Date };

function Row({ id, title, result, running }: { id: string; title: string; result: ApiCheckResult | undefined; running: boolean }) {
  if (!result) {
    return (
      <li class="check-row is-pending" data-check={id} data-state="pending">
        <span class="check-icon">{running ? <IconSpinner size={16} /> : <span class="dot-pending" />}</span>
        <div class="check-main">
          <div class="check-title">
            <InlineText text={title} />
          </div>
        </div>
        <span class="check-state">{running ? 'checking…' : 'not run'}</span>
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
                <dt>Expected</dt>
                <dd>
                  <code class="check-value">{result.expected}</code>
                </dd>
              </>
            )}
            {result.found && (
              <>
                <dt>Found</dt>
                <dd>
                  <code class="check-value">{result.found}</code>
                </dd>
              </>
            )}
            {result.hint && (
              <>
                <dt>Hint</dt>
                <dd class="check-hint">
                  <InlineText text={result.hint} />
                </dd>
              </>
            )}
          </dl>
        )}
      </div>
      <span class="check-state">{ok ? 'pass' : 'fail'}</span>
    </li>
  );
}

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
  const known = lab.checks.map((c) => c.id);
  const extra = run.order.filter((id) => !known.includes(id));
  const rows = [...lab.checks.map((c) => ({ id: c.id, title: c.title })), ...extra.map((id) => ({ id, title: run.results[id]?.title ?? id }))];
  const total = rows.length;
  const got = Object.values(run.results);
  const passedCount = got.filter((r) => r.passed).length;
  const failedCount = got.filter((r) => !r.passed).length;
  const running = run.status === 'running';
  const allPassed = run.status === 'done' && run.passed;

  let summary: string;
  if (running) summary = `Checking… ${got.length} of ${total} done`;
  else if (run.status === 'error') summary = 'The checks could not finish';
  else if (allPassed) summary = `All ${total} checks pass`;
  else summary = `${failedCount} of ${total} check${total === 1 ? '' : 's'} fail${failedCount === 1 ? 's' : ''}, ${passedCount} pass${passedCount === 1 ? 'es' : ''}`;

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
        {run.at && !running && <span class="card-meta">{run.at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })}</span>}
        <button type="button" class="icon-btn" aria-label="Hide the check results" title="Hide" onClick={onClose} disabled={running}>
          <IconX size={16} />
        </button>
      </header>
      {allPassed && (
        <div class="success-banner" role="status">
          <div class="success-text">
            <strong>Lab {lab.id} passed.</strong> Every check is green: your plugin built exactly what the lab asks for.
          </div>
          <div class="success-actions">
            <button type="button" class="btn btn-small" onClick={onSolution}>
              <IconCode size={14} /> Show solution
            </button>
            {next && (
              <a class="btn btn-small btn-primary" href={labHref(next.id)} title={`Lab ${next.id} · ${next.title}`}>
                Next: lab {next.id} <IconArrowRight size={14} />
              </a>
            )}
          </div>
        </div>
      )}
      {run.status === 'error' && (
        <div class="alert alert-error" role="alert">
          <p>
            <InlineText text={run.error ?? 'The checks failed.'} />
          </p>
          <button type="button" class="btn btn-small" onClick={onRetry}>
            Run the checks again
          </button>
        </div>
      )}
      <ol class="check-list">
        {rows.map((r) => (
          <Row key={r.id} id={r.id} title={r.title} result={run.results[r.id]} running={running} />
        ))}
      </ol>
    </section>
  );
}
