// Every namespace, cluster and temp path a test makes is named with uniqueName(), so the suite
// can prove it cleaned up after itself: each name is written to the run's ledger, which the
// after-suite audit (test/helpers/leakAudit.ts) reads.
import * as fs from 'node:fs';

export const TEST_PREFIX = 'sct';

/** A short unique name: sct<4 random base-36 chars>, valid as a cluster name too. */
export function uniqueName(): string {
  const name = `${TEST_PREFIX}${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
  const ledger = process.env.SIMPLECNI_TEST_LEDGER;
  if (ledger) fs.appendFileSync(ledger, `${name}\n`);
  return name;
}
