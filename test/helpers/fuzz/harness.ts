// Runs inside a node's network namespace, one process for many fuzz cases: reads a JSON request
// per line ({env, stdin}), runs the plugin's own entry (`main`: env and config checks, the command,
// errors) exactly as its bundle does, and answers {code, stdout} or, if main itself threw, {threw}.
// The plugin's iproute2 commands are real processes in this namespace, its files real files.
// (A Node.js start per case would make thousands of cases take many minutes; the fuzz test replays
// a sample of the cases through the real bundle as a process too, and compares.)
import * as readline from 'node:readline';
import { main } from '../../../src/plugin/main.ts';

let current = '';
process.on('unhandledRejection', (err) => {
  process.stdout.write(`${JSON.stringify({ id: current, unhandled: String((err as Error)?.stack ?? err) })}\n`);
});

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', async (line) => {
  const req = JSON.parse(line) as { id: string; env: Record<string, string>; stdin: string };
  current = req.id;
  try {
    const out = await main(req.env, req.stdin);
    process.stdout.write(`${JSON.stringify({ id: req.id, code: out.code, stdout: out.stdout })}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ id: req.id, threw: String((err as Error)?.stack ?? err) })}\n`);
  }
});
