// The server engine's transport: the lab server's HTTP API (types from src/server/api.ts). Every call
// carries the token; every failure becomes an EngineError with a message a student can act on.
import { currentLang, tx } from '../../lib/lang.ts';
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
  const said = serverMessage ? tx('server.said', { message: serverMessage }) : '';
  if (status === 401) {
    return new EngineError(
      'unauthorized',
      status,
      tx('server.unauthorized'),
      serverMessage,
    );
  }
  if (status === 403) {
    return new EngineError(
      'forbidden',
      status,
      tx('server.forbidden') + said,
      serverMessage,
    );
  }
  if (status === 404) return new EngineError('not-found', status, serverMessage ?? tx('server.notFound', { path }), serverMessage);
  if (status === 409) return new EngineError('conflict', status, serverMessage ?? tx('server.busy'), serverMessage);
  if (status >= 500) {
    return new EngineError('server', status, serverMessage ? tx('server.failed', { message: serverMessage }) : tx('server.failedStatus', { status }), serverMessage);
  }
  return new EngineError('bad-response', status, serverMessage ?? tx('server.unexpected', { status }), serverMessage);
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
  if (!token) throw new EngineError('no-token', 0, tx('server.noToken'));
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      // The page's language, for the server's few sentences of its own (why a reset or a trace could not be done).
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json, application/x-ndjson', 'Accept-Language': currentLang() },
      cache: 'no-store',
      credentials: 'omit',
      signal: signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw new EngineError('aborted', 0, tx('common.cancelled'));
    throw new EngineError(
      'network',
      0,
      tx('server.unreachable', { host: window.location.host }),
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
    throw new EngineError('bad-response', res.status, tx('server.notJson', { path }));
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
      throw new EngineError('bad-response', res.status, tx('server.streamNotJson', { line: text.slice(0, 120) }));
    }
    if (msg.type === 'check' && msg.result) {
      results.push(msg.result);
      onEvent({ type: 'check', result: msg.result });
    } else if (msg.type === 'done') {
      done = { type: 'done', lab: msg.lab ?? id, passed: !!msg.passed, checks: msg.checks ?? results };
      onEvent({ type: 'done', done });
    } else if (msg.type === 'error') {
      const m = typeof msg.message === 'string' ? msg.message : typeof msg.error === 'string' ? msg.error : 'the check failed';
      throw new EngineError('server', res.status, tx('server.checksFailed', { message: m }), m);
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
    if (e instanceof DOMException && e.name === 'AbortError') throw new EngineError('aborted', 0, tx('common.cancelled'));
    throw new EngineError('network', 0, tx('server.streamBroke'), String(e));
  }
  if (!done) {
    throw new EngineError('bad-response', res.status, tx('server.streamEnded', { n: results.length }));
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
