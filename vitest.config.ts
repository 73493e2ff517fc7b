// Test projects for the whole workspace.
// - unit: `*.test.ts` beside the code; no services, fast, parallel.
// - integration: `*.integration.test.ts` and `tests/e2e`; they need the real local stack
//   (`npm run stack:up`) and read its endpoints from the env file that infra/local writes.
// Coverage (v8) is enforced for the format and catalog libraries (SC-010).
import { defineConfig } from 'vitest/config';

const integrationGlobs = ['**/*.integration.test.ts', 'tests/e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['libs/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'infra/**/*.test.ts'],
          exclude: [...integrationGlobs, '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: integrationGlobs,
          exclude: ['**/node_modules/**'],
          globalSetup: ['tests/support/require-stack.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
    coverage: {
      provider: 'v8',
      include: ['libs/*/src/**/*.ts', 'apps/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/index.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: '.coverage',
      thresholds: {
        'libs/iceberg/src/**': { lines: 80, branches: 80 },
        'libs/catalog/src/**': { lines: 80, branches: 80 },
      },
    },
  },
});
