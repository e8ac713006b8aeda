// `cnilab` typed in a node's shell: the kit runs on the student's machine, where it reaches every
// node; inside one node (its network and mount namespaces) its checks would look at the wrong
// kernel state and report false failures. Node shells set SIMPLECNI_NODE (their bashrc on netns,
// the sim driver's environment, /etc/profile.d on VMs), so one line says where to run it instead.

import { matchLang, resolveLang, t, msg, type Lang } from '../i18n/index.ts';
import { langFlagOf } from './lang.ts';

/** Arguments that only print text (help, version) and are fine anywhere. */
const HARMLESS = new Set(['-h', '--help', 'help', '-V', '--version']);

/** The one line to print, or undefined when cnilab may run here. */
export function insideNodeMessage(env: NodeJS.ProcessEnv, args: readonly string[]): string | undefined {
  const node = env.SIMPLECNI_NODE;
  if (!node || args.length === 0 || args.some((a) => HARMLESS.has(a))) return undefined;
  let lang: Lang;
  try {
    lang = resolveLang(langFlagOf(args), env);
  } catch {
    lang = matchLang(env.LC_ALL || env.LANG) ?? 'en';
  }
  return t(lang, msg('cli.insideNode', { node }));
}
