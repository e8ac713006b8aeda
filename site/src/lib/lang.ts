// The site's language: a lab URL's `?lang=` first (links carry it), then the student's last choice
// (localStorage), then the browser's language on a first visit. Sets <html lang> as it changes.
import { useEffect, useState } from 'preact/hooks';
import { LANGS, matchLang, t, translator, type Lang, type MsgId, type Text } from '../../../src/i18n/index.ts';
import { readStored, writeStored } from './storage.ts';

const KEY = 'simplecni.lang';
const listeners = new Set<(l: Lang) => void>();

/** The `lang` parameter of a hash route (`#/lab/04?lang=zh-CN`), when it names a language we have. */
export function langInHash(hash: string): Lang | undefined {
  const q = hash.split('?')[1];
  const v = q ? new URLSearchParams(q).get('lang') : null;
  return v && (LANGS as readonly string[]).includes(v) ? (v as Lang) : undefined;
}

function initial(): Lang {
  const fromUrl = langInHash(window.location.hash);
  if (fromUrl) return fromUrl;
  const stored = readStored('local', KEY);
  if (stored && (LANGS as readonly string[]).includes(stored)) return stored as Lang;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const l = matchLang(tag);
    if (l) return l;
  }
  return 'en';
}

let current: Lang = initial();
document.documentElement.lang = current;

export const currentLang = (): Lang => current;

/** Switches the language: remembered for the next visit, and written into the current URL. */
export function setLang(l: Lang): void {
  writeStored('local', KEY, l);
  if (l === current) return;
  current = l;
  document.documentElement.lang = l;
  const [path] = window.location.hash.split('?');
  if (path && path !== '#') window.history.replaceState(window.history.state, '', withLang(path, l));
  for (const f of listeners) f(l);
}

/** A hash route with the language on it (English, the default, leaves the URL as it was). */
export function withLang(hashPath: string, l: Lang = current): string {
  return l === 'en' ? hashPath : `${hashPath}?lang=${l}`;
}

// A link followed with another language in it (a shared URL) switches to it.
window.addEventListener('hashchange', () => {
  const l = langInHash(window.location.hash);
  if (l && l !== current) setLang(l);
});

/** The current language, re-rendering the component when it changes. */
export function useLang(): Lang {
  const [l, set] = useState(current);
  useEffect(() => {
    listeners.add(set);
    set(current);
    return () => void listeners.delete(set);
  }, []);
  return l;
}

/** The translator for the current language: `tr('lab.check')`, `tr('lab.badge', { id })`. */
export function useT(): (id: MsgId, params?: Record<string, Text>) => string {
  return translator(useLang());
}

/**
 * The same outside a component's hooks (drawing code, helpers): reads the current language when
 * called; the tree re-renders on a switch because App follows useLang().
 */
export const tx = (id: MsgId, params?: Record<string, Text>): string => translator(current)(id, params);

/** A text an engine sent (a message, or literal text) in the current language. */
export const txt = (text: Text): string => t(current, text);
