// The simulated kernel's own programs (ip, bridge, sysctl…) run straight on the machine's World,
// without a node shell: what a shell would do with such an argv (no expansion, no redirection)
// is exactly that program's run. `ip netns exec` / `nsenter` chains are followed while they name
// kernel programs; whatever they hand to another program is left for the shell.
import { isSimCommand, runSimCommand } from '../core/commands.ts';
import type { SimMachine } from './machine.ts';

export type KernelRun =
  /** Ran to its end. */
  | { done: true; code: number; stdout: string; stderr: string }
  /** What is left for the node's shell (`rest` in namespace `ns`), after the output so far. */
  | { done: false; rest: string[]; ns: string; stdout: string; stderr: string };

/** Runs argv while it is a kernel program; `ns` is a World namespace id. */
export function runKernelArgv(machine: SimMachine, node: string, ns: string, argv: readonly string[], stdin?: string): KernelRun {
  let rest = [...argv];
  let stdout = '';
  let stderr = '';
  while (isSimCommand(rest[0] ?? '')) {
    const r = runSimCommand({ world: machine.world, ns, node, ...(stdin !== undefined ? { stdin } : {}) }, rest);
    machine.changed();
    stdout += r.stdout;
    stderr += r.stderr;
    if (!r.spawn || r.code !== 0) return { done: true, code: r.code, stdout, stderr };
    ns = r.spawn.ns;
    rest = r.spawn.argv;
    if (rest.length === 0) return { done: true, code: 0, stdout, stderr };
  }
  return { done: false, rest, ns, stdout, stderr };
}
