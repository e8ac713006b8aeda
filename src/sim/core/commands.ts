// Every program the simulated kernel answers, by name. Anything else (sh, cat, mkdir…) is the
// machine's own program, run with the node selected.
import { bridge } from './bridge.ts';
import { fail, type Command, type CommandContext, type CommandResult } from './command.ts';
import { ip } from './ip/index.ts';
import { settleModules, SimError } from './model.ts';
import { nft } from './nft.ts';
import { nsenter } from './nsenter.ts';
import { ping } from './ping.ts';
import { ss } from './ss.ts';
import { sysctl } from './sysctl.ts';
import { nc } from './tcp.ts';
import { traceroute } from './traceroute.ts';

export const COMMANDS: Record<string, Command> = { ip, bridge, nsenter, ping, sysctl, nft, traceroute, nc, ss };

/** Names the Node layer installs as shims (tcpdump polls, so it is not a one-shot Command). */
export const SIM_PROGRAMS = [...Object.keys(COMMANDS), 'tcpdump'] as const;

export const isSimCommand = (name: string) => Object.hasOwn(COMMANDS, name);

/** Runs one command against the world; a model error becomes a failed command, not a crash. */
export function runSimCommand(ctx: CommandContext, argv: readonly string[]): CommandResult {
  const cmd = COMMANDS[argv[0] ?? ''];
  if (!cmd) return fail(`${argv[0]}: not a command of the simulated kernel`, 127);
  try {
    const r = cmd(ctx, argv.slice(1));
    settleModules(ctx.world);
    return r;
  } catch (err) {
    if (err instanceof SimError) return fail(`${argv[0]}: ${err.message}`, 1);
    throw err;
  }
}
