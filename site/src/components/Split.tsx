// Two panes with a draggable (and keyboard-movable) separator. The first pane's share is
// remembered in localStorage. Until the user moves it, the share follows the width: the second
// pane gets at least `secondMinPx` (e.g. room for an 80-column terminal) while the first keeps
// `firstMinPx`. Below the CSS breakpoint the panes stack and the separator hides.
import { tx } from '../lib/lang.ts';
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
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
  firstMinPx,
  secondMinPx,
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
  firstMinPx?: number;
  secondMinPx?: number;
  class?: string;
}) {
  const key = `cnilab.split.${id}`;
  const clamp = (r: number) => Math.min(max, Math.max(min, r));
  const stored = (): number | null => {
    const raw = readStored('local', key);
    const v = raw === null ? NaN : Number(raw);
    return Number.isFinite(v) && v >= min && v <= max ? v : null;
  };
  /** The share before the user chose one, for a box `w` pixels long. */
  const auto = (w: number) => {
    let r = initial;
    if (w > 0 && secondMinPx) r = Math.min(r, 1 - secondMinPx / w);
    if (w > 0 && firstMinPx) r = Math.max(r, firstMinPx / w);
    return clamp(r);
  };
  const [ratio, setRatio] = useState<number>(() => stored() ?? initial);
  const [dragging, setDragging] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  // Follow the box's size while the share is not the user's.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || (!firstMinPx && !secondMinPx)) return;
    const size = () => (direction === 'row' ? el.clientWidth : el.clientHeight);
    const follow = () => {
      if (stored() === null) setRatio(auto(size()));
    };
    follow();
    const ro = new ResizeObserver(follow);
    ro.observe(el);
    return () => ro.disconnect();
  }, [firstMinPx, secondMinPx, direction]);

  const commit = (r: number) => {
    const v = clamp(r);
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
          onDblClick={() => {
            writeStored('local', key, null);
            setRatio(auto(direction === 'row' ? (box.current?.clientWidth ?? 0) : (box.current?.clientHeight ?? 0)));
          }}
          title={tx('split.title')}
        />
      )}
      <div class="split-pane split-second">{second}</div>
    </div>
  );
}
