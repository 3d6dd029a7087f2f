import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/db/migrations-folder.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

// The production start: `npm run build`, then plain `node dist/main.js`, with
// no TypeScript loader. Built into a folder of its own inside the repository
// (so packages and migrations resolve as from dist/), never over dist/ itself.

const outDir = join(REPO_ROOT, 'node_modules', '.cache', `tg-build-${randomBytes(4).toString('hex')}`);
let db: TestDatabase | undefined;
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
  await db?.drop();
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('npm run build', () => {
  it('emits JavaScript that node runs as the server, and that stops cleanly on SIGTERM', { timeout: 180_000 }, async () => {
    await promisify(execFile)(process.execPath, ['scripts/build.mjs', outDir], { cwd: REPO_ROOT, timeout: 150_000 });
    expect(existsSync(join(outDir, 'main.js'))).toBe(true);
    expect(existsSync(join(outDir, 'src', 'generated', 'prisma', 'client.js'))).toBe(true);

    db = await createTestDatabase();
    const port = await freePort();
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !/^(DATABASE_URL|REDIS_URL|VITEST|NODE_ENV|NODE_OPTIONS)/.test(k)) env[k] = v;
    const child = spawn(process.execPath, [join(outDir, 'main.js')], {
      cwd: REPO_ROOT,
      env: { ...env, NODE_ENV: 'production', DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`node dist/main.js exited early:\n${output}`);
        if (Date.now() > deadline) throw new Error(`node dist/main.js not ready in 60 s:\n${output}`);
        const ready = await fetch(`http://127.0.0.1:${port}/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ready) break;
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ viewer { id } }' }),
      });
      expect(await response.json()).toEqual({ data: { viewer: null } });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output).toBe(0);
    expect(output).toContain('"msg":"stopped"');
  });
});
