// Light / dark theme: remembered in localStorage, default from prefers-color-scheme.
import { useEffect, useState } from 'preact/hooks';
import { readStored, writeStored } from './storage.ts';

export type Theme = 'light' | 'dark';
const KEY = 'cnilab.theme';

function systemTheme(): Theme {
  try {
    return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  } catch {
    return 'light';
  }
}

export function storedTheme(): Theme | null {
  const t = readStored('local', KEY);
  return t === 'light' || t === 'dark' ? t : null;
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  document.documentElement.style.colorScheme = theme;
}

export function initialTheme(): Theme {
  return storedTheme() ?? systemTheme();
}

type Listener = (t: Theme) => void;
const listeners = new Set<Listener>();
let currentTheme: Theme = 'light';

export function getTheme(): Theme {
  return currentTheme;
}

export function setTheme(theme: Theme, remember: boolean): void {
  currentTheme = theme;
  applyTheme(theme);
  if (remember) writeStored('local', KEY, theme);
  for (const l of listeners) l(theme);
}

export function onThemeChange(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function initTheme(): void {
  setTheme(initialTheme(), false);
  try {
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      if (!storedTheme()) setTheme(systemTheme(), false);
    });
  } catch {
    /* old browsers */
  }
}

export function useTheme(): [Theme, (t: Theme) => void] {
  const [theme, set] = useState<Theme>(getTheme());
  useEffect(() => onThemeChange(set), []);
  return [theme, (t: Theme) => setTheme(t, true)];
}
