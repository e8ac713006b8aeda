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
  /**
   * Commands the text asks a runner to type before this block, from a comment just above it:
   * `{/* lab-text: run cnilab solve 03 --yes *\/}`. The convention for a block that needs the
   * student's code: the kit's reference stands in for it, and the student's `cnilab deploy` from
   * there to the lab's end is not typed (it would put the starter back).
   */
  run: string[];
  /**
   * Why a runner does not type this block, from `{/* lab-text: skip <why> *\/}` just above it: a
   * way back when something went wrong, typed only then (a walk in order would undo the lab).
   */
  skip?: string;
  /**
   * Why this block's output cannot match the text, from `{/* lab-text: varies <why> *\/}` just
   * above it (a race's counts): a runner types it and wants exit 0, without comparing the output.
   */
  varies?: string;
  /**
   * One of two outcomes the text shows, told apart by what the nodes' kernel has: from
   * `{/* lab-text: where ipip *\/}` (typed where the kernel has IP-in-IP) or `where no ipip` (only
   * where it lacks it). A runner that knows the feature types the block only where it applies.
   */
  where?: { feature: string; has: boolean };
}

/**
 * `{/* lab-text: paste into node1 *\/}` just above a ```sh block: the text asks the student to paste
 * the block into that node's shell, so a runner types it there (nothing to compare).
 */
const PASTE = /^\{\/\*\s*lab-text:\s*paste into ([a-z][a-z0-9-]*)\s*\*\/\}\s*$/;
/** A runner's directive in a lab text (an MDX comment, invisible on the page). */
const DIRECTIVE = /^\{\/\*\s*lab-text:\s*run\s+(.+?)\s*\*\/\}\s*$/;
const SKIP_BLOCK = /^\{\/\*\s*lab-text:\s*skip\s+(.+?)\s*\*\/\}\s*$/;
const VARIES = /^\{\/\*\s*lab-text:\s*varies\s+(.+?)\s*\*\/\}\s*$/;
const WHERE = /^\{\/\*\s*lab-text:\s*where\s+(no\s+)?([a-z0-9-]+)\s*\*\/\}\s*$/;

