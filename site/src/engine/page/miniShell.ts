// A small command language for the tab's nodes until a full shell runs there: words with quotes,
// `;` `&&` `||`, pipes into a few filters (grep, head, tail, wc -l), `2>/dev/null`-style
// redirections, and commands given by the caller (the sim's programs, cnilab). What it does not
// know (loops, variables, `&` jobs) it refuses with a message, never by doing something else.

export interface ShellIO {
  stdout(s: string): void;
  stderr(s: string): void;
}

export type ShellCommand = (argv: string[], io: ShellIO, stdin: string | undefined) => Promise<number> | number;

export class ShellSyntaxError extends Error {}

type Token = { word: string } | { op: ';' | '&&' | '||' | '|' | '&' };

function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let cur = '';
  let inWord = false;
  const push = () => {
    if (inWord) out.push({ word: cur });
    cur = '';
    inWord = false;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellSyntaxError('unterminated quote (\')');
      cur += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== '"') {
        if (line[j] === '\\' && j + 1 < line.length) {
          cur += line[j + 1];
          j += 2;
        } else cur += line[j++];
      }
      if (j >= line.length) throw new ShellSyntaxError('unterminated quote (")');
      inWord = true;
      i = j + 1;
    } else if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1];
      inWord = true;
      i += 2;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      push();
      i++;
    } else if (c === ';') {
      push();
      out.push({ op: ';' });
      i++;
    } else if (c === '&' || c === '|') {
      push();
      if (line[i + 1] === c) {
        out.push({ op: c === '&' ? '&&' : '||' });
        i += 2;
      } else {
        out.push({ op: c });
        i++;
      }
    } else if (c === '$' && (line[i + 1] === '(' || /[A-Za-z_{]/.test(line[i + 1] ?? ''))) {
      throw new ShellSyntaxError('variables and $( ) are not available in this tab’s shell yet');
    } else {
      cur += c;
      inWord = true;
      i++;
    }
  }
  push();
  return out;
}

interface Pipeline {
  stages: string[][];
  /** How this pipeline joins the one before it. */
  join: ';' | '&&' | '||';
}

function parse(line: string): Pipeline[] {
  const toks = tokenize(line);
  const out: Pipeline[] = [];
  let stages: string[][] = [[]];
  let join: Pipeline['join'] = ';';
  const end = (next: Pipeline['join']) => {
    const last = stages[stages.length - 1]!;
    if (last.length === 0) {
      if (stages.length > 1) throw new ShellSyntaxError('a pipe needs a command after it');
      if (next !== ';') throw new ShellSyntaxError(`"${next}" needs a command before it`);
    } else out.push({ stages, join });
    stages = [[]];
    join = next;
  };
  for (const t of toks) {
    if ('word' in t) stages[stages.length - 1]!.push(t.word);
    else if (t.op === '|') {
      if (stages[stages.length - 1]!.length === 0) throw new ShellSyntaxError('a pipe needs a command before it');
      stages.push([]);
    } else if (t.op === '&') {
      throw new ShellSyntaxError('background jobs (&) are not available in this tab: run the commands one after the other, or use a real node (npm start) to see them run at once');
    } else end(t.op);
  }
  end(';');
  return out;
}

/** Takes `2>/dev/null`, `>/dev/null`, `2>&1` off a command; other redirections are refused. */
function redirections(argv: string[]): { argv: string[]; dropOut: boolean; dropErr: boolean; errToOut: boolean } {
  const rest: string[] = [];
  let dropOut = false;
  let dropErr = false;
  let errToOut = false;
  for (const a of argv) {
    if (a === '2>/dev/null') dropErr = true;
    else if (a === '>/dev/null' || a === '1>/dev/null') dropOut = true;
    else if (a === '&>/dev/null') dropOut = dropErr = true;
    else if (a === '2>&1') errToOut = true;
    else if (/^\d?>/.test(a) || a.startsWith('<')) throw new ShellSyntaxError(`redirection "${a}" is not available in this tab’s shell yet`);
    else rest.push(a);
  }
  return { argv: rest, dropOut, dropErr, errToOut };
}

