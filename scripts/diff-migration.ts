// `npm run db:diff -- <name>`: what `prisma migrate dev --create-only` would
// write, with an in-memory PGlite as the shadow database, because the CLI's
// native engine cannot be downloaded here.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

import { MIGRATIONS_DIR, readMigrationsList } from '../src/db/migrations-folder.ts';
import { diffSchemaToMigrationSql, MIGRATION_LOCK_CONTENT } from './lib/schema-diff.ts';

const usage = 'Usage: npm run db:diff -- <name>   (e.g. add_feature_flag_description)';

// Folder names are sorted to order migrations, and end up in shell commands
// and URLs: keep them to word characters, as `prisma migrate dev` does.
const rawName = process.argv.slice(2).join(' ').trim();
const name = rawName
  .replace(/[^A-Za-z0-9]+/g, '_')
  .replace(/^_+|_+$/g, '')
  .slice(0, 200);
if (!name) {
  console.error(rawName ? `"${rawName}" has no letters or digits to name a migration with.\n${usage}` : usage);
  process.exit(2);
}

// The UTC timestamp prefix is what orders migrations; it matches the CLI's.
function timestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

try {
  const sql = await diffSchemaToMigrationSql();
  if (sql === null) {
    console.log('no changes: prisma/schema.prisma matches the migrations; nothing written.');
  } else {
    const folder = `${timestamp(new Date())}_${name}`;
    const { migrationDirectories } = await readMigrationsList();
    const latest = migrationDirectories.at(-1)?.path;
    // A folder sorting before the latest would be applied out of order on a
    // fresh database (clock skew, or two diffs in one second).
    if (latest !== undefined && folder.localeCompare(latest) <= 0) {
      throw new Error(`${folder} would not sort after the latest migration ${latest}; wait a second and retry.`);
    }
    const dir = join(MIGRATIONS_DIR, folder);
    await mkdir(MIGRATIONS_DIR, { recursive: true });
    await mkdir(dir);
    await writeFile(join(dir, 'migration.sql'), sql, 'utf8');
    const lockPath = join(MIGRATIONS_DIR, 'migration_lock.toml');
    if (!existsSync(lockPath)) await writeFile(lockPath, MIGRATION_LOCK_CONTENT, 'utf8');
    console.log(`Wrote ${relative(process.cwd(), join(dir, 'migration.sql'))}. Review it, then npm run db:migrate.`);
  }
} catch (error) {
  console.error(`Could not create the migration: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
  process.exitCode = 1;
}
