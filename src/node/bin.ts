// The node command executable (bundled to dist/simplecni-node.cjs).
import { main } from './main.ts';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
