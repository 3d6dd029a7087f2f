import { defineConfig } from 'vitest/config';

// Each file gets its own database (cloned from a migrated template) and its own
// Redis key prefix, so files run in parallel; two workers match the 2-core machines.
export default defineConfig({
  // graphql 16 ships CJS and ESM builds without an exports map: Node loads the
  // CJS one for dependencies (Pothos, Yoga) while Vite would pick the .mjs for
  // our code, and two graphql copies refuse to share a schema.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
