import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['node_modules/**', 'dist/**', '.omnihub/**', 'bench/**'],
    testTimeout: 30_000,
    hookTimeout: 90_000,
    pool: 'forks',
    globalSetup: ['tests/setup/global.ts'],
  },
});
