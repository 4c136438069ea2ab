import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/temporal-global.ts'],
    // Workflow tests share one dev server; two cores do not gain from more parallel files.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/setup/summary-reporter.ts'],
  },
});
