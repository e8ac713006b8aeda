// What both of lab 09's container hosts ask a containerd through ctr: whether a container's task
// runs, whether the kit's image is there, a container removed, a container's IPv4 address. The
// host says how ctr reaches its containerd (a private socket on this machine, or the node's own
// daemon over ssh), each with its containerd namespace.
import type { ExecResult } from '../../shared/execTypes.ts';
import { ContainersUnavailableError } from './errors.ts';
import { msg } from '../../i18n/text.ts';

/** Runs `ctr <args>` against one containerd, in one containerd namespace. */
export type Ctr = (args: string[]) => Promise<ExecResult>;

const lines = (r: ExecResult) => r.stdout.split('\n');

export async function taskRunning(ctr: Ctr, name: string): Promise<boolean> {
  return lines(await ctr(['task', 'ls', '-q'])).includes(name);
}

export async function hasImage(ctr: Ctr, ref: string): Promise<boolean> {
  return lines(await ctr(['image', 'ls', '-q'])).includes(ref);
}

/** Kills the container's task, deletes it and the container; a part already gone is fine. */
export async function removeContainer(ctr: Ctr, name: string): Promise<void> {
  await ctr(['task', 'kill', '-a', '-s', 'SIGKILL', name]);
  await ctr(['task', 'delete', '-f', name]);
  await ctr(['container', 'delete', name]);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The container's address on eth0, asked inside it (`ctr task exec … ip -4 -o addr show dev eth0`).
 * ctr can lose the whole output of an exec this short (its stdout fifo read after the process
 * ended, seen on a loaded machine): an empty answer is asked again; a wrong one is not.
 */
export async function containerAddress4(ctr: Ctr, node: string, name: string): Promise<string> {
  let r: ExecResult = { code: 1, stdout: '', stderr: '' };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await sleep(200 * attempt);
    r = await ctr(['task', 'exec', '--exec-id', `addr-${process.pid}-${Date.now()}-${attempt}`, name, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    if ((r.stdout + r.stderr).trim() !== '') break;
  }
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout);
  if (!m) throw new ContainersUnavailableError(msg('err.containerd.noAddress', { name, node, output: (r.stderr || r.stdout).trim() }));
  return m[1]!;
}
