// The VM tier's suite: run by vm/test-vm.sh inside the VMs' network namespace, once
// `cnilab cluster up --backend vagrant` has made the cluster. One file at a time, in order:
// every command goes to the same four emulated VMs. The proofs (every breakage of the shared
// table) and the lab-text walk are long, and phases of their own: vitest.proofs.config.ts,
// vitest.texts.config.ts.
import { configDefaults, defineConfig } from 'vitest/config';

export const vmTest = {
  root: new URL('../..', import.meta.url).pathname,
  fileParallelism: false,
  sequence: { concurrent: false },
  testTimeout: 1_800_000,
  hookTimeout: 600_000,
  reporters: ['verbose'],
};

export default defineConfig({
  test: {
    ...vmTest,
    include: ['test/vm/**/*.test.ts'],
    exclude: [...configDefaults.exclude, 'test/vm/proofs.test.ts', 'test/vm/texts.test.ts'],
  },
});
