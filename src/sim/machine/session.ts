// One terminal's shell on a node of the machine. The shell language forgets its state after each
// line, so the session carries it: the working directory, the variables (the shell's own report
// of them when the line ends), the functions (by their source text, from the line's syntax tree)
// and the last exit status. JSON-serialisable, so a reload gives the terminal back as it was.
import type { IFileSystem } from 'just-bash/browser';
import type { SimMachine } from './machine.ts';

export interface SessionState {
  cwd: string;
  vars: Record<string, string>;
  /** Function name → its definition's source, in definition order. */
  functions: [string, string][];
  status: number;
}

export interface RunIO {
  signal?: AbortSignal;
  onStdout(s: string): void;
  onStderr?(s: string): void;
}

/** The shell's own variables, which it sets itself on every run: not carried. */
const NOT_CARRIED = new Set(['?', 'PWD', 'SHELLOPTS', 'BASHOPTS', 'OPTIND', 'PPID', 'BASHPID', 'RANDOM', 'LINENO', 'SECONDS', '_', 'SHLVL', 'HOSTTYPE', 'MACHTYPE', 'OSTYPE', 'UID', 'EUID', 'BASH_VERSION']);

export class ShellSession {
  private _state: SessionState;

  constructor(
    readonly machine: SimMachine,
    readonly node: string,
    state?: SessionState,
  ) {
    this._state = state ? structuredClone(state) : { cwd: '/root', vars: {}, functions: [], status: 0 };
  }

  get state(): SessionState {
    return structuredClone(this._state);
  }

  get cwd(): string {
    return this._state.cwd;
  }

  get fs(): IFileSystem {
    return this.machine.fs(this.node);
  }

  /** The prompt's directory: ~ for /root and below. */
  get displayCwd(): string {
    const c = this._state.cwd;
    return c === '/root' ? '~' : c.startsWith('/root/') ? `~${c.slice(5)}` : c;
  }

  /** Runs one line (or several pasted lines) as a continuation of the previous ones. */
  async run(line: string, io: RunIO): Promise<number> {
    const s = this._state;
    const prelude = [...s.functions.map(([, src]) => src), ...(s.status ? [`(exit ${s.status})`] : [])].join('\n');
    const r = await this.machine.exec(this.node, prelude ? `${prelude}\n${line}` : line, {
      cwd: s.cwd,
      env: s.vars,
      ...(io.signal ? { signal: io.signal } : {}),
      onStdout: io.onStdout,
      onStderr: io.onStderr ?? io.onStdout,
    });
    if (r.env.PWD) s.cwd = r.env.PWD;
    s.vars = Object.fromEntries(Object.entries(r.env).filter(([k]) => !NOT_CARRIED.has(k)));
    const fns = new Map(s.functions);
    for (const c of this.machine.functionChanges(this.node, line)) {
      fns.delete(c.name);
      if (c.source !== undefined) fns.set(c.name, c.source);
    }
    s.functions = [...fns];
    s.status = r.code;
    return r.code;
  }

  /** Names for Tab completion: the shell's commands and functions. */
  commandNames(): string[] {
    return [...new Set([...this.machine.commandNames(), ...this._state.functions.map(([n]) => n)])].sort();
  }

  /** Entries of a directory (relative to the cwd) for Tab completion; directories end in "/". */
  async listDir(dir: string): Promise<string[]> {
    const fs = this.fs;
    const abs = fs.resolvePath(this._state.cwd, dir || '.');
    try {
      const names = await fs.readdir(abs);
      return Promise.all(
        names.sort().map(async (n) => {
          try {
            return (await fs.stat(fs.resolvePath(abs, n))).isDirectory ? `${n}/` : n;
          } catch {
            return n;
          }
        }),
      );
    } catch {
      return [];
    }
  }
}
