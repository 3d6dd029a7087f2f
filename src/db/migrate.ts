// Migrations without the Prisma CLI: its `migrate` needs a native schema engine
// these machines cannot download, so the same engine's WASM build is driven
// here through driver adapters (see shared/STACK-NOTES.md, "Prisma 7 specifics").
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

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

/** Overrides for {@link diffSchemaToMigrationSql}. */
export interface DiffOptions extends MigrateOptions {
  /** The Prisma schema to migrate towards. */
  schemaPath?: string;
}

/**
 * The repository root, found from this file rather than process.cwd() so that
 * `npm run` from a subfolder, vitest and the server all read the same
 * migrations. Walking up (instead of a fixed `../..`) survives this file moving.
 */
export const REPO_ROOT: string = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** The committed migrations, the single source of truth for every database's shape. */
export const MIGRATIONS_DIR: string = join(REPO_ROOT, 'prisma', 'migrations');

/** The edited model that the next migration is diffed towards. */
export const SCHEMA_PATH: string = join(REPO_ROOT, 'prisma', 'schema.prisma');

const LOCKFILE_NAME = 'migration_lock.toml';
const MIGRATION_FILE_NAME = 'migration.sql';
// No tables or enums are managed outside Prisma in this project.
const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'prisma', 'schema.prisma'))) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`No repository root (package.json beside prisma/schema.prisma) above ${start}`);
    }
  }
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

/**
 * The SQL of the next migration: the committed migrations replayed into a
 * throwaway in-memory PGlite (the shadow database `prisma migrate dev` would
 * create on a server) diffed against the schema file. Returns null when the
 * schema adds nothing, so callers can refuse to write empty migrations.
 */
export async function diffSchemaToMigrationSql(options: DiffOptions = {}): Promise<string | null> {
  const migrationsList = await readMigrationsList(options.migrationsDir ?? MIGRATIONS_DIR);
  // The engine learns the connector from the lock file; before the first
  // migration there is none yet, and the caller writes it with the migration.
  migrationsList.lockfile.content ??= MIGRATION_LOCK_CONTENT;
  const schemaPath = options.schemaPath ?? SCHEMA_PATH;
  const schema = { files: [{ path: schemaPath, content: await readFile(schemaPath, 'utf8') }] };
  // Each in-memory PGlite runs initdb (3-5 s here), and the engine only asks
  // the main connection for the server version before replaying into the
  // shadow, so one throwaway database serves as both.
  let scratch: Promise<PGlite> | undefined;
  const open = async (): Promise<Connection> => pgliteConnection(await (scratch ??= PGlite.create()));
  const factory = migrationAdapterFactory({ main: open, shadow: open });
  try {
    return await withEngine(factory, options.onEngineLog, async (engine) => {
      const result = await engine.diff({
        from: { tag: 'migrations', ...migrationsList },
        to: { tag: 'schemaDatamodel', ...schema },
        script: true,
        exitCode: true,
        filters: NO_FILTER,
      });
      // exitCode 2 is the engine's "the diff is not empty", as for `migrate diff --exit-code`.
      return result.exitCode === 2 && result.stdout ? result.stdout : null;
    });
  } finally {
    if (scratch) await (await scratch).close();
  }
}

/**
 * Reads the migrations folder into the engine's input, exactly as the Prisma
 * CLI does (sorted by folder name, unreadable files passed on as errors for
 * the engine to report), so checksums and ordering match `migrate deploy`.
 */
