// The plugin executable (bundled to dist/simplecni.cjs; <binDir>/simplecni is a shim that runs it).
import { main } from './main.ts';

/**
 * Reads the whole network config from stdin. Asynchronously on purpose: a synchronous read of a
 * pipe the runtime has not finished writing fails with EAGAIN under load (seen with 100 parallel ADDs).
 */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return ''; // run by hand in a terminal: nothing is coming
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

void readStdin()
  .catch(() => '') // closed or unreadable stdin: fine for VERSION and the about text
  .then((stdin) => main(process.env, stdin))
  .then(({ stdout, code }) => {
    if (stdout) process.stdout.write(`${stdout}\n`);
    process.exitCode = code;
  });
