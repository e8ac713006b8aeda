// Host backed by the real iproute2 binaries and /proc/sys.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { CommandError } from '../errors.ts';
import { shellQuote, type Logger } from '../log.ts';
import type { Host } from './host.ts';

const sysctlPath = (key: string) => `/proc/sys/${key.replace(/\./g, '/')}`;

export class IprouteHost implements Host {
  constructor(private readonly _log: Logger) {}

  private _argv(args: readonly string[], netns?: string): string[] {
    return netns ? ['nsenter', `--net=${netns}`, 'ip', ...args] : ['ip', ...args];
  }

  async ip(args: readonly string[], netns?: string): Promise<string> {
    const argv = this._argv(args, netns);
    this._log.command(argv.map(shellQuote).join(' '));
    return this._timed(`${netns ? 'nsenter ' : ''}ip ${args.slice(0, 3).join(' ')}`, () => run(argv));
  }

  async ipBatch(lines: readonly (readonly string[])[], netns?: string, opts: { json?: boolean } = {}): Promise<string> {
    if (lines.length === 0) return '';
    // Logged as the individual commands: that is what a student would type.
    const prefix = netns ? `nsenter --net=${shellQuote(netns)} ip` : 'ip';
    for (const l of lines) this._log.command(`${prefix}${opts.json ? ' -j' : ''} ${l.map(shellQuote).join(' ')}`);
    const argv = this._argv([...(opts.json ? ['-j'] : []), '-batch', '-'], netns);
    const input = lines.map((l) => l.map(batchQuote).join(' ')).join('\n') + '\n';
    return this._timed(`${netns ? 'nsenter ' : ''}ip -batch (${lines.length} commands)`, () => run(argv, input));
  }

  /** Times a step including its spawn() (which is synchronous and not free). */
  private async _timed<T>(label: string, step: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await step();
    } finally {
      this._log.timing(label, performance.now() - t0);
    }
  }

  async nft(script: string): Promise<void> {
    this._log.command(`nft -f - <<'EOF'\n${script.trimEnd()}\nEOF`);
    await this._timed('nft -f', () => run(['nft', '-f', '-'], script));
  }

  async setSysctl(key: string, value: string): Promise<void> {
    // What sysctl(8) does: write the value under /proc/sys (per network namespace for net.*).
    this._log.command(`sysctl -w ${key}=${value}`);
    try {
      fs.writeFileSync(sysctlPath(key), value);
    } catch (err) {
      throw new CommandError(['sysctl', '-w', `${key}=${value}`], 1, (err as Error).message);
    }
  }

  async getSysctl(key: string): Promise<string> {
    return fs.readFileSync(sysctlPath(key), 'utf8').trim();
  }
}

/** ip's batch parser splits on blanks and honours double quotes. */
const batchQuote = (w: string) => (/^[^\s"\\]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, '\\$1')}"`);

/** Runs a command to completion and collects its output; never rejects (a failed spawn is exit 127). */
export function runCommand(argv: readonly string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ code: 127, stdout: '', stderr: `could not run ${argv[0]}: ${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the child may exit before reading all input
      child.stdin.end(input);
    }
  });
}

/** Like runCommand, but a failure throws CommandError (with the failed line of an `ip -batch`). */
async function run(argv: string[], input?: string): Promise<string> {
  const r = await runCommand(argv, input ?? '');
  if (r.code === 0) return r.stdout;
  const line = /Command failed -:(\d+)/.exec(r.stderr);
  throw new CommandError(argv, r.code, r.stderr.replace(/Command failed -:\d+\s*/, ''), line ? Number(line[1]) : undefined);
}
