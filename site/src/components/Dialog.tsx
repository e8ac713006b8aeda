// A modal built on <dialog>: focus is trapped by the browser, Escape closes it.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { IconX } from './Icons.tsx';
import { useT } from '../lib/lang.ts';

export function Dialog({
  open,
  onClose,
  title,
  children,
  footer,
  wide,
  labelledBy,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ComponentChildren;
  footer?: ComponentChildren;
  wide?: boolean;
  labelledBy?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const tr = useT();
  // An id of its own: a title in Chinese has no \w characters to make one from.
  const ownId = `dlg${useId()}`;
  const titleId = labelledBy ?? ownId;
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      class={`dialog${wide ? ' dialog-wide' : ''}`}
      aria-labelledby={titleId}
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      {open && (
        <div class="dialog-inner">
          <header class="dialog-head">
            <h2 id={titleId}>{title}</h2>
            <button type="button" class="icon-btn" aria-label={tr('dialog.close')} onClick={onClose}>
              <IconX size={18} />
            </button>
          </header>
          <div class="dialog-body">{children}</div>
          {footer && <footer class="dialog-foot">{footer}</footer>}
        </div>
      )}
    </dialog>
  );
}
