// Lab texts tested like code: the `console` blocks of a lab's text, read as the commands a student
// types and the output the text promises. Platform-free (no `node:` imports): the CLI's tests drive it
// against netns and sim clusters, and a browser engine can drive it against its own nodes.

/** Where a command is typed: the student's own machine (`$ `) or a node's shell (`node1:~# `). */
export type Place = { kind: 'workstation' } | { kind: 'node'; node: string; cwd: string };

export interface TextStep {
  /** 1-based line of the command in the text. */
  line: number;
  place: Place;
  command: string;
  /** The output lines the text shows after the command, as printed. */
  expected: string[];
}

export interface ConsoleBlock {
  /** 1-based line of the opening fence. */
  line: number;
  steps: TextStep[];
}

const PROMPT = /^(?:\$|([a-z][a-z0-9-]*):(\S*)#)(?: (.*))?$/;

/** The `console` blocks of a lab text (MDX/Markdown), each a list of commands with their output. */
export function parseConsoleBlocks(text: string): ConsoleBlock[] {
  const lines = text.split('\n');
  const blocks: ConsoleBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```console\s*$/.test(lines[i]!)) continue;
    const block: ConsoleBlock = { line: i + 1, steps: [] };
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) {
      const m = PROMPT.exec(lines[i]!);
      if (!m) {
        block.steps.at(-1)?.expected.push(lines[i]!);
        continue;
      }
      const place: Place = m[1] ? { kind: 'node', node: m[1], cwd: m[2]! } : { kind: 'workstation' };
      let command = m[3] ?? '';
      const line = i + 1;
      // A command continued over several lines with a trailing backslash.
      while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1)}\n${lines[++i]!.replace(/^> ?/, '')}`;
      block.steps.push({ line, place, command, expected: [] });
    }
    blocks.push(block);
  }
  return blocks;
}

/** Every step of a text in order, the node commands of one node only when `node` is given. */
export function textSteps(text: string, filter: { node?: string } = {}): TextStep[] {
  const steps = parseConsoleBlocks(text).flatMap((b) => b.steps);
  return filter.node ? steps.filter((s) => s.place.kind === 'node' && s.place.node === filter.node) : steps;
}
