import { join } from 'node:path';
import type pg from 'pg';
import type { Env } from '../env.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';
import { type BatchReads, prismaBatchReads } from './batch-reads.ts';
import { openEmbeddedDatabase } from './embedded.ts';
import { applyMigrations } from './migrate.ts';
import { connectPostgres, poolConfig } from './postgres.ts';

/** The database the server runs on: PostgreSQL by DATABASE_URL, or the embedded default. */
export interface Database {
  readonly kind: 'postgres' | 'embedded';
  /** Writes, and whatever reads are not batch loads. */
  readonly prisma: PrismaClient;
  /** The loaders' batch reads: prepared statements on PostgreSQL, Prisma on the embedded database. */
  readonly reads: BatchReads;
  /** The connection pool Prisma and the batch reads share (PostgreSQL only): /metrics reports it. */
  readonly pool?: pg.Pool;
  close(): Promise<void>;
}

/** The database named by DATABASE_URL did not answer at start; the message is one line, fit for an operator. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

/** Where a URL points, without its credentials: what an error may show. */
function whereOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** The one line of a driver error that says what went wrong (Prisma wraps it in several lines of context). */
function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const last =
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1) ?? 'unknown error';
  return /Message: `(.*)`$/.exec(last)?.[1] ?? last;
}

/** Options of openDatabase. */
export interface OpenOptions {
  /** How long the first query may take before start gives up (a host that drops packets never refuses). @default 10000 */
  connectTimeoutMs?: number;
}

/** Fills an empty embedded database with demo data; passed in so src/ does not depend on prisma/seed.ts. */
export type Seeder = (prisma: PrismaClient, log: (line: string) => void) => Promise<void>;

/**
 * Opens the database. With DATABASE_URL it connects to that server (migrate it
 * with `npm run db:migrate`). Without, it opens the embedded PostgreSQL under
 * DATA_DIR, applies the migrations and seeds it on first start, so a fresh
 * clone serves real data with nothing installed.
 */
export async function openDatabase(
  env: Pick<Env, 'DATABASE_URL' | 'DATABASE_CONNECT_TIMEOUT_MS' | 'DATABASE_QUERY_TIMEOUT_MS' | 'DATA_DIR'>,
  logger: Logger,
  seeder?: Seeder,
  options: OpenOptions = {},
): Promise<Database> {
  if (env.DATABASE_URL) {
    const { prisma, reads, pool, close } = connectPostgres(poolConfig(env), (error) =>
      logger.warn({ err: error }, 'an idle PostgreSQL connection failed'),
    );
    // Prisma connects lazily: without this, a wrong URL starts a server whose every request fails.
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        prisma.$queryRaw`SELECT 1`,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      void close().catch(() => {});
      throw new DatabaseUnavailableError(`cannot use PostgreSQL at ${whereOf(env.DATABASE_URL)}: ${reasonOf(error)}`);
    } finally {
      clearTimeout(timer);
    }
    return { kind: 'postgres', prisma, reads, pool, close };
  }
  const dir = join(env.DATA_DIR, 'pglite');
  logger.info(
    `no DATABASE_URL: opening the embedded PostgreSQL in ${dir} (the first start creates, migrates and seeds it, about 30 s)`,
  );
  const embedded = await openEmbeddedDatabase(dir);
  try {
    const applied = await applyMigrations({ kind: 'pglite', db: embedded.db });
    const prisma = new PrismaClient({ adapter: embedded.adapter });
    const empty = (await prisma.user.count()) === 0;
    if (empty && seeder) await seeder(prisma, (line) => logger.info(line));
    logger.info(
      { dataDir: dir, migrationsApplied: applied.length, seeded: empty && Boolean(seeder) },
      `embedded PostgreSQL ready${empty && seeder ? ': migrated and seeded with demo data' : ''}`,
    );
    return {
      kind: 'embedded',
      prisma,
      reads: prismaBatchReads(prisma),
      async close() {
        await prisma.$disconnect();
        await embedded.close();
      },
    };
  } catch (error) {
    await embedded.close();
    throw error;
  }
}
