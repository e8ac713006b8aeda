// cnilab's entry: parse, run, one catch, one exit code.
import pc from 'picocolors';
import { buildProgram } from './cli.ts';
import { insideNodeMessage } from './insideNode.ts';
import { ExitError } from './output.ts';

// `cnilab … | head` closes the pipe early: that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const onNode = insideNodeMessage(process.env, process.argv.slice(2));
if (onNode) {
  process.stderr.write(`${onNode}\n`);
  process.exit(2);
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof ExitError) {
    if (err.message) process.stderr.write(`${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    // Not a user error: a bug. Show everything needed to report it.
    process.stderr.write(`${pc.red('cnilab hit an internal error — please report it with the text below.')}\n${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 70;
  }
}
