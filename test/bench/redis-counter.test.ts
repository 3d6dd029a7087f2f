import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespCommandParser, startRedisCounter, type RedisCounter } from '../../bench/redis-counter.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

/** A command as clients send it: an array of bulk strings. */
const command = (...args: (string | Buffer)[]) =>
  Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.flatMap((arg) => {
      const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(arg);
      return [Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n')];
    }),
  ]);

describe('the RESP command parser', () => {
  // Payloads full of protocol look-alikes: they must be skipped by length, not read.
  const tricky = Buffer.from('*3\r\n$3\r\nSET\r\n\n\r\n*1\r\n');
  const stream = Buffer.concat([
    command('PING'),
    command('SET', 'k', tricky),
    command('MGET', 'a', 'b', 'c'),
    Buffer.from('PING\r\n'),
    command('GET', Buffer.alloc(0)),
  ]);

  it('counts each command once, in one chunk or split anywhere', () => {
    for (const size of [stream.length, 1, 2, 5, 11]) {
      let count = 0;
      const parser = new RespCommandParser(() => (count += 1));
      for (let i = 0; i < stream.length; i += size) parser.feed(stream.subarray(i, i + size));
      expect(count, `chunks of ${size}`).toBe(5);
    }
  });

  it('refuses a stream it cannot follow rather than miscount', () => {
    const parser = new RespCommandParser(() => {});
    expect(() => parser.feed(Buffer.from('*2\r\n:1\r\n'))).toThrow(/malformed RESP/);
  });
});

describe('the Redis counting proxy, on a real Redis', () => {
  let counter: RedisCounter;
  let redis: Redis;
  beforeAll(async () => {
    const upstream = new URL(TEST_REDIS_URL);
    counter = await startRedisCounter({ host: upstream.hostname, port: Number(upstream.port || 6379) });
    redis = new Redis({ host: '127.0.0.1', port: counter.port, keyPrefix: 'bench:test-counter:', lazyConnect: true });
    await redis.connect();
  });
  afterAll(async () => {
    redis.disconnect();
    await counter.close();
  });

  it('counts what the client sent: single commands, pipelines, and a script as one', async () => {
    const before = counter.commands();
    await redis.set('k', 'v', 'EX', 10);
    expect(await redis.get('k')).toBe('v');
    await redis.pipeline().get('k').get('k').del('k').exec();
    await redis.eval("return redis.call('GET', KEYS[1])", 1, 'k');
    expect(counter.commands() - before).toBe(6);
  });
});
