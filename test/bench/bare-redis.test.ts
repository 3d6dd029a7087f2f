import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type ServerProcess, startServerProcess } from '../../bench/process.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

// The ceiling of a hit is only a ceiling if it really asks Redis once per
// request: a server that kept the bytes in memory would be the bare one again.
describe('the bare + 1 Redis GET ceiling (bench/peers/bare-redis.ts)', () => {
  const prefix = `bench:test-bare-redis-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(TEST_REDIS_URL);
  let dir = '';
  let server: ServerProcess;
  const answer = Buffer.from('{"data":{"viewer":{"name":"Alice"}}}');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bare-redis-'));
    const file = join(dir, 'answer.json');
    await writeFile(file, answer);
    const port = await freePort();
    server = await startServerProcess({
      entry: 'bench/peers/bare-redis.ts',
      port,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        BARE_RESPONSE_FILE: file,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  });

  const post = () =>
    fetch(`${server.origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ x }"}',
    });

  it('answers the stored bytes, fetched from Redis with one GET per request', async () => {
    const first = await post();
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).equals(answer)).toBe(true);

    const monitor = await redis.monitor();
    const gets: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'get') gets.push(args[1] ?? '');
    });
    try {
      await (await post()).arrayBuffer();
      await (await post()).arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      monitor.disconnect();
    }
    expect(gets).toEqual([`${prefix}answer`, `${prefix}answer`]);

    // What it sends is what Redis holds now, not a copy of its own.
    await redis.set(`${prefix}answer`, '{"data":null}');
    expect(await (await post()).text()).toBe('{"data":null}');
  });
});
