import pg from 'pg';
import { inject } from 'vitest';
import { type ClusterNodeAddress, parseClusterNodes } from '../../src/env.ts';

/**
 * Where the tests find their real services. Both default to the loopback
 * services of these machines; set TEST_DATABASE_URL (a database the tests may
 * CREATE DATABASE from) or TEST_REDIS_URL to point elsewhere.
 */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Whether this file runs under the `cluster` project (vitest.config.ts sets TEST_REDIS=cluster there). */
export const ON_CLUSTER = process.env['TEST_REDIS'] === 'cluster';

/**
 * The run's Redis Cluster when this file runs under the `cluster` project
 * (TEST_REDIS=cluster, set by its `env` in vitest.config.ts; the global setup
 * started it); null otherwise, when tests use the one Redis at TEST_REDIS_URL.
 */
export function testClusterNodes(): ClusterNodeAddress[] | null {
  if (!ON_CLUSTER) return null;
  const seeds = inject('redisCluster');
  if (!seeds) throw new Error('TEST_REDIS=cluster but no cluster was started (run the `cluster` vitest project)');
  return parseClusterNodes(seeds);
}

/** Prefix of each run's template, migrated once per run by global-setup. */
export const TEMPLATE_PREFIX = 'tg_tpl_';
/** Prefix of per-file databases, so leftovers from a killed run can be found and dropped. */
export const TEST_DATABASE_PREFIX = 'tg_t_';

/** A run's stamp: its start time in base 36 and a random tail, so names sort by age and never collide. */
export const runStamp = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
/** The template a run's files clone. */
export const templateName = (run: string) => `${TEMPLATE_PREFIX}${run}`;
/** How old the run that made a database is, from the stamp in its name; 0 when the name has none. */
export function stampAgeMs(datname: string): number {
  const match = /_([0-9a-z]{8})[0-9a-z]{4}(?:_|$)/.exec(datname);
  return match?.[1] ? Date.now() - Number.parseInt(match[1], 36) : 0;
}

/** The URL of another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Runs statements on the admin database (CREATE/DROP DATABASE cannot run in a transaction). */
export async function withAdmin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}
