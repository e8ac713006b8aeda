// Hash routes: #/lab/04. (The token also arrives in the hash; token.ts removes it first.)
import { useEffect, useState } from 'preact/hooks';
import { withLang } from './lang.ts';

export type Route = { name: 'home' } | { name: 'lab'; id: string };

export function parseRoute(hash: string): Route {
  const m = /^#?\/lab\/([\w-]+)/.exec(hash);
  if (m?.[1]) return { name: 'lab', id: m[1] };
  return { name: 'home' };
}

export function labHref(id: string): string {
  return withLang(`#/lab/${id}`);
}

export function navigate(hash: string, replace = false): void {
  if (replace) {
    window.history.replaceState(window.history.state, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
