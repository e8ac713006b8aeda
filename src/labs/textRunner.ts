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

/**
 * What may differ between the text and a fresh cluster without the text being wrong. Each rule is
 * applied to both sides, so the text can show any value there:
 * - MAC addresses (random per interface)              → <mac>
 * - IPv6 link-local addresses (derived from the MAC)   → <fe80>
 * - interface indexes after @if / if (per namespace)   → @if<n>
 * - veth names the plugin derives from the container   → <veth>
 * - timings (ping's time=, time 0ms, rtt, "(12 ms)")  → <t>
 * - neighbour states, which age with time (REACHABLE, STALE, DELAY, PROBE) → <nud>
 * - a port whose cable's far end is down: LOWERLAYERDOWN or DOWN, as kernels differ → DOWN
 * - the neighbour table and the bridge fdb list in hash order: their lines are compared unordered
 * - `ls` in columns (a terminal) or one name a line (a pipe): a text line of names 2+ spaces apart
 *   also matches those names on consecutive lines
 * - the backend's name in `cnilab`'s lines ("backend netns" / "backend sim")
 * - runs of spaces (column widths follow the widest name)
 * and `…` in the text stands for anything: a whole line `…` for any number of lines.
 */
export const NORMALISATIONS: readonly [RegExp, string][] = [
  [/\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/gi, '<mac>'],
  [/\bfe80::[0-9a-f:]+(?:\/\d+)?/gi, '<fe80>'],
  [/@if\d+/g, '@if<n>'],
  [/\bveth[0-9a-f]{8}\b/g, '<veth>'],
  [/\btime[= ]\d+(?:\.\d+)? ?ms\b/g, 'time=<t>'],
  [/rtt min\/avg\/max\/mdev = \S+ ms/g, 'rtt <t>'],
  [/\(\d+(?:\.\d+)? ?m?s\)/g, '(<t>)'],
  [/\bbackend (?:netns|sim|vagrant|ssh)\b/g, 'backend <backend>'],
  [/\b(?:REACHABLE|STALE|DELAY|PROBE)\b/g, '<nud>'],
  [/\bLOWERLAYERDOWN\b/g, 'DOWN'],
  [/[ \t]+/g, ' '],
];

export function normalise(line: string): string {
  return NORMALISATIONS.reduce((s, [re, to]) => s.replace(re, to), line).trim();
}

/** Commands whose lines come in the kernel's hash order. */
const UNORDERED = /\b(?:ip (?:-\S+ )*(?:-n \S+ )?(?:-\S+ )*neigh|bridge fdb)\b/;

/** Where the output drifted from the text: the first expected line not found, in order. */
export interface Drift {
  expected: string;
  /** The output, normalised, from where the search for that line started. */
  actual: string[];
}

const ELLIPSIS = '…';
const lineMatcher = (expected: string): ((s: string) => boolean) => {
  const n = normalise(expected);
  if (!n.includes(ELLIPSIS)) return (s) => s === n;
  const re = new RegExp(`^${n.split(ELLIPSIS).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (s) => re.test(s);
};

/**
 * Does the output show what the text shows? Every line of the text must appear in the output, in
 * order (a text may leave lines out, as it leaves out ping's statistics), after normalisation.
 */
export function compareOutput(expected: readonly string[], output: string, opts: { unordered?: boolean } = {}): Drift | undefined {
  const actual = output.split('\n').map(normalise).filter((l) => l !== '');
  if (opts.unordered) {
    const missing = expected.find((e) => normalise(e) !== '' && normalise(e) !== ELLIPSIS && !actual.some(lineMatcher(e)));
    return missing === undefined ? undefined : { expected: missing, actual };
  }
  let at = 0;
  for (const e of expected) {
    if (normalise(e) === ELLIPSIS || normalise(e) === '') continue;
    const matches = lineMatcher(e);
    const found = actual.findIndex((l, i) => i >= at && matches(l));
    if (found >= 0) {
      at = found + 1;
      continue;
    }
    const names = e.trim().split(/ {2,}/);
    const start = names.length > 1 ? actual.findIndex((l, i) => i >= at && names.every((n, k) => actual[i + k] === normalise(n))) : -1;
    if (start < 0) return { expected: e, actual: actual.slice(at) };
    at = start + names.length;
  }
  return undefined;
}

export interface StepOutcome {
  step: TextStep;
  /** Why the step was not run (see `SKIP`), else undefined. */
  skipped?: string;
  code?: number;
  output?: string;
  drift?: Drift;
}

/** Runs one command where the text types it; stdout and stderr together, as a terminal shows them. */
export type StepExecutor = (place: Place, command: string) => Promise<{ code: number; output: string }>;

/**
 * Commands a runner does not type, each with why: they need the student to have written code first,
 * or act on the machine rather than on the cluster.
 */
export const STUDENT_LOOP = /^cnilab (start|deploy|solve|reset|solution|hint)\b/;
export const SKIP: readonly [RegExp, string][] = [
  [STUDENT_LOOP, 'the student loop: needs the student to write code first'],
  [/^npm run bench\b|^modprobe\b|\/run\/ctr-lab|containerd|^kill\b/, 'acts on the machine, not on the cluster'],
];

/** Runs a text's steps in order through `exec`, comparing each output with the text's. */
export async function runText(
  text: string,
  exec: StepExecutor,
  opts: {
    skip?: readonly [RegExp, string][];
    /** Names in the output to read as the text's (the cluster's name → "lab", the text's default). */
    aliases?: Record<string, string>;
    /** Only the first N console blocks (a lab's opening, before the student writes code). */
    blocks?: number;
  } = {},
): Promise<StepOutcome[]> {
  const skip = opts.skip ?? SKIP;
  const alias = (s: string) => Object.entries(opts.aliases ?? {}).reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const out: StepOutcome[] = [];
  const steps = parseConsoleBlocks(text).slice(0, opts.blocks).flatMap((b) => b.steps);
  for (const step of steps) {
    const why = skip.find(([re]) => re.test(step.command))?.[1];
    if (why) {
      out.push({ step, skipped: why });
      continue;
    }
    const r = await exec(step.place, step.command);
    const output = alias(r.output);
    const drift = compareOutput(step.expected, output, { unordered: UNORDERED.test(step.command) });
    out.push({ step, code: r.code, output, ...(drift ? { drift } : {}) });
  }
  return out;
}

/** One readable line per drift: where in the text, the command, the line that did not show. */
export function describeDrifts(file: string, outcomes: readonly StepOutcome[]): string[] {
  return outcomes
    .filter((o) => o.drift)
    .map((o) => `${file}:${o.step.line}: ${o.step.command}\n    text shows: ${o.drift!.expected}\n    output was: ${o.drift!.actual.slice(0, 6).join(' ⏎ ') || '(nothing)'}`);
}
