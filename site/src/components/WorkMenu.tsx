// The student's work when the engine keeps it (the page engine, in this browser): download it as
// one JSON file (for a teacher, or another browser), load such a file back, or start over.
import { useRef, useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import { errorMessage } from '../engine/errors.ts';
import { Dialog } from './Dialog.tsx';
import { IconAlert, IconSpinner, IconUndo } from './Icons.tsx';
import { InlineText } from './InlineText.tsx';
import { useT } from '../lib/lang.ts';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function WorkMenu() {
  const engine = useEngine();
  const work = engine.work;
  const [open, setOpen] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const tr = useT();
  if (!work) return null;

  const act = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const exportWork = () =>
    act(async () => {
      const text = await work.exportWork();
      download(`simplecni-lab-work-${new Date().toISOString().slice(0, 10)}.json`, text);
    });

  const importFile = (f: File | undefined) => {
    if (!f) return;
    void act(async () => {
      await work.importWork(await f.text());
      window.location.reload(); // every terminal and panel from the imported state
    });
  };

  const startOver = () =>
    act(async () => {
      await work.startOver();
      window.location.reload();
    });

  return (
    <>
      <button type="button" class="btn btn-small topbar-work" onClick={() => setOpen(true)} data-action="work" title={tr('work.buttonTitle')}>
        {tr('work.button')}
      </button>
      <Dialog
        open={open}
        onClose={() => !busy && (setOpen(false), setConfirm(false), setError(null))}
        title={tr('work.title')}
        footer={
          <button type="button" class="btn" onClick={() => (setOpen(false), setConfirm(false))} disabled={busy}>
            {tr('common.close')}
          </button>
        }
      >
        <p>{tr('work.kept')}</p>
        <div class="work-actions">
          <button type="button" class="btn btn-primary" onClick={exportWork} disabled={busy} data-action="export">
            {tr('work.export')}
          </button>
          <button type="button" class="btn" onClick={() => fileRef.current?.click()} disabled={busy} data-action="import">
            {tr('work.import')}
          </button>
          <input
            ref={fileRef}
            type="file"
            accept="application/json,.json"
            hidden
            data-import-file
            onChange={(e) => {
              importFile((e.currentTarget as HTMLInputElement).files?.[0]);
              (e.currentTarget as HTMLInputElement).value = '';
            }}
          />
          {!confirm ? (
            <button type="button" class="btn btn-danger" onClick={() => setConfirm(true)} disabled={busy} data-action="start-over">
              <IconUndo size={15} /> {tr('work.startOver')}
            </button>
          ) : (
            <span class="work-confirm">
              <span class="warn-text">
                <IconAlert size={15} /> {tr('work.startOverWarn')}
              </span>
              <button type="button" class="btn btn-danger" onClick={startOver} disabled={busy} data-action="confirm-start-over">
                {busy ? <IconSpinner size={15} /> : <IconUndo size={15} />} {tr('work.startOver')}
              </button>
            </span>
          )}
        </div>
        {error && (
          <div class="alert alert-error" role="alert">
            <InlineText text={error} />
          </div>
        )}
      </Dialog>
    </>
  );
}
