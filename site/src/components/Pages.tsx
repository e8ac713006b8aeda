// Whole-page states: no token, a token the server refused, the server unreachable.
import type { ComponentChildren } from 'preact';
import { InlineText } from './InlineText.tsx';
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
  return (
    <FullPage>
      <div class="fullpage-icon">
        <IconKey size={26} />
      </div>
      <h1>{refused ? 'This page’s access token is no longer valid' : 'Open the lab from the URL the server printed'}</h1>
      <p>
        {refused
          ? 'The lab server did not accept the token this tab was opened with. The server makes a new token every time it starts, so this usually means it was restarted.'
          : 'The lab server only answers pages that carry its access token. The token is part of the address it printed when it started.'}
      </p>
      <ol class="steps">
        <li>
          Go to the terminal where you ran <code>npm start</code>.
        </li>
        <li>
          Open the URL it printed, which looks like
          <code class="url-sample">
            http://127.0.0.1:{port}/#token=…
          </code>
        </li>
      </ol>
      <p class="muted small">
        The token stays in this tab only and is never sent in the address to the server. Closing the tab forgets it.
      </p>
    </FullPage>
  );
}

export function ErrorPage({ title, message, onRetry }: { title: string; message: string; onRetry?: () => void }) {
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
            Try again
          </button>
        </p>
      )}
    </FullPage>
  );
}
