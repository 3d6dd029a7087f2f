// `npm run db:migrate`: what `prisma migrate deploy` would do, on the WASM
// engine, because the CLI's native engine cannot be downloaded here.
import { relative } from 'node:path';

import pg from 'pg';

import { applyMigrations } from '../src/db/migrate.ts';
import { MIGRATIONS_DIR, readMigrationsList } from '../src/db/migrations-folder.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    'DATABASE_URL is not set. Point it at the PostgreSQL database to migrate, e.g.\n' +
      '  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/tenant_graph npm run db:migrate',
  );
  process.exit(2);
}

// pg reads a malformed URL as something else entirely (e.g. a host named
// `base`), so the error would point the wrong way.
if (!/^postgres(ql)?:\/\//.test(url) || !URL.canParse(url)) {
  console.error('DATABASE_URL must be a postgresql:// URL, e.g. postgresql://postgres@127.0.0.1:5432/tenant_graph');
  process.exit(2);
}

// Never print the password; the rest tells the operator which database this was.
function describe(connectionString: string): string {
  try {
    const parsed = new URL(connectionString);
    return `${parsed.hostname}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return 'the database in DATABASE_URL';
  }
}

/**
 * Creates the database when the server says it does not exist, as `prisma
 * migrate deploy` does, so a fresh server needs no manual CREATE DATABASE.
 * Returns whether it had to.
 */
async function ensureDatabaseExists(connectionString: string): Promise<boolean> {
  const probe = new pg.Client({ connectionString });
  try {
    await probe.connect();
    return false;
  } catch (error) {
    // 3D000: invalid_catalog_name. Anything else (refused, auth) is for the
    // engine to report in its own words.
    if ((error as { code?: unknown }).code !== '3D000') return false;
  } finally {
    await probe.end().catch(() => {});
  }
  const target = new URL(connectionString);
  const name = decodeURIComponent(target.pathname.slice(1));
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  return true;
}

const where = describe(url);
const started = performance.now();
try {
  if (await ensureDatabaseExists(url)) console.log(`Created database ${where}`);
  const { migrationDirectories } = await readMigrationsList();
  console.log(
    `${migrationDirectories.length} migration(s) in ${relative(process.cwd(), MIGRATIONS_DIR) || '.'}; applying to ${where}`,
  );
  const announced = new Set<string>();
  const applied = await applyMigrations(
    { kind: 'postgres', url },
    {
      onMigrationStart: (name) => {
        announced.add(name);
        console.log(`  applying ${name}`);
      },
    },
  );
  // The start hook reads the engine's log, which may change shape: whatever it
  // missed is still reported, once.
  for (const name of applied) if (!announced.has(name)) console.log(`  applied ${name}`);
  const ms = Math.round(performance.now() - started);
  console.log(
    applied.length === 0
      ? `Already up to date: no migration to apply (${ms} ms).`
      : `Applied ${applied.length} migration(s) to ${where} in ${ms} ms.`,
  );
} catch (error) {
  // Expected failures (refused connection, a failing migration) read best as
  // the message alone; DEBUG=1 brings the stack back for the unexpected.
  const message = error instanceof Error ? error.message : String(error);
  console.error(`Migration of ${where} failed: ${message}`);
  if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
  process.exitCode = 1;
}
