import { useState } from 'preact/hooks';
import type { ApiHints } from '../engine/types.ts';
import { InlineText } from './InlineText.tsx';
import { IconBulb, IconChevron } from './Icons.tsx';
import { useT } from '../lib/lang.ts';

export function HintsCard({ hints, total }: { hints: ApiHints; total: number }) {
  const [open, setOpen] = useState(true);
  const tr = useT();
  const shown = hints.hints.length;
  const all = Math.max(total, shown + hints.remaining);
  return (
    <section class="card hints-card" aria-labelledby="hints-title">
      <header class="card-head">
        <button type="button" class="card-toggle" aria-expanded={open} aria-controls="hints-list" onClick={() => setOpen(!open)}>
          <IconChevron size={15} class={`chev${open ? '' : ' is-closed'}`} />
          <IconBulb size={16} class="t-warn" />
          <span id="hints-title" class="card-title">
            {tr('hints.title')} <span class="card-meta">{tr('hints.shown', { shown, all })}</span>
          </span>
        </button>
      </header>
      {open && (
        <ol class="hint-list" id="hints-list">
          {hints.hints.map((h, i) => (
            <li key={i} class="hint" data-hint={i + 1}>
              <span class="hint-num" aria-hidden="true">
                {i + 1}
              </span>
              <p>
                <InlineText text={h} />
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
