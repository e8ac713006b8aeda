// Messages for people, in English or Simplified Chinese. en.ts is the source of truth; every other
// catalogue is typed against it, so a missing key fails the type-check. Plain data plus ~30 lines of
// lookup and `{param}` interpolation: no i18n library is needed for that (see README, design choices).
import { en, type MsgId } from './en.ts';
import { zhCN } from './zh-CN.ts';

export type { MsgId } from './en.ts';
export const LANGS = ['en', 'zh-CN'] as const;
export type Lang = (typeof LANGS)[number];

const CATALOGUES: Record<Lang, Record<MsgId, string>> = { en, 'zh-CN': zhCN };

/** A message by id with its parameters; parameters may be messages themselves (e.g. "up"/"down"). */
export interface Msg {
  id: MsgId;
  params?: Record<string, Text>;
}
/** Several texts in a row, joined the way the language lists things ("a, b" / "a，b"). */
export interface TextList {
  list: Text[];
  /** 'semi' for items that have commas of their own ("a; b" / "a；b"). */
  sep?: ListSep;
}
type ListSep = 'comma' | 'semi';
/** What a check or a command says to a person: a message, or literal text (names, machine output). */
export type Text = string | number | Msg | TextList;

export const msg = (id: MsgId, params?: Record<string, Text>): Msg => (params ? { id, params } : { id });
export const list = (items: Text[], sep?: ListSep): TextList => (sep ? { list: items, sep } : { list: items });
export const isMsg = (t: unknown): t is Msg | TextList => typeof t === 'object' && t !== null && (typeof (t as Msg).id === 'string' || Array.isArray((t as TextList).list));
const LIST_SEPARATOR: Record<ListSep, Record<Lang, string>> = { comma: { en: ', ', 'zh-CN': '，' }, semi: { en: '; ', 'zh-CN': '；' } };

/** The text in a language; unknown `{names}` stay visible so a wrong parameter is noticed, not hidden. */
export function t(lang: Lang, text: Text): string {
  if (!isMsg(text)) return String(text);
  if ('list' in text) return text.list.map((x) => t(lang, x)).join(LIST_SEPARATOR[text.sep ?? 'comma'][lang]);
  const template = CATALOGUES[lang][text.id] ?? en[text.id] ?? text.id;
  const params = text.params ?? {};
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? t(lang, params[name]!) : whole));
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
