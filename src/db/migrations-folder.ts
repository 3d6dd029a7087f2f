// The committed migrations folder, read the way the Prisma CLI reads it.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { MigrationList } from '@prisma/schema-engine-wasm';

/**
 * The repository root, found from this file rather than process.cwd() so that
 * `npm run` from a subfolder, vitest and the server all read the same
 * migrations. Walking up (instead of a fixed `../..`) survives this file moving.
 */
export const REPO_ROOT: string = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** The committed migrations, the single source of truth for every database's shape. */
export const MIGRATIONS_DIR: string = join(REPO_ROOT, 'prisma', 'migrations');

const LOCKFILE_NAME = 'migration_lock.toml';
const MIGRATION_FILE_NAME = 'migration.sql';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'prisma', 'schema.prisma'))) return dir;
    if (dirname(dir) === dir) {
      throw new Error(`No repository root (package.json beside prisma/schema.prisma) above ${start}`);
    }
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
