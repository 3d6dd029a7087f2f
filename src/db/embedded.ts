// The embedded default database: PostgreSQL compiled to WASM, kept in a folder,
// so the server runs on a laptop with no database installed. Single
// connection: right for one developer, never for load.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';

/** An open embedded database and what Prisma Client needs to use it. */
export interface EmbeddedDatabase {
  /** The PGlite itself, for migrations (`applyMigrations({ kind: 'pglite', db })`) and raw SQL. */
  readonly db: PGlite;
  /** Pass as `new PrismaClient({ adapter })`; it shares `db`'s one connection. */
  readonly adapter: PrismaPGlite;
  /**
   * Flushes and releases the data folder. Call it after the last Prisma query
   * (disconnect the client first): an unclosed PGlite can leave the folder
   * needing recovery on the next open.
   */
  close(): Promise<void>;
}

/**
 * Opens (creating when needed) the on-disk PGlite in `dataDir`. The folder is
 * made first because PGlite only creates its last path segment. A fresh folder
 * runs initdb, which takes seconds; reopening is faster. Only one process may
 * have a folder open at a time: PGlite has no cross-process locking.
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const path = resolve(dataDir);
  await mkdir(path, { recursive: true });
  const db = await PGlite.create({ dataDir: path });
  let closing: Promise<void> | undefined;
  return {
    db,
    adapter: new PrismaPGlite(db),
    // Idempotent, so shutdown hooks and test teardown can both call it.
    close: () => (closing ??= db.closed ? Promise.resolve() : db.close()),
  };
}
