// What a check is: a look at a cluster's final state, answering pass/fail with expected vs found,
// and a hint that teaches without handing over a command to paste.
import type { NodeDriver } from '../cluster/driver.ts';
import type { CniRuntime } from '../runtime/cniRuntime.ts';
import type { Pods } from '../runtime/pods.ts';
import { isMsg, t, type Text } from '../i18n/index.ts';

export interface Verdict {
  passed: boolean;
  expected: string;
  found: string;
  /** Shown when the check fails: where to look, not what to type. */
  hint: string;
  /** The same three texts as catalogue messages, when the check gave them so (for other languages). */
  msg?: VerdictText;
}

/** What a check says, as messages (src/i18n) or literal text; the English strings are made from it. */
export interface VerdictText {
  expected: Text;
  found: Text;
  hint: Text;
}

export interface CheckResult extends Verdict {
  id: string;
  title: string;
}

export interface CheckContext {
  driver: NodeDriver;
  runtime: CniRuntime;
  pods: Pods;
  /** The cluster's current data-plane mode. */
  mode: string;
}

export type CheckFn = (ctx: CheckContext) => Promise<Verdict>;

function verdict(passed: boolean, text: VerdictText): Verdict {
  const english: Verdict = { passed, expected: t('en', text.expected), found: t('en', text.found), hint: t('en', text.hint) };
  return isMsg(text.expected) || isMsg(text.found) || isMsg(text.hint) ? { ...english, msg: text } : english;
}
export const pass = (expected: Text, found: Text = expected): Verdict => verdict(true, { expected, found, hint: '' });
export const fail = (expected: Text, found: Text, hint: Text): Verdict => verdict(false, { expected, found, hint });
