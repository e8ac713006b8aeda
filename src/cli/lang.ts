// The language of the CLI's messages to a person: --lang, then LC_ALL / LANG, else English.
// Set once before a command runs; --json and --junit keep ids and English field names whatever it is.
import { LangError, resolveLang, t, translator, type Lang, type MsgId, type Text } from '../i18n/index.ts';
import { errorText } from '../i18n/text.ts';

let current: Lang = 'en';

/** Resolves and remembers the language; a --lang we do not have is an error that lists the choices. */
export function setCliLang(flag: string | undefined, env: Record<string, string | undefined> = process.env): Lang {
  current = resolveLang(flag, env);
  return current;
}

export const cliLang = (): Lang => current;

/**
 * The --lang written on a command line (`--lang zh-CN` or `--lang=zh-CN`), up to a `--` after which
 * exec's command begins: for what is said before the line is parsed (the help, a refusal).
 */
export function langFlagOf(argv: readonly string[]): string | undefined {
  const own = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const i = own.findIndex((a) => a === '--lang' || a.startsWith('--lang='));
  if (i < 0) return undefined;
  return own[i]!.startsWith('--lang=') ? own[i]!.slice('--lang='.length) : own[i + 1];
}
export { LangError };

/** A message in the CLI's language: `cliT('cli.cluster.up', { cluster })`. */
export const cliT = (id: MsgId, params?: Record<string, Text>): string => translator(current)(id, params);

/** An error's message in the CLI's language (English when the error carries no catalogue message). */
export const cliErr = (err: unknown): string => t(current, errorText(err));
