// What a person reads, as data: a message id with parameters, a list, or literal text; and its
// rendering with one catalogue. Kept apart from index.ts so code that only ever speaks English
// (the simulated kernel's trace, bundled into the node-side programs) carries the English
// catalogue alone, not every language.
import { en, type MsgId } from './en.ts';

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
export type ListSep = 'comma' | 'semi';
/** What a check or a command says to a person: a message, or literal text (names, machine output). */
export type Text = string | number | Msg | TextList;

export const msg = (id: MsgId, params?: Record<string, Text>): Msg => (params ? { id, params } : { id });
export const list = (items: Text[], sep?: ListSep): TextList => (sep ? { list: items, sep } : { list: items });
export const isMsg = (t: unknown): t is Msg | TextList => typeof t === 'object' && t !== null && (typeof (t as Msg).id === 'string' || Array.isArray((t as TextList).list));

/** The text with one catalogue; unknown `{names}` stay visible so a wrong parameter is noticed, not hidden. */
export function render(catalogue: Partial<Record<MsgId, string>>, separators: Record<ListSep, string>, text: Text): string {
  if (!isMsg(text)) return String(text);
  if ('list' in text) return text.list.map((x) => render(catalogue, separators, x)).join(separators[text.sep ?? 'comma']);
  const template = catalogue[text.id] ?? en[text.id] ?? text.id;
  const params = text.params ?? {};
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? render(catalogue, separators, params[name]!) : whole));
}

export const EN_SEPARATORS: Record<ListSep, string> = { comma: ', ', semi: '; ' };

/** The text in English. */
export const english = (text: Text): string => render(en, EN_SEPARATORS, text);

/** The same text with every literal part passed through `f` (names rewritten, say); message ids stay. */
export function mapLiterals(text: Text, f: (s: string) => string): Text {
  if (typeof text === 'string') return f(text);
  if (typeof text === 'number') return text;
  if ('list' in text) return { ...text, list: text.list.map((x) => mapLiterals(x, f)) };
  if (!text.params) return text;
  return { id: text.id, params: Object.fromEntries(Object.entries(text.params).map(([k, v]) => [k, mapLiterals(v, f)])) };
}

/**
 * An error a person reads: `message` stays the English (logs, --json, tests match it); `text` says
 * the same in any language, for whoever prints it. A plain string is literal text.
 */
export class TextError extends Error {
  constructor(readonly text: Text) {
    super(english(text));
  }
}

/** What an error says as text: its catalogue message when it carries one, else its message. */
export function errorText(err: unknown): Text {
  if (err instanceof Error && 'text' in err) {
    const text = (err as { text: unknown }).text;
    if (typeof text === 'string' || isMsg(text)) return text;
  }
  return err instanceof Error ? err.message : String(err);
}
