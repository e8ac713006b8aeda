// Messages for people, in English or Simplified Chinese. en.ts is the source of truth; every other
// catalogue is typed against it, so a missing key fails the type-check. Plain data plus ~30 lines of
// lookup and `{param}` interpolation: no i18n library is needed for that (see README, design choices).
import { en, type MsgId } from './en.ts';
import { zhCN } from './zh-CN.ts';
import { EN_SEPARATORS, msg, render, type ListSep, type Text } from './text.ts';

export type { MsgId } from './en.ts';
export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];

const CATALOGUES: Record<Lang, Record<MsgId, string>> = { en, 'zh-CN': zhCN };

export { isMsg, list, mapLiterals, msg, type Msg, type Text, type TextList } from './text.ts';
const LIST_SEPARATOR: Record<Lang, Record<ListSep, string>> = { en: EN_SEPARATORS, 'zh-CN': { comma: '，', semi: '；' } };

/** The text in a language; unknown `{names}` stay visible so a wrong parameter is noticed, not hidden. */
export function t(lang: Lang, text: Text): string {
  return render(CATALOGUES[lang], LIST_SEPARATOR[lang], text);
}

/** A translator bound to a language: `tr('check.expected')`, `tr('lab.passed', { id })`. */
export const translator = (lang: Lang) => (id: MsgId, params?: Record<string, Text>) => t(lang, msg(id, params));

/** A language tag as a supported language: zh, zh-CN, zh_CN.UTF-8, zh-Hans → zh-CN; the rest → undefined. */
export function matchLang(tag: string | undefined | null): Lang | undefined {
  if (!tag) return undefined;
  const norm = tag.trim().replace(/_/g, '-').split('.')[0]!.toLowerCase();
  if (norm === 'c' || norm === 'posix' || norm === '') return undefined;
  if (norm === 'zh' || norm.startsWith('zh-cn') || norm.startsWith('zh-hans') || norm.startsWith('zh-sg')) return 'zh-CN';
  if (norm === 'en' || norm.startsWith('en-')) return 'en';
  return undefined;
}

export class LangError extends Error {}

/**
 * The CLI's language: --lang first (it must be one we have), then LC_ALL, then LANG (as a locale
 * says it: zh_CN.UTF-8), else English.
 */
export function resolveLang(flag: string | undefined, env: Record<string, string | undefined>): Lang {
  if (flag !== undefined) {
    const l = (LANGS as readonly string[]).includes(flag) ? (flag as Lang) : undefined;
    if (!l) throw new LangError(`unknown language "${flag}": use ${LANGS.join(' or ')}`);
    return l;
  }
  for (const v of [env.LC_ALL, env.LANG]) {
    if (!v) continue;
    return matchLang(v) ?? 'en'; // the first one set decides, as for every program that reads the locale
  }
  return 'en';
}
