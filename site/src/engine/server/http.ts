// The server engine's transport: the lab server's HTTP API (types from src/server/api.ts). Every call
// carries the token; every failure becomes an EngineError with a message a student can act on.
import type {
  ApiCheckDone,
  ApiCheckResult,
  ApiDone,
  ApiHints,
  ApiLabs,
  ApiShownHints,
  ApiSolution,
  ApiTopology,
  ApiTrace,
} from '../../../../src/server/api.ts';
import { getToken } from '../../lib/token.ts';
import { EngineError } from '../errors.ts';
import type { CheckEvent } from '../types.ts';

export type { TermClientMessage, TermServerMessage } from '../../../../src/server/api.ts';

type AuthListener = (err: EngineError) => void;
const authListeners = new Set<AuthListener>();

/** Called when the server refuses the token (401): the whole app switches to the "open the URL again" page. */
export function onAuthFailure(l: AuthListener): () => void {
  authListeners.add(l);
  return () => authListeners.delete(l);
}

function describe(status: number, path: string, serverMessage: string | undefined): EngineError {
  const said = serverMessage ? ` The server said: ${serverMessage}` : '';
  if (status === 401) {
    return new EngineError(
      'unauthorized',
      status,
      'The lab server did not accept this page’s access token. The token changes every time the server starts: open the URL that `npm start` printed again.',
      serverMessage,
    );
  }
  if (status === 403) {
    return new EngineError(
      'forbidden',
      status,
      `The lab server refused the request (403). Open the site at the exact address \`npm start\` printed (http://127.0.0.1:…), not through another host name or port.${said}`,
      serverMessage,
    );
  }
  if (status === 404) return new EngineError('not-found', status, serverMessage ?? `Not found: ${path}`, serverMessage);
  if (status === 409) return new EngineError('conflict', status, serverMessage ?? 'The lab server is busy with another operation. Try again in a moment.', serverMessage);
  if (status >= 500) {
    return new EngineError('server', status, serverMessage ? `The lab server failed: ${serverMessage}` : `The lab server failed (HTTP ${status}). Its terminal shows the details.`, serverMessage);
  }
  return new EngineError('bad-response', status, serverMessage ?? `Unexpected answer from the lab server (HTTP ${status}).`, serverMessage);
}

async function errorFrom(res: Response, path: string): Promise<EngineError> {
  let message: string | undefined;
  try {
    const text = (await res.text()).trim();
    if (text) {
      try {
        const body = JSON.parse(text) as { error?: unknown; message?: unknown };
        const m = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : undefined;
        message = m ?? text.slice(0, 300);
      } catch {
        message = text.slice(0, 300);
      }
    }
  } catch {
    /* no body */
  }
  const err = describe(res.status, path, message);
  if (err.kind === 'unauthorized') for (const l of authListeners) l(err);
  return err;
}

async function send(method: 'GET' | 'POST', path: string, signal?: AbortSignal): Promise<Response> {
  const token = getToken();
  if (!token) throw new EngineError('no-token', 0, 'This page has no access token: open the URL that `npm start` printed.');
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json, application/x-ndjson' },
      cache: 'no-store',
      credentials: 'omit',
      signal: signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw new EngineError('aborted', 0, 'Cancelled.');
    throw new EngineError(
      'network',
      0,
      `Cannot reach the lab server at ${window.location.host}. Is \`npm start\` still running in your terminal?`,
      e instanceof Error ? e.message : String(e),
    );
  }
  if (!res.ok) throw await errorFrom(res, path);
  return res;
}

async function json<T>(method: 'GET' | 'POST', path: string, signal?: AbortSignal): Promise<T> {
  const res = await send(method, path, signal);
  try {
    return (await res.json()) as T;
  } catch {
    throw new EngineError('bad-response', res.status, `The lab server sent something that is not JSON for ${path}.`);
  }
}

const lab = (id: string) => `/api/labs/${encodeURIComponent(id)}`;

/**
 * POST /api/labs/:id/check: NDJSON, one line per finished check then a `done` line.
 * Calls onEvent as each line arrives; resolves with the `done` line.
 */
async function check(id: string, onEvent: (e: CheckEvent) => void, signal?: AbortSignal): Promise<ApiCheckDone> {
  const res = await send('POST', `${lab(id)}/check`, signal);
  const results: ApiCheckResult[] = [];
  let done: ApiCheckDone | null = null;

  const handle = (line: string) => {
    const text = line.trim();
    if (!text) return;
    let msg: { type?: unknown; result?: ApiCheckResult; message?: unknown; error?: unknown; lab?: string; passed?: boolean; checks?: ApiCheckResult[] };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      throw new EngineError('bad-response', res.status, `The check stream sent a line that is not JSON: ${text.slice(0, 120)}`);
    }
    if (msg.type === 'check' && msg.result) {
      results.push(msg.result);
      onEvent({ type: 'check', result: msg.result });
    } else if (msg.type === 'done') {
      done = { type: 'done', lab: msg.lab ?? id, passed: !!msg.passed, checks: msg.checks ?? results };
      onEvent({ type: 'done', done });
    } else if (msg.type === 'error') {
      const m = typeof msg.message === 'string' ? msg.message : typeof msg.error === 'string' ? msg.error : 'the check failed';
      throw new EngineError('server', res.status, `The checks could not run: ${m}`, m);
    }
  };

  try {
    if (res.body) {
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buf += value;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          handle(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
        }
      }
      handle(buf);
    } else {
      for (const line of (await res.text()).split('\n')) handle(line);
    }
  } catch (e) {
    if (e instanceof EngineError) throw e;
    if (e instanceof DOMException && e.name === 'AbortError') throw new EngineError('aborted', 0, 'Cancelled.');
    throw new EngineError('network', 0, 'The connection to the lab server broke while the checks were running. Run them again.', String(e));
  }
  if (!done) {
    throw new EngineError('bad-response', res.status, `The check stream ended before its last line (${results.length} check(s) received). Run the checks again.`);
  }
  return done;
}

export const api = {
  labs: (signal?: AbortSignal) => json<ApiLabs>('GET', '/api/labs', signal),
  topology: (signal?: AbortSignal) => json<ApiTopology>('GET', '/api/topology', signal),
  /** GET /api/trace: a ping from a node or pod to a node, pod or address, followed hop by hop. */
  trace: (from: string, to: string, signal?: AbortSignal) =>
    json<ApiTrace>('GET', `/api/trace?${new URLSearchParams({ from, to }).toString()}`, signal),
  hints: (id: string) => json<ApiShownHints>('GET', `${lab(id)}/hints`),
  nextHint: (id: string) => json<ApiHints>('POST', `${lab(id)}/hint`),
  solution: (id: string) => json<ApiSolution>('GET', `${lab(id)}/solution`),
  reset: (id: string) => json<ApiDone>('POST', `${lab(id)}/reset`),
  solve: (id: string) => json<ApiDone>('POST', `${lab(id)}/solve`),
  check,
};

/** The terminal WebSocket URL for a node, same origin as the page. */
export function termUrl(node: string): string {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/api/term?node=${encodeURIComponent(node)}`;
}
