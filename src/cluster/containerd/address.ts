// A running container's IPv4 address, asked inside it (`ctr task exec … ip -4 -o addr show dev
// eth0`), for lab 09's containers on every backend that runs them.
import type { ExecResult } from '../../shared/execTypes.ts';
import { ContainersUnavailableError } from './errors.ts';
import { msg } from '../../i18n/text.ts';

/** The argv after `ctr …` that asks a container for its address (a fresh exec id each time). */
export const addressExec = (name: string, attempt: number): string[] => [
  'task', 'exec', '--exec-id', `addr-${process.pid}-${Date.now()}-${attempt}`, name, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0',
];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `ask` (one `ctr task exec`, built with addressExec) until it answers. ctr can lose the whole
 * output of an exec this short (its stdout fifo read after the process ended, seen on a loaded
 * machine): an empty answer is asked again; a wrong one is not.
 */
export async function containerAddress4(node: string, name: string, ask: (attempt: number) => Promise<ExecResult>): Promise<string> {
  let r: ExecResult = { code: 1, stdout: '', stderr: '' };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (attempt > 0) await sleep(200 * attempt);
    r = await ask(attempt);
    if ((r.stdout + r.stderr).trim() !== '') break;
  }
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout);
  if (!m) throw new ContainersUnavailableError(msg('err.containerd.noAddress', { name, node, output: (r.stderr || r.stdout).trim() }));
  return m[1]!;
}
