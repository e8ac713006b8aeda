// The VM tier's phase `proofs` (SIMPLECNI_VM_PHASES=proofs; not in the default phases): every
// breakage of the shared table on the VMs, lab by lab. A lab's breakages each run its checks twice
// (broken, mended) on emulated CPUs: an hour per lab at most.
import { defineConfig } from 'vitest/config';
import { vmTest } from './vitest.config.ts';

export default defineConfig({
  test: {
    ...vmTest,
    include: ['test/vm/proofs.test.ts'],
    testTimeout: 3_600_000,
  },
});
