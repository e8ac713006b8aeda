// A traced ping, in words: the verdict, then every hop in order, grouped request / reply, each
// with where it happened, what kind of decision it was and the decision itself.
import { msg } from '../../../src/i18n/index.ts';
import type { ApiTrace, ApiTraceHop } from '../engine/types.ts';
import type { Direction } from '../lib/tracePath.ts';
import { IconCheck, IconChevron, IconX } from './Icons.tsx';
import { tx, txt } from '../lib/lang.ts';

export function StepBadge({ step }: { step: ApiTraceHop['step'] }) {
  return (
    <span class={`step-badge step-${step}`} title={tx(`trace.step.${step}`)}>
      {step}
    </span>
  );
}

const sameWords = (a: string, b: string) => a.toLowerCase().replace(/[^a-z ]/g, '').trim() === b.toLowerCase().replace(/[^a-z ]/g, '').trim();

export function TraceSummary({ trace }: { trace: ApiTrace }) {
  const verdict = trace.ok ? tx('trace.replyReceived') : tx('trace.dropped');
  return (
    <div class={`trace-summary ${trace.ok ? 'is-ok' : 'is-bad'}`} role="status" data-trace-ok={String(trace.ok)}>
      {trace.ok ? <IconCheck size={16} /> : <IconX size={16} />}
      <span>
        <strong>{verdict}</strong>
        <span class="trace-route">
          {' '}
          · {trace.from} → {trace.to}
          {trace.to !== trace.dst ? ` (${trace.dst})` : ''}
        </span>
        {!sameWords(trace.summary, trace.ok ? 'Reply received' : 'Dropped') && <span class="trace-summary-text">{txt(trace.msg ?? trace.summary)}</span>}
      </span>
    </div>
  );
}

/** Which direction the picture shows. */
export function DirectionSwitch({ trace, shown, onShow }: { trace: ApiTrace; shown: Direction; onShow: (d: Direction) => void }) {
  const count = (d: Direction) => trace.hops.filter((h) => h.direction === d).length;
  return (
    <div class="trace-dir" role="group" aria-label={tx('trace.showOnPicture')}>
      <span class="trace-dir-label">{tx('trace.onPicture')}</span>
      {(['request', 'reply'] as const).map((d) => (
        <button
          key={d}
          type="button"
          class={`seg-btn${shown === d ? ' is-on' : ''}`}
          aria-pressed={shown === d}
          disabled={count(d) === 0}
          onClick={() => onShow(d)}
          data-direction={d}
        >
          {tx(d === 'request' ? 'trace.dir.request' : 'trace.dir.reply')} <span class="seg-count">{count(d)}</span>
        </button>
      ))}
    </div>
  );
}

/** Walk the hops one by one next to the picture: previous / next, and the current hop in words. */
export function HopStepper({ trace, activeHop, onActive }: { trace: ApiTrace; activeHop: number | null; onActive: (i: number) => void }) {
  const n = trace.hops.length;
  const hop = activeHop === null ? undefined : trace.hops[activeHop];
  return (
    <div class="hop-stepper" data-active-hop={activeHop === null ? '' : activeHop + 1}>
      <button type="button" class="icon-btn" aria-label={tx('trace.prevHop')} title={tx('trace.prevHop')} disabled={n === 0 || activeHop === 0} onClick={() => onActive(activeHop === null ? 0 : activeHop - 1)}>
        <IconChevron size={15} class="chev-left" />
      </button>
      <button type="button" class="icon-btn" aria-label={tx('trace.nextHop')} title={tx('trace.nextHop')} disabled={n === 0 || activeHop === n - 1} onClick={() => onActive(activeHop === null ? 0 : activeHop + 1)}>
        <IconChevron size={15} class="chev-right" />
      </button>
      <div class="hop-stepper-text" aria-live="polite">
        {hop ? (
          <>
            <span class="hop-stepper-count">
              {tx('trace.hopOf', { direction: msg(hop.direction === 'request' ? 'trace.dir.request' : 'trace.dir.reply'), i: activeHop! + 1, n })}
            </span>
            <span class="hop-head">
              <span class="hop-where">{hop.where}</span>
              <StepBadge step={hop.step} />
              {hop.dev && <span class="hop-dev">{hop.dev}</span>}
              <span class="hop-detail">{txt(hop.msg ?? hop.detail)}</span>
            </span>
            {hop.outer && (
              <span class="hop-outer">
                <span class="hop-outer-label">{tx('trace.outer')}</span> {hop.outer}
              </span>
            )}
          </>
        ) : (
          <span class="muted">{tx('trace.stepThrough', { n })}</span>
        )}
      </div>
    </div>
  );
}

function HopRow({ hop, index, active, onActive }: { hop: ApiTraceHop; index: number; active: boolean; onActive: (i: number) => void }) {
  return (
    <li>
      <button
        type="button"
        class={`trace-hop${active ? ' is-active' : ''}${hop.step === 'drop' ? ' is-drop' : ''}`}
        data-hop={index + 1}
        data-step={hop.step}
        data-where={hop.where}
        aria-current={active ? 'step' : undefined}
        onFocus={() => onActive(index)}
        onClick={() => onActive(index)}
      >
        <span class="hop-num">{index + 1}</span>
        <span class="hop-main">
          <span class="hop-head">
            <span class="hop-where">{hop.where}</span>
            <StepBadge step={hop.step} />
            {hop.dev && <span class="hop-dev">{hop.dev}</span>}
          </span>
          <span class="hop-detail">{txt(hop.msg ?? hop.detail)}</span>
          {hop.outer && (
            <span class="hop-outer">
              <span class="hop-outer-label">{tx('trace.outer')}</span> {hop.outer}
            </span>
          )}
        </span>
      </button>
    </li>
  );
}

/** Up / Down / Home / End move between the hops (each is a button, so Tab works too). */
function onListKey(e: KeyboardEvent) {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(e.key)) return;
  const list = (e.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('.trace-hop');
  const all = [...list];
  const i = all.indexOf(document.activeElement as HTMLButtonElement);
  const next = e.key === 'Home' ? 0 : e.key === 'End' ? all.length - 1 : Math.max(0, Math.min(all.length - 1, i + (e.key === 'ArrowDown' ? 1 : -1)));
  all[next]?.focus();
  e.preventDefault();
}

export function TraceHops({ trace, activeHop, onActive }: { trace: ApiTrace; activeHop: number | null; onActive: (i: number) => void }) {
  const groups = (['request', 'reply'] as const)
    .map((d) => ({ d, hops: trace.hops.map((h, i) => ({ h, i })).filter(({ h }) => h.direction === d) }))
    .filter((g) => g.hops.length > 0);
  return (
    <div class="trace-hops" onKeyDown={onListKey}>
      {groups.map(({ d, hops }) => (
        <section key={d} class="trace-group" data-direction={d} aria-label={d === 'request' ? tx('trace.echoRequest') : tx('trace.wayBack')}>
          <h4 class="trace-group-title">
            {d === 'request' ? tx('trace.request', { from: trace.from, dst: trace.dst }) : tx('trace.reply', { from: trace.from })}
          </h4>
          <ol class="trace-hop-list">
            {hops.map(({ h, i }) => (
              <HopRow key={i} hop={h} index={i} active={activeHop === i} onActive={onActive} />
            ))}
          </ol>
        </section>
      ))}
      {groups.length === 0 && <p class="muted">{tx('trace.noHops')}</p>}
    </div>
  );
}
