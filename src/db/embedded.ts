// The embedded default database: PostgreSQL compiled to WASM, kept in a folder,
// so the server runs on a laptop with no database installed. Single
// connection: right for one developer, never for load.
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
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

/** Raised when another live process holds the data folder; its message is one line saying what to do. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** Folders this process holds, so a lock naming our own pid can tell "ours" from "left by an earlier process with our pid". */
const heldHere = new Set<string>();

/**
 * Opens (creating when needed) the on-disk PGlite in `dataDir`. The folder is
 * made first because PGlite only creates its last path segment. A fresh folder
 * runs initdb, which takes seconds; reopening is faster. PGlite has no
 * cross-process locking and two processes writing one folder corrupt it, so a
 * lock file beside the folder names the holder's pid; a live holder makes
 * this throw DataDirInUseError, a dead one's lock is taken over.
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<EmbeddedDatabase> {
  const path = resolve(dataDir);
  await mkdir(path, { recursive: true });
  const release = await lockDataDir(path);
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir: path });
  } catch (error) {
    await release();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    db,
    adapter: new PrismaPGlite(db),
    // Idempotent, so shutdown hooks and test teardown can both call it.
    close: () => (closing ??= (db.closed ? Promise.resolve() : db.close()).finally(release)),
  };
}

/**
 * Takes `<path>.lock` (created exclusively, holding our pid) and returns its
 * release. The lock sits beside the folder, not in it, so PGlite never sees a
 * stranger file among its own. A process that died without releasing leaves
 * a lock whose pid is gone (or is ours but not held here, as when a container
 * restarts as pid 1): that lock is stale and taken over.
 */
async function lockDataDir(path: string): Promise<() => Promise<void>> {
  const lockPath = `${path}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      heldHere.add(path);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        heldHere.delete(path);
        // Only our own lock is removed: a takeover by another process after ours went stale must survive.
        const holder = await readFile(lockPath, 'utf8').catch(() => '');
        if (Number.parseInt(holder, 10) === process.pid) await unlink(lockPath).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw error;
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    const live = holder === process.pid ? heldHere.has(path) : isAlive(holder);
    if (live) {
      throw new DataDirInUseError(
        `The embedded database in ${path} is in use by process ${holder} (lock ${lockPath}): stop that server, or set DATA_DIR to another folder.`,
      );
    }
    await unlink(lockPath).catch(() => {});
  }
}

/** Whether a process with this pid exists; EPERM means it exists under another user. */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
