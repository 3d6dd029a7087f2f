import pg from 'pg';

/**
 * Where the tests find their real services. Both default to the loopback
 * services of these machines; set TEST_DATABASE_URL (a database the tests may
 * CREATE DATABASE from) or TEST_REDIS_URL to point elsewhere.
 */
export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** The template every test database is cloned from: migrated once per run by global-setup. */
export const TEMPLATE_DATABASE = 'tg_test_template';
/** Prefix of per-file databases, so leftovers from a killed run can be found and dropped. */
export const TEST_DATABASE_PREFIX = 'tg_t_';

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
