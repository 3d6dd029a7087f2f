import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Env } from '../env.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../logger.ts';
import { openEmbeddedDatabase } from './embedded.ts';
import { applyMigrations } from './migrate.ts';

/** The database the server runs on: PostgreSQL by DATABASE_URL, or the embedded default. */
export interface Database {
  readonly kind: 'postgres' | 'embedded';
  readonly prisma: PrismaClient;
  close(): Promise<void>;
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
  env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR'>,
  logger: Logger,
  seeder?: Seeder,
): Promise<Database> {
  if (env.DATABASE_URL) {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL }) });
    return { kind: 'postgres', prisma, close: () => prisma.$disconnect() };
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
