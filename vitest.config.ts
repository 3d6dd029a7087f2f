import { defineConfig } from 'vitest/config';

/** The chaos test measures waits under load against a 1 s bound: it runs alone, after every other file. */
const ALONE = ['test/ops/chaos.test.ts'];
/**
 * Files about Redis Cluster itself; they need the cluster the global setup
 * starts for the `cluster` project (test/helpers/redis-cluster.ts).
 */
const CLUSTER_ONLY = ['test/cluster/**/*.test.ts'];

// Each file gets its own database (cloned from a migrated template) and its own
// Redis key prefix, so files run in parallel; two workers match the 2-core machines.
export default defineConfig({
  // graphql 16 ships CJS and ESM builds without an exports map: Node loads the
  // CJS one for dependencies (Pothos, Yoga) while Vite would pick the .mjs for
  // our code, and two graphql copies refuse to share a schema.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['test/**/*.test.ts'],
          exclude: [...ALONE, ...CLUSTER_ONLY],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        // Two server instances, a load generator and the proxies share the machine's 2 cores with nothing else.
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        // After the rest, so the six cluster nodes never share the cores with the other projects' files.
        test: {
          name: 'cluster',
          // The suites whose code paths differ on a cluster (cluster stores), and the cluster's own files.
          include: [
            'test/cache/**/*.test.ts',
            'test/response-cache/**/*.test.ts',
            'test/rate-limit/**/*.test.ts',
            ...CLUSTER_ONLY,
          ],
          env: { TEST_REDIS: 'cluster' },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
