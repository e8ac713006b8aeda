// Two panes with a draggable (and keyboard-movable) separator. The first pane's share is
// remembered in localStorage. Below the CSS breakpoint the panes stack and the separator hides.
import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { readStored, writeStored } from '../lib/storage.ts';

export function Split({
  id,
  direction,
  initial,
  min = 0.2,
  max = 0.8,
  first,
  second,
  label,
  collapsedFirst,
  class: cls,
}: {
  id: string;
  direction: 'row' | 'column';
  initial: number;
  min?: number;
  max?: number;
  first: ComponentChildren;
  second: ComponentChildren;
  label: string;
  collapsedFirst?: boolean;
  class?: string;
}) {
  const key = `cnilab.split.${id}`;
  const [ratio, setRatio] = useState<number>(() => {
    const v = Number(readStored('local', key));
    return Number.isFinite(v) && v >= min && v <= max ? v : initial;
  });
  const [dragging, setDragging] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  const commit = (r: number) => {
    const v = Math.min(max, Math.max(min, r));
    setRatio(v);
    writeStored('local', key, v.toFixed(4));
  };

  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    const el = box.current;
    if (!el) return;
    e.preventDefault();
    const target = e.currentTarget as HTMLElement;
    target.setPointerCapture(e.pointerId);
    setDragging(true);
    const rect = el.getBoundingClientRect();
    const move = (ev: PointerEvent) => {
      const r = direction === 'row' ? (ev.clientX - rect.left) / rect.width : (ev.clientY - rect.top) / rect.height;
      commit(r);
    };
    const up = () => {
      setDragging(false);
      target.removeEventListener('pointermove', move);
      target.removeEventListener('pointerup', up);
      target.removeEventListener('pointercancel', up);
    };
    target.addEventListener('pointermove', move);
    target.addEventListener('pointerup', up);
    target.addEventListener('pointercancel', up);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const step = e.shiftKey ? 0.1 : 0.02;
    const dec = direction === 'row' ? 'ArrowLeft' : 'ArrowUp';
    const inc = direction === 'row' ? 'ArrowRight' : 'ArrowDown';
    if (e.key === dec) commit(ratio - step);
    else if (e.key === inc) commit(ratio + step);
    else if (e.key === 'Home') commit(min);
    else if (e.key === 'End') commit(max);
    else return;
    e.preventDefault();
  };

  const pct = `${(ratio * 100).toFixed(2)}%`;
  return (
    <div
      ref={box}
      class={`split split-${direction}${dragging ? ' is-dragging' : ''}${collapsedFirst ? ' is-first-collapsed' : ''}${cls ? ` ${cls}` : ''}`}
      style={{ '--split': pct } as Record<string, string>}
    >
      <div class="split-pane split-first">{first}</div>
      {!collapsedFirst && (
        <div
          class="split-handle"
          role="separator"
          tabIndex={0}
          aria-orientation={direction === 'row' ? 'vertical' : 'horizontal'}
          aria-label={label}
          aria-valuemin={Math.round(min * 100)}
          aria-valuemax={Math.round(max * 100)}
          aria-valuenow={Math.round(ratio * 100)}
          onPointerDown={onPointerDown}
          onKeyDown={onKeyDown}
          onDblClick={() => commit(initial)}
          title="Drag to resize (double-click to reset)"
        />
      )}
      <div class="split-pane split-second">{second}</div>
    </div>
  );
}
