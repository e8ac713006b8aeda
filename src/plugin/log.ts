// Plugin logging: stderr (never stdout, which belongs to the CNI result) and optionally a file.
import * as fs from 'node:fs';

export interface Logger {
  info(msg: string): void;
  /** A command the plugin runs, as a shell line a student can read and retype. Printed in debug mode. */
  command(line: string): void;
  /** How long a step took; printed when timing is on (SIMPLECNI_TIMING=1), for the benchmark's breakdown. */
  timing(label: string, ms: number): void;
  readonly debug: boolean;
}

export function createLogger(opts: { debug: boolean; timing?: boolean; logFile?: string | undefined; tag?: string }): Logger {
  const tag = opts.tag ?? 'simplecni';
  const write = (line: string) => {
    process.stderr.write(`${line}\n`);
    if (opts.logFile) {
      try {
        fs.appendFileSync(opts.logFile, `${new Date().toISOString()} [${process.pid}] ${line}\n`);
      } catch {
        // a broken log file must never break pod networking
      }
    }
  };
  return {
    debug: opts.debug,
    info: (msg) => write(`${tag}: ${msg}`),
    command: (line) => {
      if (opts.debug) write(`+ ${line}`);
    },
    timing: (label, ms) => {
      if (opts.timing) process.stderr.write(`timing: ${label} ${ms.toFixed(2)}\n`);
    },
  };
}

/** Quotes a word for a POSIX shell only when it needs it. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
