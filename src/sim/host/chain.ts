// One command line on the simulated kernel. `nsenter --net=P prog` and `ip netns exec NS prog`
// hand `prog` a namespace; while prog is one of the model's own programs it runs right here
// against the world, and only a program of the machine's (sh, the plugin…) needs a process.
import { isSimCommand, runSimCommand } from '../core/commands.ts';
import type { CommandResult } from '../core/command.ts';
import type { World } from '../core/model.ts';
import { withWorld, withWorldSync } from './store.ts';

export interface ChainStart {
  /** The world's state file. */
  file: string;
  ns: string;
  node?: string;
  argv: readonly string[];
  /** Standard input for a program of the chain (asked only when that program reads it). */
  stdin(argv: readonly string[]): string | undefined;
  pid?: number;
  /** Take the world's lock synchronously (in a worker thread, where blocking is fine and much cheaper). */
  sync?: boolean;
}

/** Where the chain ended: an exit code, or a program of the machine's to run in namespace `ns` (argv empty: a shell). */
export type ChainEnd = { code: number } | { exec: { argv: string[]; ns: string } };

export async function runSimChain(start: ChainStart, emit: (r: CommandResult) => void): Promise<ChainEnd> {
  let ns = start.ns;
  let argv = [...start.argv];
  while (isSimCommand(argv[0] ?? '')) {
    const netns = ns;
    const stdin = start.stdin(argv);
    const current = argv;
    const run = (world: World) => runSimCommand({ world, ns: netns, node: start.node, stdin, pid: start.pid }, current);
    const r = start.sync ? withWorldSync(start.file, run) : await withWorld(start.file, run);
    emit(r);
    if (!r.spawn || r.code !== 0) return { code: r.code };
    ns = r.spawn.ns;
    argv = r.spawn.argv;
    if (argv.length === 0) break;
  }
  return { exec: { argv, ns } };
}