/** Filters a pipe can end in. */
const FILTERS: Record<string, (args: string[], input: string) => { out: string; code: number }> = {
  grep(args, input) {
    let invert = false;
    let ignore = false;
    let count = false;
    const rest: string[] = [];
    for (const a of args) {
      if (/^-[vicE]+$/.test(a)) {
        invert ||= a.includes('v');
        ignore ||= a.includes('i');
        count ||= a.includes('c');
      } else rest.push(a);
    }
    const pat = rest[0];
    if (pat === undefined) return { out: 'grep: no pattern\n', code: 2 };
    const re = new RegExp(pat, ignore ? 'i' : '');
    const lines = input.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));
    const hit = lines.filter((l) => re.test(l) !== invert);
    if (count) return { out: `${hit.length}\n`, code: hit.length ? 0 : 1 };
    return { out: hit.map((l) => `${l}\n`).join(''), code: hit.length ? 0 : 1 };
  },
  head(args, input) {
    const n = Number(/^-n?(\d+)$/.exec(args.join(''))?.[1] ?? 10);
    return { out: input.split('\n').slice(0, n).map((l) => `${l}\n`).join('').replace(/\n\n$/, '\n'), code: 0 };
  },
  tail(args, input) {
    const n = Number(/^-n?(\d+)$/.exec(args.join(''))?.[1] ?? 10);
    const lines = input.replace(/\n$/, '').split('\n');
    return { out: lines.slice(-n).map((l) => `${l}\n`).join(''), code: 0 };
  },
  wc(args, input) {
    if (!args.includes('-l')) return { out: 'wc: only wc -l is available in this tab\n', code: 1 };
    return { out: `${input.split('\n').length - (input.endsWith('\n') ? 1 : 0)}\n`, code: 0 };
  },
};

export const FILTER_NAMES = Object.keys(FILTERS);

export class MiniShell {
  constructor(private readonly commands: (name: string) => ShellCommand | undefined) {}

  /** Runs one line; resolves with the exit code of the last pipeline run. */
  async run(line: string, io: ShellIO): Promise<number> {
    let pipelines: Pipeline[];
    try {
      pipelines = parse(line);
    } catch (e) {
      io.stderr(`sh: ${(e as Error).message}\n`);
      return 2;
    }
    let code = 0;
    for (const p of pipelines) {
      if (p.join === '&&' && code !== 0) continue;
      if (p.join === '||' && code === 0) continue;
      code = await this.pipeline(p.stages, io);
    }
    return code;
  }

  private async pipeline(stages: string[][], io: ShellIO): Promise<number> {
    let input: string | undefined;
    let code = 0;
    for (let i = 0; i < stages.length; i++) {
      let r;
      try {
        r = redirections(stages[i]!);
      } catch (e) {
        io.stderr(`sh: ${(e as Error).message}\n`);
        return 2;
      }
      const [name, ...args] = r.argv;
      if (!name) continue;
      const last = i === stages.length - 1;
      let out = '';
      const stageIo: ShellIO = {
        stdout: (s) => {
          if (r.dropOut) return;
          if (last) io.stdout(s);
          else out += s;
        },
        stderr: (s) => {
          if (r.errToOut) stageIo.stdout(s);
          else if (!r.dropErr) io.stderr(s);
        },
      };
      const filter = i > 0 ? FILTERS[name] : undefined;
      if (filter) {
        const f = filter(args, input ?? '');
        if (f.code === 2 || (name === 'wc' && f.code === 1)) stageIo.stderr(f.out);
        else stageIo.stdout(f.out);
        code = f.code;
      } else {
        const cmd = this.commands(name);
        if (!cmd) {
          stageIo.stderr(`${name}: command not found\n`);
          code = 127;
        } else {
          code = await cmd([name, ...args], stageIo, input);
        }
      }
      input = out;
    }
    return code;
  }
}
