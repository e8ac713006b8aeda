// The plugin executable (bundled to dist/simplecni.cjs; /opt/cni/bin/simplecni is a shim that runs it).
import * as fs from 'node:fs';
import { main } from './main.ts';

let stdin = '';
if (!process.stdin.isTTY) {
  try {
    stdin = fs.readFileSync(0, 'utf8');
  } catch {
    stdin = ''; // closed stdin: fine for VERSION and the about text
  }
}
void main(process.env, stdin).then(({ stdout, code }) => {
  if (stdout) process.stdout.write(`${stdout}\n`);
  process.exitCode = code;
});
