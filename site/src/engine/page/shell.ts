// A node's shell line by line for the terminal: each line runs in the machine's shell on that node
// (just-bash), and what a shell keeps between lines — the working directory and the variables —
// is carried here, since every machine exec starts a fresh shell state.
import type { SimMachine } from '../../../../src/sim/machine/machine.ts';
import { lineAnswered } from './later.ts';
import type { NodeShell } from './terminal.ts';

/** Variables a line's shell sets itself; not carried to the next line. */
const SHELL_OWN = new Set(['PWD', 'OLDPWD', 'SHLVL', '_', '?', 'IFS', 'OPTIND', 'OSTYPE', 'MACHTYPE', 'HOSTTYPE', 'SHELLOPTS', 'BASHOPTS', 'SIMPLECNI_SIM_NETNS', '__SIMPLECNI_EXEC', 'PPID', 'BASHPID', 'RANDOM', 'LINENO', 'SECONDS']);

export const SHELL_COMMANDS = ['cnilab', 'ip', 'bridge', 'ping', 'sysctl', 'nft', 'nsenter', 'traceroute', 'tcpdump', 'cat', 'ls', 'cd', 'echo', 'grep', 'sed', 'awk', 'jq', 'head', 'tail', 'wc', 'sort', 'mkdir', 'rm', 'cp', 'mv', 'touch', 'export', 'history', 'help', 'clear'];

/** What a node's shell carries from line to line, kept with the student's state so a reload resumes it. */
export interface ShellState {
  cwd: string;
  vars: Record<string, string>;
}

export class MachineShell implements NodeShell {
  private dir = '/root';
  private vars: Record<string, string> = {};
  private readonly base: Record<string, string>;

  constructor(
    private readonly machine: SimMachine,
    private readonly node: string,
    baseEnv: Record<string, string>,
    kept?: ShellState,
    private readonly onState?: (s: ShellState) => void,
  ) {
    this.base = baseEnv;
    if (kept) {
      // A directory removed since (or a cluster imported without it): start at home, as a login would.
      if (this.machine.syncFs(node).existsSync(kept.cwd)) this.dir = kept.cwd;
      this.vars = { ...kept.vars };
    }
  }

  async run(line: string, write: (s: string, err?: boolean) => void, signal: AbortSignal): Promise<number> {
    const r = await this.machine.exec(this.node, line, {
      cwd: this.dir,
      env: this.vars,
      signal,
      onStdout: (s) => write(s),
      onStderr: (s) => write(s, true),
    });
    if (r.env.PWD) this.dir = r.env.PWD;
    const next: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.env)) if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !SHELL_OWN.has(k) && !k.startsWith('BASH') && this.base[k] !== v) next[k] = v;
    this.vars = next;
    this.onState?.({ cwd: this.dir, vars: { ...next } });
    lineAnswered();
    return r.code;
  }

  cwd(): string {
    return this.dir;
  }

  commandNames(): string[] {
    return SHELL_COMMANDS;
  }
}
