// A check result in a language: the title from the lab texts, expected/found/hint from the messages
// the check gave (a check that still gives plain English shows it as it is). Ids never change.
import type { CheckResult } from '../validators/types.ts';
import { t, type Lang } from './index.ts';
import { checkTitle } from './labs.ts';

/** The result in `lang`, without its `msg` field: the shape --json and JUnit always had. */
export function localizeCheck(labId: string, r: CheckResult, lang: Lang): CheckResult {
  const { msg, ...plain } = r;
  if (lang === 'en') return plain;
  return {
    ...plain,
    title: checkTitle(labId, r.id, r.title, lang),
    ...(msg ? { expected: t(lang, msg.expected), found: t(lang, msg.found), hint: t(lang, msg.hint) } : {}),
  };
}
