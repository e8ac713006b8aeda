// The per-run token: the lab server prints http://127.0.0.1:PORT/#token=XYZ. We read it from the
// fragment, keep it in sessionStorage (this tab only) and take it out of the address bar.
import { readStored, writeStored } from './storage.ts';

const KEY = 'cnilab.token';
let current: string | null = null;

/** Takes `token=…` out of a hash such as `#token=X`, `#/lab/04?token=X` or `#/lab/04&token=X`. */
export function splitTokenFromHash(hash: string): { token: string | null; rest: string } {
  const h = hash.replace(/^#/, '');
  const m = /(^|[&?])token=([^&]*)/.exec(h);
  if (!m) return { token: null, rest: h };
  let token: string | null = m[2] ?? '';
  try {
    token = decodeURIComponent(token);
  } catch {
    /* keep it raw */
  }
  const before = h.slice(0, m.index);
  const after = h.slice(m.index + m[0].length);
  let rest = before + (after.startsWith('&') && before === '' ? after.slice(1) : after);
  rest = rest.replace(/[?&]$/, '').replace(/\?&/, '?');
  return { token: token === '' ? null : token, rest };
}

/** Called once at start-up, before anything reads location.hash. */
export function initToken(): string | null {
  const { token, rest } = splitTokenFromHash(window.location.hash);
  if (token !== null) {
    writeStored('session', KEY, token);
    const url = window.location.pathname + window.location.search + (rest ? `#${rest}` : '');
    window.history.replaceState(window.history.state, '', url);
    current = token;
  } else {
    current = readStored('session', KEY);
  }
  return current;
}

export function getToken(): string | null {
  return current;
}

export function forgetToken(): void {
  current = null;
  writeStored('session', KEY, null);
}
