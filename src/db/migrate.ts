// Applies the committed migrations on the WASM schema engine (see schema-engine.ts for why not the
// Prisma CLI), to PostgreSQL by URL or to an open PGlite.
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

import { MIGRATIONS_DIR, readMigrationsList } from './migrations-folder.ts';
import { migrationAdapterFactory, NO_FILTER, pgliteConnection, toDriverAdapterError, withEngine } from './schema-engine.ts';

/**
 * Where migrations are applied. A URL for a real server (CI, production) or an
 * already open PGlite, because the embedded database is only reachable through
 * the instance that owns its data directory.
 */
export type MigrationTarget = { kind: 'postgres'; url: string } | { kind: 'pglite'; db: PGlite };

/** Overrides for tests and tools; the defaults are the repository's own files. */
export interface MigrateOptions {
  /** Folder holding `<name>/migration.sql` and `migration_lock.toml`. */
  migrationsDir?: string;
  /** Receives the engine's structured log lines (JSON), which are otherwise dropped. */
  onEngineLog?: (line: string) => void;
}

/** Options for {@link applyMigrations}. */
export interface ApplyOptions extends MigrateOptions {
  /**
   * Called as each migration starts, so a long one shows progress while it
   * runs rather than only in the returned list. Read from the engine's log,
   * whose format is not an API: callers must not rely on it firing.
   */
  onMigrationStart?: (migrationName: string) => void;
}

/**
 * Applies every committed migration the database does not have yet, recording
 * each in `_prisma_migrations` the way `prisma migrate deploy` does (same
 * engine, same checksums), so the CLI and this function can take turns on one
 * database. Returns the names applied now: empty when it was already current.
 */
export async function applyMigrations(target: MigrationTarget, options: ApplyOptions = {}): Promise<string[]> {
  const migrationsList = await readMigrationsList(options.migrationsDir ?? MIGRATIONS_DIR);
  const connection = openTarget(target);
  const { onEngineLog, onMigrationStart } = options;
  const onLog = (line: string) => {
    onEngineLog?.(line);
    if (onMigrationStart) {
      const name = startedMigration(line);
      if (name) onMigrationStart(name);
    }
  };
  try {
    return await withEngine(connection.factory, onLog, async (engine) => {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
      return appliedMigrationNames;
    });
  } finally {
    await connection.close();
  }
}

// The engine logs `{"fields":{"message":"Applying `name`"},"span":{"migration_name":"name",…}}`
// as each migration starts.
function startedMigration(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { fields?: { message?: unknown }; span?: { migration_name?: unknown } };
    const name = entry.span?.migration_name;
    const message = entry.fields?.message;
    if (typeof name === 'string' && typeof message === 'string' && message.startsWith('Applying ')) return name;
  } catch {
    // Not JSON: not a line this looks for.
  }
  return undefined;
}

/** A target opened for the engine, and how to release what opening it took. */
interface OpenTarget {
  factory: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

function openTarget(target: MigrationTarget): OpenTarget {
  if (target.kind === 'pglite') {
    const db = target.db;
    return {
      factory: migrationAdapterFactory({ main: () => pgliteConnection(db), shadow: noShadow }),
      // The caller owns the PGlite and decides when to close it.
      close: async () => {},
    };
  }
  // One connection, as the native engine uses: the engine's advisory lock is
  // per session, and a larger pool could run a migration on a connection that
  // does not hold it.
  const pool = new pg.Pool({ connectionString: target.url, max: 1 });
  // An idle client's error (server restart) must not crash the process; the
  // next query reports it instead.
  pool.on('error', () => {});
  const inner = new PrismaPg(pool);
  return {
    factory: migrationAdapterFactory({
      main: async () => ({
        adapter: await inner.connect(),
        runScript: async (script) => {
          try {
            await pool.query(script);
          } catch (error) {
            throw toDriverAdapterError(error);
          }
        },
      }),
      shadow: noShadow,
    }),
    close: () => pool.end(),
  };
}

// Applying never needs a shadow database; only diffs do, and they bring their own.
async function noShadow(): Promise<never> {
  throw new Error('No shadow database here: applying migrations does not need one.');
}
