// All human output of the CLI goes through here: one style for results, hints and errors.
import ora, { type Ora } from 'ora';
import pc from 'picocolors';
import stringWidth from 'string-width';

export class ExitError extends Error {
  constructor(
    public readonly exitCode: number,
    message = '',
  ) {
    super(message);
    this.name = 'ExitError';
  }
}

/** A user-facing failure: a message, and the next command that helps. Only index.ts exits. */
export function fail(message: string, hint?: string, exitCode = 1): never {
  process.stderr.write(`${pc.red('✗')} ${message}\n`);
  if (hint) process.stderr.write(`  ${pc.dim('→')} ${hint}\n`);
  throw new ExitError(exitCode);
}

export const cmd = (s: string) => pc.cyan(s);
export function ok(s: string): void {
  process.stdout.write(`${pc.green('✓')} ${s}\n`);
}
export function info(s: string): void {
  process.stdout.write(`${s}\n`);
}
export function warn(s: string): void {
  process.stderr.write(`${pc.yellow('!')} ${s}\n`);
}
export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

/** A spinner on a terminal, plain lines elsewhere (CI logs, pipes). Silent with --json. */
export class Progress {
  private _spinner: Ora | undefined;

  constructor(private readonly _quiet = false) {}

  step = (text: string) => {
    if (this._quiet) return;
    if (!process.stderr.isTTY) {
      process.stderr.write(`${pc.dim('…')} ${text}\n`);
      return;
    }
    if (this._spinner) this._spinner.text = text;
    else this._spinner = ora({ text, stream: process.stderr }).start();
  };

  done() {
    this._spinner?.stop();
    this._spinner = undefined;
  }
}

export function table(rows: string[][]): string {
  // Columns measured in terminal cells: a Chinese heading takes two per character, colours none.
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => stringWidth(r[i] ?? ''))));
  return rows.map((r) => r.map((c, i) => c + ' '.repeat(widths[i]! - stringWidth(c))).join('  ').trimEnd()).join('\n');
}

