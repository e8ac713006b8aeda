import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The VM tier runs on its own (npm run test:vm): it needs the VMs that vm/test-vm.sh brings up.
    // The mutation run is its own (npm run test:mutants): every breakage on two clusters, long.
    exclude: [...configDefaults.exclude, 'test/vm/**', 'test/mutants/**'],
    // Real processes, real namespaces: forks isolate them better than threads.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    globalSetup: ['test/helpers/globalSetup.ts'],
    reporters: ['default'],
  },
});
