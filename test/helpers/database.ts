import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { BatchReads } from '../../src/db/batch-reads.ts';
import { pgBatchReads } from '../../src/db/pg-batch-reads.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { inject } from 'vitest';
import { databaseUrl, templateName, TEST_DATABASE_PREFIX, withAdmin } from './services.ts';

/**
 * A database of this test file's own, with a counter of the SQL statements sent
 * to it, by Prisma and by the loaders' prepared statements alike.
 */
export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  /** The loaders' batch reads, as production builds them on PostgreSQL (db/index.ts), counted. */
  reads: BatchReads;
  /** The pool Prisma and the batch reads share. */
  pool: pg.Pool;
  /** Statements sent since the last reset. */
  queries: { count: number; statements: string[]; reset(): void };
  drop(): Promise<void>;
}

/** Clones the migrated template into a fresh database; cheap enough for every file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const run = inject('testRun');
  const name = `${TEST_DATABASE_PREFIX}${run}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(run)}"`));
  const url = databaseUrl(name);
  const pool = new pg.Pool({ connectionString: url });
  pool.on('error', () => {});
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    log: [{ emit: 'event', level: 'query' }],
  });
  const queries = {
    count: 0,
    statements: [] as string[],
    reset() {
      this.count = 0;
      this.statements = [];
    },
  };
  const sent = (statement: string) => {
    queries.count += 1;
    queries.statements.push(statement);
  };
  prisma.$on('query', (event) => sent(event.query));
  return {
    url,
    prisma,
    reads: pgBatchReads(pool, sent),
    pool,
    queries,
    async drop() {
      await prisma.$disconnect();
      await pool.end();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
