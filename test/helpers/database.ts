import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { inject } from 'vitest';
import { databaseUrl, templateName, TEST_DATABASE_PREFIX, withAdmin } from './services.ts';

/** A database of this test file's own, with a counter of the SQL statements Prisma sent to it. */
export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  /** Statements Prisma has sent since the last reset. */
  queries: { count: number; statements: string[]; reset(): void };
  drop(): Promise<void>;
}

/** Clones the migrated template into a fresh database; cheap enough for every file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const run = inject('testRun');
  const name = `${TEST_DATABASE_PREFIX}${run}_${randomBytes(4).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(run)}"`));
  const url = databaseUrl(name);
  const prisma = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url }),
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
  prisma.$on('query', (event) => {
    queries.count += 1;
    queries.statements.push(event.query);
  });
  return {
    url,
    prisma,
    queries,
    async drop() {
      await prisma.$disconnect();
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
