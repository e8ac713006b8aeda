// What every simulated command is: a function of the world, the namespace it runs in and its
// arguments, returning what a process would (exit code, stdout, stderr). Pure: the Node layer
// (src/sim/host) loads and saves the world around it, under a lock.
import { SimError, type SimNetns, type World } from './model.ts';

export interface CommandContext {
  world: World;
  /** Id of the network namespace the command runs in. */
  ns: string;
  /** The node the command runs on: `ip netns add` there makes a namespace of that node's. */
  node?: string;
  stdin?: string;
  /** Identifies the calling process (captures are tied to it). */
  pid?: number;
  /** ping: icmp_seq of the first probe (a terminal that sends one probe at a time counts on). */
  firstSeq?: number;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
  /**
   * Set by commands that run another program inside a namespace (`nsenter`, `ip netns exec`):
   * the host layer runs argv with that namespace selected. Other programs (sh, cat…) are real.
   */
  spawn?: { argv: string[]; ns: string };
}

export type Command = (ctx: CommandContext, args: string[]) => CommandResult;

export const ok = (stdout = ''): CommandResult => ({ code: 0, stdout, stderr: '' });
export const fail = (stderr: string, code = 1, stdout = ''): CommandResult => ({ code, stdout, stderr: stderr.endsWith('\n') ? stderr : `${stderr}\n` });

export function currentNs(ctx: CommandContext): SimNetns {
  const ns = ctx.world.namespaces[ctx.ns];
  if (!ns) throw new SimError(`the simulated namespace "${ctx.ns}" does not exist (was the cluster taken down?)`);
  return ns;
}

const NETNS_DIRS = ['/run/netns/', '/var/run/netns/'];

/**
 * Finds a namespace the way iproute2 and nsenter name one: by path (a pinned file such as a
 * pod's CNI_NETNS, or /run/netns/NAME), or by name (`ip -n NAME`). Names made on a node are
 * looked up on that node first.
 */
export function resolveNetns(world: World, ref: string, node?: string): SimNetns | undefined {
  const all = Object.values(world.namespaces);
  const byPath = all.find((n) => n.path === ref);
  if (byPath) return byPath;
  const dir = NETNS_DIRS.find((d) => ref.startsWith(d));
  const name = dir ? ref.slice(dir.length) : ref.includes('/') ? undefined : ref;
  if (!name) return undefined;
  return all.find((n) => n.name === name && n.owner === node && node !== undefined) ?? all.find((n) => n.name === name && n.owner === undefined);
}

/**
 * The files namespaces are pinned to, as a program on `node` finds them: pods' (CNI_NETNS) and
 * the node's own `ip netns add` names under /run/netns (and /var/run/netns, its old name).
 */
export const namespaceFilesOf = (world: World, node?: string): string[] => [
  ...Object.values(world.namespaces).flatMap((n) => (n.path ? [n.path] : [])),
  ...namedNetnsOf(world, node).flatMap((n) => NETNS_DIRS.map((d) => `${d}${n.name}`)),
];

/** Namespaces `ip netns list` shows on a node: the ones made there. */
export const namedNetnsOf = (world: World, node?: string) => Object.values(world.namespaces).filter((n) => n.name !== undefined && n.owner === node && node !== undefined);
