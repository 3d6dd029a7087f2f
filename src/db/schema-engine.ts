// The Prisma CLI's `migrate` needs a native schema-engine binary, downloaded from Prisma's binary
// host, which these machines cannot reach (`prisma generate` only checks that the file named by
// PRISMA_SCHEMA_ENGINE_BINARY exists). The same engine is on npm as @prisma/schema-engine-wasm;
// this module loads it in Node and patches the driver adapters it runs migrations through.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import type { PGlite } from '@electric-sql/pglite';
import {
  bindMigrationAwareSqlAdapterFactory,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm';
import { PrismaPGlite } from 'pglite-prisma-adapter';

/** No tables or enums are managed outside Prisma in this project. */
export const NO_FILTER: SchemaFilter = { externalTables: [], externalEnums: [] };

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

/**
 * Runs `use` on a fresh engine over the adapters `factory` opens, and frees it afterwards.
 * Whatever the engine rejects with becomes a {@link MigrationError}.
 */
export async function withEngine<T>(
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
    const message = (raw.split(/\n\s+0: /)[0] ?? raw).trimEnd();
    const code =
      typeof record.error_code === 'string' ? record.error_code : typeof record.code === 'string' ? record.code : undefined;
    return new MigrationError(message, code, { cause: error });
  }
  return new MigrationError(String(error), undefined, { cause: error });
}

/** An adapter plus the way to run a whole migration script on its session. */
export interface Connection {
  adapter: SqlDriverAdapter;
  runScript(script: string): Promise<void>;
}

/**
 * The adapter factory the engine connects through, with each connection's `executeScript`
 * replaced by its `runScript`. Both adapters' own `executeScript` are unfit for migrations: adapter-pg splits
 * the script on every `;` (breaking any `;` inside a string or a `$$` body)
 * and sends the pieces one by one, so a failing statement leaves the earlier
 * ones applied; pglite-prisma-adapter 0.7.2 does not await `exec`, so a
 * failing migration is recorded as applied and the error is an unhandled
 * rejection. Sending the whole script as one simple-protocol query, as the
 * native engine does, makes each migration atomic and its failure visible.
 */
export function migrationAdapterFactory(open: {
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

/** An open PGlite as a {@link Connection}; the caller keeps owning (and closes) the database. */
export async function pgliteConnection(db: PGlite): Promise<Connection> {
  return { adapter: await new PrismaPGlite(db).connect(), runScript: (script) => runPgliteScript(db, script) };
}

async function runPgliteScript(db: PGlite, script: string): Promise<void> {
  try {
    await db.exec(script);
  } catch (error) {
    throw toDriverAdapterError(error);
  }
}

/**
 * A database error in the shape the engine reads a failed script's error from (the one adapter-pg
 * uses for errors it has no finer kind for), so the engine quotes it in its error and in
 * `_prisma_migrations.logs`, as the native engine would. Anything else passes through.
 */
export function toDriverAdapterError(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  const e = error as {
    code?: unknown;
    message?: unknown;
    severity?: unknown;
    detail?: unknown;
    column?: unknown;
    hint?: unknown;
  };
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
