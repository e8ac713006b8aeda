// The plugin under fuzzed input: mutated network configs, CNI_* variables, IPAM files and lease
// dirs (test/helpers/fuzz/cases.ts), on a node namespace made here. A fixed seed, so a failure here
// is a failure everywhere; `npm run fuzz` runs many more cases with a random seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure, FuzzNode, type CaseFailure } from '../helpers/fuzz/runner.ts';

const SEED = 20261206;
const CASES = 1000;
/** Every Nth case also runs through the real bundle as a process, and must answer the same. */
const AS_PROCESS_EVERY = 50;

describe('fuzzing the plugin', () => {
  let node: FuzzNode;
  beforeAll(async () => {
    node = await FuzzNode.create();
  });
  afterAll(async () => node?.close());

  it(`${CASES} cases (seed ${SEED}): a right CNI error code on stdout, and a failed ADD changes nothing`, async () => {
    const failures: CaseFailure[] = [];
    for (let i = 0; i < CASES; i++) {
      const f = await node.runCase(SEED, i, { alsoAsProcess: i % AS_PROCESS_EVERY === 0 });
      if (f) failures.push(f);
      if (failures.length >= 10) break;
    }
    expect(failures.map(describeFailure).join('\n\n')).toBe('');
  }, 1_800_000);
});
