// The VM tier's suite: run by vm/test-vm.sh inside the VMs' network namespace, once
// `cnilab cluster up --backend vagrant` has made the cluster. One file at a time, in order:
// every command goes to the same four emulated VMs.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/vm/**/*.test.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    reporters: ['verbose'],
  },
});
