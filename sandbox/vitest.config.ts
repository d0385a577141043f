import { defineConfig } from 'vitest/config';

// Sandbox simulators need neither PostgreSQL nor Redis: this config runs their tests alone, fast.
export default defineConfig({
  test: {
    include: ['sandbox/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
