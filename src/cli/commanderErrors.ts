// commander's own error lines (unknown option, missing argument…) as catalogue messages. commander
// writes them in English only; they are read back here by their fixed wording, so the names, flags
// and values inside stay exactly as typed. English output keeps commander's text untouched.
import { msg, type Text } from '../i18n/text.ts';

const SUGGESTION = /\n\(Did you mean (one of )?(.+)\?\)$/;

/** The suggestion commander appends ("(Did you mean cluster?)"), and the line without it. */
function splitSuggestion(line: string): [string, Text | undefined] {
  const m = SUGGESTION.exec(line);
  if (!m) return [line, undefined];
  return [line.slice(0, m.index), m[1] ? msg('cmdr.didYouMeanOneOf', { names: m[2]! }) : msg('cmdr.didYouMean', { name: m[2]! })];
}

const FORMS: [RegExp, (m: RegExpExecArray) => Text][] = [
  [/^error: unknown option '(.+)'$/s, (m) => msg('cmdr.unknownOption', { option: m[1]! })],
  [/^error: unknown command '(.+)'$/s, (m) => msg('cmdr.unknownCommand', { command: m[1]! })],
  [/^error: missing required argument '(.+)'$/s, (m) => msg('cmdr.missingArgument', { name: m[1]! })],
  [/^error: option '(.+)' argument missing$/s, (m) => msg('cmdr.optionArgumentMissing', { option: m[1]! })],
  [/^error: required option '(.+)' not specified$/s, (m) => msg('cmdr.requiredOption', { option: m[1]! })],
  [/^error: option '(.+)' argument '(.*)' is invalid\. Allowed choices are (.+)\.$/s, (m) => msg('cmdr.invalidChoice', { option: m[1]!, value: m[2]!, choices: m[3]! })],
  [/^error: too many arguments for '(.+)'\. Expected (\d+) arguments? but got (\d+)\.$/s, (m) => msg('cmdr.tooManyFor', { command: m[1]!, expected: Number(m[2]), got: Number(m[3]) })],
  [/^error: too many arguments\. Expected (\d+) arguments? but got (\d+)\.$/s, (m) => msg('cmdr.tooMany', { expected: Number(m[1]), got: Number(m[2]) })],
  // Anything else commander (or a command, through .error()) says: at least its "error:" in the language.
  [/^error: (.+)$/s, (m) => msg('cmdr.error', { error: m[1]! })],
];

/** commander's error text (one line, maybe a suggestion line) as a message; text it does not know stays literal. */
export function commanderErrorText(text: string): Text {
  const [line, suggestion] = splitSuggestion(text.replace(/\n$/, ''));
  for (const [re, make] of FORMS) {
    const m = re.exec(line);
    if (m) {
      const main = make(m);
      return suggestion ? msg('cmdr.withSuggestion', { error: main, suggestion }) : main;
    }
  }
  return text.replace(/\n$/, '');
}
