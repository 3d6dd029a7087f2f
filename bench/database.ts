// The bench's PostgreSQL: a migrated, seeded template built once (and again
// whenever the migrations or the seed change), and a fresh clone of it for
// each server under test, so every server starts from the same rows and a
// mixed run's writes never leak into the next server's reads.

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { seed } from '../prisma/seed.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';

/** Template every bench database is cloned from. */
export const BENCH_TEMPLATE = 'tg_bench_template';
/** Prefix of per-server clones, so leftovers of a killed run can be found and dropped. */
export const BENCH_CLONE_PREFIX = 'tg_bench_r_';

const ROOT = new URL('..', import.meta.url).pathname;

/** The URL of another database on the same server. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(adminUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Hash of what decides the template's contents: the migrations and the seed. */
async function templateFingerprint(): Promise<string> {
  const hash = createHash('sha256');
  const migrations = join(ROOT, 'prisma/migrations');
  for (const entry of (await readdir(migrations, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory()) hash.update(entry.name).update(await readFile(join(migrations, entry.name, 'migration.sql')));
  }
  hash.update(await readFile(join(ROOT, 'prisma/seed.ts')));
  return hash.digest('hex').slice(0, 16);
}

/**
 * Makes sure the template exists and matches the current migrations and seed
 * (its fingerprint lives in the database's comment); rebuilds it otherwise.
 * Answers whether it was (re)built.
 */
export async function ensureTemplate(adminUrl: string, log: (line: string) => void): Promise<boolean> {
  const fingerprint = await templateFingerprint();
  const current = await withAdmin(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [BENCH_TEMPLATE],
    );
    return rows[0] ? (rows[0].comment ?? '') : null;
  });
  if (current === `bench ${fingerprint}`) return false;

  log(`database: building ${BENCH_TEMPLATE} (migrate + seed, once per change of prisma/)`);
  await withAdmin(adminUrl, async (admin) => {
    if (current !== null) await admin.query(`ALTER DATABASE "${BENCH_TEMPLATE}" WITH IS_TEMPLATE false`);
    await admin.query(`DROP DATABASE IF EXISTS "${BENCH_TEMPLATE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${BENCH_TEMPLATE}"`);
  });
  const url = databaseUrl(adminUrl, BENCH_TEMPLATE);
  await applyMigrations({ kind: 'postgres', url });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  try {
    await seed(prisma, { log: (line) => log(`  ${line}`) });
  } finally {
    await prisma.$disconnect();
  }
  // Fresh statistics, so every clone plans its queries alike.
  await withAdmin(url, (client) => client.query('VACUUM ANALYZE'));
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(`COMMENT ON DATABASE "${BENCH_TEMPLATE}" IS 'bench ${fingerprint}'`);
    await admin.query(`ALTER DATABASE "${BENCH_TEMPLATE}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`);
  });
  return true;
}

/** A fresh copy of the seeded template for one server; drop() when the server is gone. */
export interface BenchDatabase {
  name: string;
  /** Its URL on the real Postgres (the server under test gets the counting proxy's instead). */
  url: string;
  drop(): Promise<void>;
}

export async function cloneDatabase(adminUrl: string, suffix: string): Promise<BenchDatabase> {
  const name = `${BENCH_CLONE_PREFIX}${suffix.replace(/[^a-z0-9_]/g, '_')}`;
  await withAdmin(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${BENCH_TEMPLATE}"`);
  });
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () =>
      withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** Drops clones a killed run left behind. */
export async function dropLeftoverClones(adminUrl: string): Promise<void> {
  await withAdmin(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND NOT datistemplate`,
      [BENCH_CLONE_PREFIX],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

/** "PostgreSQL 15.20" for the report. */
export async function postgresVersion(adminUrl: string): Promise<string> {
  return withAdmin(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${rows[0]?.server_version.split(' ')[0] ?? 'unknown'}`;
  });
}
