// What every plugin executable does: read stdin, run, print, set the exit code.
import * as fs from 'node:fs';
import { isatty } from 'node:tty';
import type { Outcome } from './main.ts';

/**
 * Reads the whole network config from stdin. A runtime hands a blocking pipe, which one
 * synchronous read drains cheaply. Note: touching `process.stdin` (even `.isTTY`) would turn fd 0
 * non-blocking, and a synchronous read could then fail with EAGAIN while the runtime is still
 * writing (seen with 100 parallel ADDs); then, and only then, fall back to reading the stream.
 */
async function readStdin(): Promise<string> {
  if (isatty(0)) return ''; // run by hand in a terminal: nothing is coming
  try {
    return fs.readFileSync(0, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return ''; // closed stdin: fine for VERSION
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
}

export function startPlugin(main: (env: NodeJS.ProcessEnv, stdin: string) => Promise<Outcome>): void {
  void readStdin()
    .catch(() => '')
    .then((stdin) => main(process.env, stdin))
    .then(({ stdout, code }) => {
      if (stdout) process.stdout.write(`${stdout}\n`);
      process.exitCode = code;
    });
}
