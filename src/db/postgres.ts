import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
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
