import { applyMigrations } from '../../src/db/migrate.ts';
import { databaseUrl, TEMPLATE_DATABASE, TEST_DATABASE_PREFIX, withAdmin } from './services.ts';

/** Drops databases that per-file setups of earlier, killed runs left behind. */
async function dropLeftovers(): Promise<void> {
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND NOT datistemplate`,
      [TEST_DATABASE_PREFIX],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

/** Builds the migrated template once per run; each test file clones it in milliseconds. */
export async function setup(): Promise<void> {
  await dropLeftovers();
  await withAdmin(async (admin) => {
    const { rowCount } = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [TEMPLATE_DATABASE]);
    // A template database cannot be dropped until it is an ordinary one again.
    if (rowCount) await admin.query(`ALTER DATABASE "${TEMPLATE_DATABASE}" WITH IS_TEMPLATE false`);
    await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DATABASE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  });
  await applyMigrations({ kind: 'postgres', url: databaseUrl(TEMPLATE_DATABASE) });
  await withAdmin((admin) => admin.query(`ALTER DATABASE "${TEMPLATE_DATABASE}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`));
}

export async function teardown(): Promise<void> {
  await dropLeftovers();
}
