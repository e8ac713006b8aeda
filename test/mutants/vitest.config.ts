// `npm run test:mutants`: the mutation run on its own (it applies every breakage on two clusters:
// long, so not part of `npm test`), with the same leak audit around it.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/mutants/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 7_200_000,
    hookTimeout: 600_000,
    globalSetup: ['test/helpers/globalSetup.ts'],
    reporters: ['default'],
  },
});
