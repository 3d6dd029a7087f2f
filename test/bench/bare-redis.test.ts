import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postTo, startBareRedis } from '../helpers/bare-redis.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

// The ceiling of a hit is only a ceiling if it really asks Redis once per
// request: a server that kept the bytes in memory would be the bare one again.
describe('the bare + 1 Redis GET ceiling (bench/peers/bare-redis.ts)', () => {
  const prefix = `bench:test-bare-redis-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(TEST_REDIS_URL);
  let ceiling: Awaited<ReturnType<typeof startBareRedis>>;
  const answer = Buffer.from('{"data":{"viewer":{"name":"Alice"}}}');

  beforeAll(async () => {
    ceiling = await startBareRedis(answer, { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix });
  });

  afterAll(async () => {
    await ceiling?.stop();
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const post = () => postTo(ceiling.server);

  it('answers the stored bytes, fetched from Redis with one GET per request', async () => {
    const first = await post();
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).equals(answer)).toBe(true);

    const monitor = await redis.monitor();
    const gets: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      // MONITOR shows every client's commands: only this server's keys (its own prefix) count.
      if (args[0]?.toLowerCase() === 'get' && args[1]?.startsWith(prefix)) gets.push(args[1]);
    });
    try {
      await (await post()).arrayBuffer();
      await (await post()).arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      monitor.disconnect();
    }
    // One GET each, on the next viewer's key: reads spread over the slots as many viewers' hits do.
    expect(gets).toHaveLength(2);
    expect(gets[0]).toMatch(new RegExp(`^${prefix}\\{v:\\d+\\}:answer$`));
    expect(gets[1]).not.toBe(gets[0]);

    // What it sends is what Redis holds now, not a copy of its own.
    const keys = await redis.keys(`${prefix}*`);
    expect(keys).toHaveLength(500);
    await Promise.all(keys.map((key) => redis.set(key, '{"data":null}')));
    expect(await (await post()).text()).toBe('{"data":null}');
  });
});
