// Every namespace a test makes starts with this, so the suite can prove it cleaned up after itself.
export const TEST_PREFIX = 'sct';

/** A short unique name: sct<4 random base-36 chars>, valid as a cluster name too. */
export function uniqueName(): string {
  return `${TEST_PREFIX}${Math.random().toString(36).slice(2, 6).padEnd(4, '0')}`;
}
