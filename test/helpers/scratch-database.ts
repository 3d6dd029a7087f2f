import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { applyMigrations } from '../../src/db/migrate.ts';
import { databaseUrl, TEST_DATABASE_PREFIX, withAdmin } from './services.ts';

/** An empty (or freshly migrated) database of one test's own, not cloned from the template. */
export interface ScratchDatabase {
  name: string;
  url: string;
  /** Whether the server has a database of this name now. */
  exists(): Promise<boolean>;
  drop(): Promise<void>;
}

/**
 * A name in this run's namespace: global teardown drops whatever a test left
 * behind under it, so a failed or killed test leaks nothing past its run.
 */
export function scratchDatabaseName(): string {
  return `${TEST_DATABASE_PREFIX}${inject('testRun')}_scratch_${randomBytes(4).toString('hex')}`;
}

/** The one way tests make a database outside the template: created empty, migrated when asked, not created with `create: false`. */
export async function createScratchDatabase(options: { migrate?: boolean; create?: boolean } = {}): Promise<ScratchDatabase> {
  const name = scratchDatabaseName();
  const url = databaseUrl(name);
  if (options.create ?? true) await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}"`));
  if (options.migrate) await applyMigrations({ kind: 'postgres', url });
  return {
    name,
    url,
    async exists() {
      const { rowCount } = await withAdmin((admin) => admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]));
      return rowCount === 1;
    },
    async drop() {
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
