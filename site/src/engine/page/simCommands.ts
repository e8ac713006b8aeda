// The simulated kernel's programs as commands of a node's shell in the tab.
import { SIM_PROGRAMS } from '../../../../src/sim/core/commands.ts';
import type { PageCluster } from './cluster.ts';
import type { ShellCommand } from './miniShell.ts';

export const SIM_COMMAND_NAMES: string[] = SIM_PROGRAMS.filter((n) => n !== 'tcpdump');

export function simCommand(cluster: PageCluster, node: string, name: string): ShellCommand | undefined {
  if (name === 'tcpdump') {
    return (_argv, io) => {
      io.stderr('tcpdump: not available in this tab yet (it waits for packets); ping with -c and read the neighbour and fdb tables instead, or use npm start\n');
      return 1;
    };
  }
  if (!SIM_COMMAND_NAMES.includes(name)) return undefined;
  return (argv, io, stdin) => {
    const r = cluster.run(node, argv, stdin !== undefined ? { stdin } : {});
    io.stdout(r.stdout);
    io.stderr(r.stderr);
    return r.code;
  };
}
