// npm run fuzz [-- --seed S] [--cases N] [--index I]: many fuzz cases against the plugin on a
// throwaway node namespace (root). A random seed unless given; it is printed first, and every
// failure names its seed and index, which `--seed S --index I` replays alone.
import { describeFailure, FuzzNode } from '../helpers/fuzz/runner.ts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const seed = arg('seed') !== undefined ? Number(arg('seed')) : Math.floor(Math.random() * 2 ** 31);
const only = arg('index') !== undefined ? Number(arg('index')) : undefined;
const cases = Number(arg('cases') ?? 10_000);
if (!Number.isInteger(seed) || !Number.isInteger(cases) || (only !== undefined && !Number.isInteger(only))) {
  console.error('usage: npm run fuzz -- [--seed <integer>] [--cases <count>] [--index <case to replay>]');
  process.exit(2);
}

console.log(`fuzz seed ${seed}${only !== undefined ? `, case ${only} only` : `, ${cases} cases`}`);
const node = await FuzzNode.create();
let failed = 0;
const t0 = performance.now();
try {
  const indexes = only !== undefined ? [only] : Array.from({ length: cases }, (_, i) => i);
  for (const i of indexes) {
    const f = await node.runCase(seed, i, { alsoAsProcess: only !== undefined || i % 100 === 0 });
    if (f) {
      failed++;
      console.log(`\n${describeFailure(f)}`);
    }
    if (only === undefined && (i + 1) % 500 === 0) console.log(`${i + 1} cases, ${failed} failed (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
} finally {
  await node.close();
}
console.log(`\n${failed === 0 ? 'every case passed' : `${failed} case(s) failed`} (seed ${seed}, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
process.exitCode = failed === 0 ? 0 : 1;