export async function readMigrationsList(migrationsDir: string = MIGRATIONS_DIR): Promise<MigrationList> {
  const baseDir = resolve(migrationsDir);
  const lockContent = await readFile(join(baseDir, LOCKFILE_NAME), 'utf8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const migrationDirectories = await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map(async (entry) => ({
        path: entry.name,
        migrationFile: {
          path: MIGRATION_FILE_NAME,
          content: await readFile(join(baseDir, entry.name, MIGRATION_FILE_NAME), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
  );
  migrationDirectories.sort((a, b) => a.path.localeCompare(b.path));
  return {
    baseDir,
    lockfile: { path: LOCKFILE_NAME, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

/** The lock file the Prisma CLI writes, byte for byte, so either tool accepts the folder. */
export const MIGRATION_LOCK_CONTENT = `# Please do not edit this file manually
# It should be added in your version-control system (e.g., Git)
provider = "postgresql"
`;

// ---------------------------------------------------------------------------
// The engine

type EngineModule = typeof import('@prisma/schema-engine-wasm');
let engineModule: Promise<EngineModule> | undefined;

// The engine bounds its waits with JS timers (10 s around the advisory lock,
// for one) and never clears them: each run would keep the process alive for
// 10 s after its work is done. Its timers are tracked here and cleared once no
// engine operation is in flight, when nothing can be waiting on them.
const engineTimers = new Set<ReturnType<typeof setTimeout>>();
let operationsInFlight = 0;

// The package's entry does `import * as wasm from "./x.wasm"`, which only
// bundlers understand (Node 20 needs --experimental-wasm-modules), so the glue
// module is imported directly and handed an instance compiled here, once.
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as EngineModule & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const imports: Record<string, unknown> = { ...glue };
    // The binding's name carries a build hash; its shape is `(callback, ms) => handle`.
    const setTimeoutKey = Object.keys(imports).find((key) => key.startsWith('__wbg_setTimeout_'));
    if (setTimeoutKey) {
      imports[setTimeoutKey] = (callback: () => void, ms: number) => {
        const timer = setTimeout(() => {
          engineTimers.delete(timer);
          callback();
        }, ms >>> 0);
        engineTimers.add(timer);
        return timer;
      };
    }
    const bytes = await readFile(join(dirname(gluePath), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': imports as WebAssembly.ModuleImports,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  engineModule.catch(() => (engineModule = undefined));
  return engineModule;
}

async function withEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  onLog: ((line: string) => void) | undefined,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadEngineModule();
  operationsInFlight += 1;
  try {
    return await runEngine(SchemaEngine, factory, onLog, use);
  } finally {
    operationsInFlight -= 1;
    if (operationsInFlight === 0) {
      for (const timer of engineTimers) clearTimeout(timer);
      engineTimers.clear();
    }
  }
}

async function runEngine<T>(
  SchemaEngine: EngineModule['SchemaEngine'],
  factory: SqlMigrationAwareDriverAdapterFactory,
  onLog: ((line: string) => void) | undefined,
  use: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const engine = await SchemaEngine.new(
    { datamodels: undefined },
    (line: string) => onLog?.(line),
    bindMigrationAwareSqlAdapterFactory(factory),
  ).catch((error: unknown) => {
    throw engineError(error);
  });
  try {
    return await use(engine).catch((error: unknown) => {
      throw engineError(error);
    });
  } finally {
    engine.free();
  }
}

/**
 * Whatever the engine rejects with (an Error carrying a Rust span trace, with
 * a `code` for some user-facing errors), normalised so callers can print
 * `.message` alone and still branch on the code; the original is the `cause`.
 */
export class MigrationError extends Error {
  /**
   * The engine's error code when it gave one, e.g. P3009 (an earlier
   * migration failed and must be resolved first). A migration that fails
   * now comes without one: its message quotes the database error.
   */
  readonly code: string | undefined;

  constructor(message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
    this.code = code;
  }
}

function engineError(error: unknown): MigrationError {
  if (error instanceof MigrationError) return error;
  if (error && typeof error === 'object') {
    const record = error as { message?: unknown; error_code?: unknown; code?: unknown };
    const raw = typeof record.message === 'string' ? record.message : JSON.stringify(error);
    // The engine appends a Rust span trace ("   0: schema_engine_wasm::…"),
    // noise to anyone but its authors; the cause keeps it.
    const message = raw.split(/\n\s+0: /)[0]!.trimEnd();
    const code =
      typeof record.error_code === 'string' ? record.error_code : typeof record.code === 'string' ? record.code : undefined;
    return new MigrationError(message, code, { cause: error });
  }
  return new MigrationError(String(error), undefined, { cause: error });
}

// ---------------------------------------------------------------------------
// Connections

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

/** An adapter plus the way to run a whole migration script on its session. */
interface Connection {
  adapter: SqlDriverAdapter;
  runScript(script: string): Promise<void>;
}

/**
 * Both adapters' `executeScript` are unfit for migrations: adapter-pg splits
 * the script on every `;` (breaking any `;` inside a string or a `$$` body)
 * and sends the pieces one by one, so a failing statement leaves the earlier
 * ones applied; pglite-prisma-adapter 0.7.2 does not await `exec`, so a
 * failing migration is recorded as applied and the error is an unhandled
 * rejection. Sending the whole script as one simple-protocol query, as the
 * native engine does, makes each migration atomic and its failure visible.
 */
function migrationAdapterFactory(open: {
  main(): Promise<Connection>;
  shadow(): Promise<Connection>;
}): SqlMigrationAwareDriverAdapterFactory {
  const patch = ({ adapter, runScript }: Connection): SqlDriverAdapter => {
    adapter.executeScript = runScript;
    return adapter;
  };
  return {
    provider: 'postgres',
    adapterName: 'tenant-graph-migrate',
    connect: async () => patch(await open.main()),
    connectToShadowDb: async () => patch(await open.shadow()),
  };
}

async function pgliteConnection(db: PGlite): Promise<Connection> {
  return { adapter: await new PrismaPGlite(db).connect(), runScript: (script) => runPgliteScript(db, script) };
}

async function runPgliteScript(db: PGlite, script: string): Promise<void> {
  try {
    await db.exec(script);
  } catch (error) {
    throw toDriverAdapterError(error);
  }
}

// The engine reads a failed script's database error from this shape (the one
// adapter-pg uses for errors it has no finer kind for) and quotes it in its
// error and in `_prisma_migrations.logs`, as the native engine would.
function toDriverAdapterError(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  const e = error as { code?: unknown; message?: unknown; severity?: unknown; detail?: unknown; column?: unknown; hint?: unknown };
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: e.code,
    severity: typeof e.severity === 'string' ? e.severity : 'ERROR',
    message: e.message,
    detail: typeof e.detail === 'string' ? e.detail : undefined,
    column: typeof e.column === 'string' ? e.column : undefined,
    hint: typeof e.hint === 'string' ? e.hint : undefined,
  });
}
