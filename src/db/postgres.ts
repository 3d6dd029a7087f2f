import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { Env } from '../env.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { BatchReads } from './batch-reads.ts';
import { pgBatchReads } from './pg-batch-reads.ts';

/** Prisma and the loaders' prepared statements on one PostgreSQL pool. */
export interface PostgresClients {
  readonly prisma: PrismaClient;
  readonly reads: BatchReads;
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * The pool's settings: without timeouts, a database that drops packets rather
 * than refusing them holds every request until the kernel gives up on TCP,
 * minutes later. A query that times out makes pg-pool discard its connection
 * (its reply may still come), so one lost answer never poisons the next query.
 */
export function poolConfig(
  env: Pick<Env, 'DATABASE_URL' | 'DATABASE_CONNECT_TIMEOUT_MS' | 'DATABASE_QUERY_TIMEOUT_MS'>,
): pg.PoolConfig {
  return {
    connectionString: env.DATABASE_URL,
    connectionTimeoutMillis: env.DATABASE_CONNECT_TIMEOUT_MS,
    query_timeout: env.DATABASE_QUERY_TIMEOUT_MS,
    keepAlive: true,
  };
}

/**
 * Opens the pool lazily (nothing connects until the first query). One pool
 * serves both paths, so its size bounds every connection the instance opens.
 */
export function connectPostgres(config: pg.PoolConfig, onIdleError: (error: Error) => void = () => {}): PostgresClients {
  const pool = new pg.Pool(config);
  // A connection the server drops while idle (a restart, a cut) must not crash the process: the next query reconnects.
  pool.on('error', onIdleError);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    prisma,
    reads: pgBatchReads(pool),
    pool,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
