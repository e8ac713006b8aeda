// Which text of a lab a reader sees, and the note above it. Platform-free: the site decides with it
// (LabContent, from the pages its build found), and the unit tests with files on disk.
import type { Lang } from './index.ts';

/** missing: no page in the reader's language, the English one follows; stale: it translates an older English text. */
export type TranslationNote = 'missing' | 'stale';

/** The language of the page shown: the reader's when the lab has a page in it, else English (never an empty page). */
export function shownLang(lang: Lang, hasPage: (l: Lang) => boolean): Lang {
  return lang === 'en' || hasPage(lang) ? lang : 'en';
}

/**
 * The note above the page: none in English, none when the page translates this very English text
 * (`translatedSha` from its `export const translation`, `englishSha` of the English lab.mdx).
 */
export function translationNote(lang: Lang, shown: Lang, translatedSha: string | undefined, englishSha: string | undefined): TranslationNote | undefined {
  if (lang === 'en') return undefined;
  if (shown !== lang) return 'missing';
  return translatedSha !== undefined && translatedSha === englishSha ? undefined : 'stale';
}