const PROMPT = /^(?:\$|([a-z][a-z0-9-]*):(\S*)#)(?: (.*))?$/;

/** The `console` blocks of a lab text (MDX/Markdown), each a list of commands with their output. */
export function parseConsoleBlocks(text: string): ConsoleBlock[] {
  const lines = text.split('\n');
  const blocks: ConsoleBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const paste = /^```(?:sh|bash)\s*$/.test(lines[i]!) ? PASTE.exec(lines.slice(0, i).reverse().find((l) => l.trim() !== '') ?? '') : null;
    if (paste) {
      // A script the text asks the student to paste into a node's shell: typed there, as one command.
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
      blocks.push({ line: start + 1, run: [], steps: [{ line: start + 2, place: { kind: 'node', node: paste[1]!, cwd: '~' }, command: body.join('\n'), expected: [] }] });
      continue;
    }
    if (!/^```console\s*$/.test(lines[i]!)) continue;
    // Directives: the comment lines just above the fence (blank lines between allowed).
    const run: string[] = [];
    let skip: string | undefined;
    let varies: string | undefined;
    let where: ConsoleBlock['where'];
    for (let k = i - 1; k >= 0 && (lines[k]!.trim() === '' || [DIRECTIVE, SKIP_BLOCK, VARIES, WHERE].some((re) => re.test(lines[k]!))); k--) {
      const d = DIRECTIVE.exec(lines[k]!);
      if (d) run.unshift(d[1]!);
      skip ??= SKIP_BLOCK.exec(lines[k]!)?.[1];
      varies ??= VARIES.exec(lines[k]!)?.[1];
      const w = WHERE.exec(lines[k]!);
      if (w) where ??= { feature: w[2]!, has: !w[1] };
    }
    const block: ConsoleBlock = { line: i + 1, steps: [], run, ...(skip ? { skip } : {}), ...(varies ? { varies } : {}), ...(where ? { where } : {}) };
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
      // (The backslash-newline is kept: the shell reads it as one line, as the student's does.)
      while (command.endsWith('\\') && i + 1 < lines.length) command = `${command}\n${lines[++i]!.replace(/^> ?/, '')}`;
      // A here-document: its lines, up to the terminator, are part of the command.
      const doc = /<<-?\s*(['"]?)([A-Za-z_]+)\1/.exec(command);
      if (doc) while (i + 1 < lines.length && lines[i]!.trim() !== doc[2]) command = `${command}\n${lines[++i]!}`;
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
 * - colours (ANSI SGR escapes), which a program adds where it thinks a terminal shows them → none
 * - interface indexes after @if / if (per namespace)   → @if<n>
 * - an `ip link` / `ip addr` line's leading interface index ("22: flannel.1: <…>") → <n>: the
 *   kernel numbers a namespace's interfaces in creation order, counting what modules added (a
 *   tunl0 in every namespace once ipip is loaded), so a text cannot know it
 * - veth names the plugin derives from the container   → <veth>
 * - timings (ping's time=, time 0ms, rtt, "(12 ms)", a route cache's "expires 597sec") → <t>
 * - neighbour states, which age with time (REACHABLE, STALE, DELAY, PROBE) → <nud>; an entry nobody
 *   answered is INCOMPLETE while the kernel asks and FAILED ~3 s on, as time passes → <unresolved>
 * - a port whose cable's far end is down: LOWERLAYERDOWN or DOWN, as kernels differ → DOWN
 * - ping's ICMP id (its process's number), as tcpdump prints it      → id <n>
 * - a veth's peer namespace, by name or by id as iproute2 finds it named (link-netns node1 / link-netnsid 0) → link-netns <peer>
 * - the neighbour table and the bridge fdb list in hash order: their lines are compared unordered
 * - `ls` in columns (a terminal) or one name a line (a pipe): a text line of names 2+ spaces apart
 *   also matches those names on consecutive lines
 * - the backend's name in `cnilab`'s lines ("backend netns" / "backend sim")
 * - JSON.parse's message, which the Node.js running the plugin words (18: "Unexpected token o in
 *   JSON at position 1"; 20: "Unexpected token 'o', "not json" is not valid JSON") → <JSON error>
 * - runs of spaces (column widths follow the widest name)
 * and `…` in the text stands for anything: a whole line `…` for any number of lines.
 */
export const NORMALISATIONS: readonly [RegExp, string][] = [
  [/\x1b\[[0-9;]*m/g, ''],
  [/\b(?:[0-9a-f]{2}:){5}[0-9a-f]{2}\b/gi, '<mac>'],
  [/\bfe80::[0-9a-f:]+(?:\/\d+)?/gi, '<fe80>'],
  [/@if\d+/g, '@if<n>'],
  [/^\d+: (?=[^\s:@]+(?:@\S+)?: <)/, '<n>: '],
  [/\bveth[0-9a-f]{8}\b/g, '<veth>'],
  [/\btime[= ]\d+(?:\.\d+)? ?ms\b/g, 'time=<t>'],
  [/rtt min\/avg\/max\/mdev = \S+ ms/g, 'rtt <t>'],
  [/\(\d+(?:\.\d+)? ?m?s\)/g, '(<t>)'],
  [/\bexpires \d+sec\b/g, 'expires <t>'],
  [/\bbackend (?:netns|sim|vagrant|ssh)\b/g, 'backend <backend>'],
  [/Unexpected token .+?(?: in JSON at position \d+|is not valid JSON)/g, '<JSON error>'],
  [/\b(?:REACHABLE|STALE|DELAY|PROBE)\b/g, '<nud>'],
  [/\b(?:INCOMPLETE|FAILED)\b/g, '<unresolved>'],
  [/\bLOWERLAYERDOWN\b/g, 'DOWN'],
  [/\blink-netns(?:id)? \S+/g, 'link-netns <peer>'],
  [/\bid \d+, seq\b/g, 'id <n>, seq'],
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
  /** The opening line of the step's console block. */
  block: number;
  /** A command of a `lab-text: run` directive, typed before the block: its exit code must be 0. */
  directive?: boolean;
  /** Why the step was not run (see `SKIP`), else undefined. */
  skipped?: string;
  /** Why its output was not compared (the block's `lab-text: varies`); it must still exit 0. */
  varies?: string;
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
  // (`kill %1` is typed: it ends a job of the text's own shell, not a process of the machine.)
  [/^npm run bench\b|^modprobe\b|\/run\/ctr-lab|containerd|^kill (?!%)/, 'acts on the machine, not on the cluster'],
];

/**
 * For a walk through a whole lab: `cnilab start` and `cnilab deploy` are typed (the text shows the
 * starter's TODOs and failures), until a `lab-text: run` directive stands the reference in for the
 * student's code; from there the student's deploys are not typed.
 */
export const WALK_SKIP: readonly [RegExp, string][] = [
  [/^cnilab (solve|reset|solution|hint)\b/, 'asks the student to confirm, or shows the solution: not part of the walk'],
  [/\btcpdump\b/, 'waits for packets that the text sends from a second terminal: a walk types one command at a time'],
  ...SKIP.slice(1),
];
const DEPLOY = /^cnilab deploy\b/;
const STANDS_IN = "the student's deploy: the reference, installed by the text's lab-text directive, stands in for the student's code";

/** Runs a text's steps in order through `exec`, comparing each output with the text's. */
export async function runText(
  text: string,
  exec: StepExecutor,
  opts: {
    skip?: readonly [RegExp, string][];
    /** Names in the output to read as the text's (the cluster's name → "lab", the text's default). */
    aliases?: Record<string, string>;
    /**
     * The other way, in the commands typed: the texts assume the default cluster "lab", so a path
     * such as /run/simplecni-lab/lab/ is typed with the cluster's own name.
     */
    commandAliases?: Record<string, string>;
    /** Only the first N console blocks (a lab's opening, before the student writes code). */
    blocks?: number;
    /** Start at the first block that opens at or after this line (the part after the student's code). */
    from?: number;
    /**
     * What the nodes' kernel has (`{ ipip: false }`), for blocks marked `lab-text: where`: a block
     * showing the other outcome is not typed. A feature not listed here: the block is typed.
     */
    features?: Record<string, boolean>;
    /** Told of each outcome as it comes (a walk through every lab is long: show where it is). */
    onStep?: (o: StepOutcome) => void;
  } = {},
): Promise<StepOutcome[]> {
  const skip = opts.skip ?? SKIP;
  const alias = (s: string) => Object.entries(opts.aliases ?? {}).reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const typed = (s: string) => Object.entries(opts.commandAliases ?? {}).reduce((acc, [from, to]) => acc.split(from).join(to), s);
  const out: StepOutcome[] = [];
  const push = (o: StepOutcome) => {
    out.push(o);
    opts.onStep?.(o);
  };
  let standIn = false;
  for (const block of parseConsoleBlocks(text)
    .slice(0, opts.blocks)
    .filter((b) => b.line >= (opts.from ?? 0))) {
    const elsewhere = block.where && opts.features?.[block.where.feature] === !block.where.has;
    const skipped = block.skip ?? (elsewhere ? `shows a kernel ${block.where!.has ? 'with' : 'without'} ${block.where!.feature}, and this cluster's nodes ${block.where!.has ? 'lack' : 'have'} it` : undefined);
    if (skipped) {
      for (const step of block.steps) push({ step, block: block.line, skipped });
      continue;
    }
    for (const command of block.run) {
      standIn = true;
      const r = await exec({ kind: 'workstation' }, command);
      const step: TextStep = { line: block.line, place: { kind: 'workstation' }, command, expected: [] };
      push({ step, block: block.line, directive: true, code: r.code, output: alias(r.output) });
    }
    for (const step of block.steps) {
      const why = standIn && DEPLOY.test(step.command) ? STANDS_IN : skip.find(([re]) => re.test(step.command))?.[1];
      if (why) {
        push({ step, block: block.line, skipped: why });
        continue;
      }
      const r = await exec(step.place, typed(step.command));
      const output = alias(r.output);
      if (block.varies) {
        push({ step, block: block.line, code: r.code, output, varies: block.varies });
        continue;
      }
      const drift = compareOutput(step.expected, output, { unordered: UNORDERED.test(step.command) });
      push({ step, block: block.line, code: r.code, output, ...(drift ? { drift } : {}) });
    }
  }
  return out;
}

/** A directive that failed, or a step whose output drifted. */
export const failed = (o: StepOutcome) => Boolean(o.drift) || ((o.directive === true || o.varies !== undefined) && o.code !== 0);

/**
 * One readable entry per failure: where in the text (the block and the command's line), the
 * command, the text's lines and the output, both normalised as they were compared.
 */
export function describeDrifts(file: string, outcomes: readonly StepOutcome[]): string[] {
  return outcomes.filter(failed).map((o) => {
    const head = `${file}:${o.step.line} (block at line ${o.block}): ${o.step.command.split('\n')[0]}`;
    if (!o.drift) return `${head}\n    ${o.varies !== undefined ? 'a step whose output varies failed' : 'the lab-text directive failed'} (exit ${o.code}):\n${indent(o.output ?? '')}`;
    return [
      head,
      `    first text line not found: ${normalise(o.drift.expected)}`,
      '    text shows (normalised):',
      indent(o.step.expected.map(normalise).filter((l) => l !== '').join('\n')),
      '    output was (normalised, from where the search stopped):',
      indent(o.drift.actual.slice(0, 20).join('\n') || '(nothing)'),
    ].join('\n');
  });
}

const indent = (s: string) =>
  s
    .split('\n')
    .map((l) => `      | ${l}`)
    .join('\n');
