import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirInUseError, openEmbeddedDatabase } from '../../src/db/embedded.ts';

// Two processes writing one PGlite folder corrupt it, and an orphaned server
// used to keep its folder open while the next start opened it again.

const root = await mkdtemp(join(tmpdir(), 'tg-lock-'));
afterAll(() => rm(root, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('the embedded database folder lock', () => {
  it('refuses a folder whose lock names a live process, in one line naming it', async () => {
    const dir = join(root, 'live', 'pglite');
    await mkdir(join(root, 'live'), { recursive: true });
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    try {
      await writeFile(`${dir}.lock`, `${holder.pid}\n`);
      const error = await openEmbeddedDatabase(dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataDirInUseError);
      expect((error as Error).message).toContain(`in use by process ${holder.pid}`);
      expect((error as Error).message).not.toContain('\n');
      // Refused without touching the holder's lock.
      expect(await readFile(`${dir}.lock`, 'utf8')).toBe(`${holder.pid}\n`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a stale lock, holds the folder against a second server, and releases it on close', {
    timeout: 120_000,
  }, async () => {
    const dataDir = join(root, 'stale');
    const dir = join(dataDir, 'pglite');
    await mkdir(dataDir, { recursive: true });
    await writeFile(`${dir}.lock`, `${await deadPid()}\n`);

    const db = await openEmbeddedDatabase(dir);
    try {
      expect(await readFile(`${dir}.lock`, 'utf8')).toBe(`${process.pid}\n`);
      // A second open in this process is refused too.
      await expect(openEmbeddedDatabase(dir)).rejects.toBeInstanceOf(DataDirInUseError);

      // The server started on the same folder stops at once, saying why in one line.
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(process.env))
        if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|VITEST|NODE_ENV)/.test(k)) env[k] = v;
      const started = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { ...env, DATA_DIR: dataDir, PORT: String(await freePort()), LOG_LEVEL: 'silent' },
        timeout: 60_000,
      }).then(
        () => null,
        (e: { code?: number; stderr?: string }) => e,
      );
      expect(started?.code).toBe(1);
      const stderr = started?.stderr?.trim() ?? '';
      expect(stderr.split('\n')).toHaveLength(1);
      expect(stderr).toContain(`The embedded database in ${dir} is in use by process ${process.pid}`);
    } finally {
      await db.close();
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});
