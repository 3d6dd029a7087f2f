import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, openDatabase } from '../../src/db/index.ts';
import { loadEnv } from '../../src/env.ts';
import { createLogger } from '../../src/logger.ts';
import { databaseUrl } from '../helpers/services.ts';
import { runMain, SPAWN_TEST_TIMEOUT_MS } from '../helpers/run-main.ts';

// A DATABASE_URL that cannot be used stops the server at start with one line
// saying where and why, not a stack trace, and not a server whose every request fails.

const logger = createLogger(loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
const dataDir = '/nonexistent-data-dir';

/** A loopback server that accepts connections and never says a word: a host that does not answer. */
let silent: Server;
const sockets = new Set<Socket>();
beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});
const silentUrl = () => {
  const address = silent.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return `postgresql://postgres@127.0.0.1:${address.port}/db`;
};

async function openError(url: string, connectTimeoutMs?: number): Promise<Error> {
  try {
    const db = await openDatabase({ ...loadEnv({}), DATABASE_URL: url, DATA_DIR: dataDir }, logger, undefined, {
      connectTimeoutMs,
    });
    await db.close();
  } catch (error) {
    return error as Error;
  }
  throw new Error(`openDatabase(${url}) succeeded`);
}

describe('openDatabase', () => {
  it('refuses an unreachable host at once, naming it, in one line', async () => {
    const error = await openError('postgresql://postgres@127.0.0.1:1/app');
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toBe("cannot use PostgreSQL at 127.0.0.1:1/app: Can't reach database server at 127.0.0.1:1");
  });

  it('refuses a database that does not exist, naming it', async () => {
    const error = await openError(databaseUrl('tg_no_such_database'));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toMatch(
      /^cannot use PostgreSQL at .+\/tg_no_such_database: database "tg_no_such_database" does not exist$/,
    );
  });

  it('gives up on a host that accepts and never answers, after the connect timeout', async () => {
    const error = await openError(silentUrl(), 200);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toMatch(/: no answer within 200 ms$/);
  });

  it('never shows the password of the URL', async () => {
    const error = await openError('postgresql://postgres:s3cret-pw@127.0.0.1:1/app');
    expect(error.message).not.toContain('s3cret-pw');
  });

  it('opens a reachable database (the control)', async () => {
    const db = await openDatabase({ ...loadEnv({}), DATABASE_URL: databaseUrl('postgres'), DATA_DIR: dataDir }, logger);
    expect(db.kind).toBe('postgres');
    await db.close();
  });
});

describe('the process entry', () => {
  /** The server's output without its own log lines (JSON), which are not what an operator is told here. */
  const notLogs = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('{'))
      .join('\n');

  it.each([
    [
      'an unreachable host',
      'postgresql://postgres@127.0.0.1:1/app',
      /^failed to start: cannot use PostgreSQL at 127\.0\.0\.1:1\/app: Can't reach/,
    ],
    ['an unparsable URL', 'postgresql://postgres@127.0.0.1:port/app', /^Invalid configuration: DATABASE_URL is not a valid URL$/],
    ['a URL of another database', 'mysql://127.0.0.1/app', /^Invalid configuration: DATABASE_URL must be a postgres/],
  ])(
    'with %s exits 1 with one line and no stack trace',
    async (_label, url, message) => {
      const run = await runMain({ NODE_ENV: 'production', LOG_LEVEL: 'error', DATABASE_URL: url, REDIS_URL: '' });
      expect(run.timedOut).toBe(false);
      expect(run.code).toBe(1);
      const said = notLogs(run.stderr + run.stdout);
      expect(said).toMatch(message);
      expect(said.split('\n')).toHaveLength(1);
      expect(run.stderr + run.stdout).not.toMatch(/^\s+at /m);
    },
    SPAWN_TEST_TIMEOUT_MS,
  );
});
