// Whole-page states: no token, a token the server refused, the server unreachable.
import type { ComponentChildren } from 'preact';
import { useT } from '../lib/lang.ts';
import { InlineText } from './InlineText.tsx';
import { Parts, slot } from './Parts.tsx';
import { IconAlert, IconKey } from './Icons.tsx';

function Brand() {
  return (
    <div class="brand brand-page">
      <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={28} height={28} />
      <span>SimpleCNI Lab</span>
    </div>
  );
}

export function FullPage({ children, tone }: { children: ComponentChildren; tone?: 'error' }) {
  return (
    <main class="fullpage">
      <div class={`fullpage-card${tone === 'error' ? ' is-error' : ''}`}>
        <Brand />
        {children}
      </div>
    </main>
  );
}

export function NoTokenPage({ refused }: { refused?: boolean }) {
  const port = window.location.port || (window.location.protocol === 'https:' ? '443' : '80');
  const urlSample = `http://127.0.0.1:${port}/#token=…`; // an address, the same in every language
  const tr = useT();
  return (
    <FullPage>
      <div class="fullpage-icon">
        <IconKey size={26} />
      </div>
      <h1>{tr(refused ? 'token.refusedTitle' : 'token.missingTitle')}</h1>
      <p>{tr(refused ? 'token.refusedText' : 'token.missingText')}</p>
      <ol class="steps">
        <li>
          <Parts text={tr('token.stepTerminal', { command: slot(0) })} codes={['npm start']} />
        </li>
        <li>
          {tr('token.stepOpen')}
          <code class="url-sample">{urlSample}</code>
        </li>
      </ol>
      <p class="muted small">{tr('token.stays')}</p>
    </FullPage>
  );
}

export function ErrorPage({ title, message, onRetry }: { title: string; message: string; onRetry?: () => void }) {
  const tr = useT();
  return (
    <FullPage tone="error">
      <div class="fullpage-icon is-error">
        <IconAlert size={26} />
      </div>
      <h1>{title}</h1>
      <p>
        <InlineText text={message} />
      </p>
      {onRetry && (
        <p>
          <button type="button" class="btn btn-primary" onClick={onRetry}>
            {tr('common.tryAgain')}
          </button>
        </p>
      )}
    </FullPage>
  );
}
