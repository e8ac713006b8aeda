// The VM tier's phase `texts` (SIMPLECNI_VM_PHASES=texts; not in the default phases): the lab texts
// typed on the VMs, lab by lab (test/vm/texts.test.ts). Half an hour to an hour on emulated CPUs.
import { defineConfig } from 'vitest/config';
import { vmTest } from './vitest.config.ts';

export default defineConfig({
  test: {
    ...vmTest,
    include: ['test/vm/texts.test.ts'],
    testTimeout: 3_600_000,
  },
});
