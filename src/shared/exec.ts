// Running a command on this machine and collecting its output.
import { spawn } from 'node:child_process';
import type { ExecOptions, ExecResult } from './execTypes.ts';

export type { ExecOptions, ExecResult } from './execTypes.ts';

export function execCommand(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: `could not run ${argv[0]}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const stderr = Buffer.concat(err).toString() + (signal ? `\n(killed by ${signal}${opts.timeoutMs ? ` after ${opts.timeoutMs} ms` : ''})` : '');
      resolve({ code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Like execCommand, but a non-zero exit throws an Error carrying the command and its stderr. */
export async function mustExec(argv: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const r = await execCommand(argv, opts);
  if (r.code !== 0) throw new CommandFailed(argv, r);
  return r.stdout;
}

export class CommandFailed extends Error {
  constructor(
    public readonly argv: readonly string[],
    public readonly result: ExecResult,
  ) {
    super(`\`${argv.join(' ')}\` failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = 'CommandFailed';
  }
}
