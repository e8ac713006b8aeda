// Where the labs run right now: "lab server" or "in this tab: simulated kernel", with the ways to
// a real kernel one click away.
import { useState } from 'preact/hooks';
import { useEngine } from '../engine/context.tsx';
import { Dialog } from './Dialog.tsx';
import { t } from '../../../src/i18n/index.ts';
import { useLang, useT } from '../lib/lang.ts';
import { Parts, slot } from './Parts.tsx';

const REPO_DOCS = 'README.md';

export function EngineBadge() {
  const engine = useEngine();
  const [open, setOpen] = useState(false);
  const { info } = engine;
  const lang = useLang();
  const tr = useT();
  return (
    <>
      <button
        type="button"
        class={`chip chip-engine engine-${info.kind}`}
        data-engine={info.kind}
        onClick={() => setOpen(true)}
        title={t(lang, info.description)}
      >
        <span>
          {t(lang, info.label)}
          <span class="hide-narrow">
            {tr('engine.kernelSep')}
            {t(lang, info.kernel)}
          </span>
        </span>
      </button>
      <Dialog open={open} onClose={() => setOpen(false)} title={tr('engine.where')}>
        <p>{t(lang, info.description)}</p>
        {info.kind === 'page' ? (
          <>
            <p>{tr('engine.page.everything')}</p>
            <p>{tr('engine.page.realKernel')}</p>
            <ul>
              <li>
                <Parts text={tr('engine.page.netns', { command: slot(0) })} codes={['npm start']} />
              </li>
              <li>
                <Parts text={tr('engine.page.vms', { up: slot(0), start: slot(1) })} codes={['npx cnilab cluster up --backend vagrant', 'npm start']} />
              </li>
            </ul>
            <p class="muted">{tr('engine.page.seeDocs', { docs: REPO_DOCS })}</p>
          </>
        ) : info.details ? (
          info.details.map((d, i) => <p key={i}>{t(lang, d)}</p>)
        ) : (
          <p class="muted">{tr('engine.server.details')}</p>
        )}
      </Dialog>
    </>
  );
}
