import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import type { HotLookup, Store } from '../../src/store/index.ts';
import { redisStore } from '../../src/store/index.ts';
import { createRedisClient } from '../../src/store/redis-client.ts';
import type { Redis } from 'ioredis';
import { TEST_REDIS_URL } from '../helpers/services.ts';

/**
 * The Redis hot store holds its socket's writes back until the end of the
 * event-loop turn, so the lookups of many requests read in one turn leave in
 * one write. These cases prove the batching (counted in socket writes) and
 * that no answer in a batch goes to another viewer's lookup.
 */

const logger = createLogger({ LOG_LEVEL: 'warn', NODE_ENV: 'test' }, false);
const prefix = `test:hot-batching:${randomBytes(6).toString('hex')}:`;
const hour = 3_600_000;

let client: Redis;
let store: Store;

beforeAll(async () => {
  client = await createRedisClient({ url: TEST_REDIS_URL, keyPrefix: prefix, logger, commandTimeoutMs: 2_000 });
  store = redisStore(client);
});

afterAll(async () => {
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.unlink(...keys.map((key) => key.slice(prefix.length)));
  await store.close();
});

/** A viewer with a cached session and a stored answer of their own; the lookup that reads it. */
async function viewerWithAnswer(n: number): Promise<{ request: HotLookup; body: string }> {
  const viewer = `v${n}-${randomBytes(3).toString('hex')}`;
  const userId = `user-${viewer}`;
  const request: HotLookup = {
    sessionKey: `${viewer}:session`,
    budgetKey: `${viewer}:budget`,
    responseKey: `${viewer}:response`,
    userId,
    nowIso: new Date().toISOString(),
    budget: { limit: 5, windowMs: 60_000 },
    knownEtag: '',
  };
  const session = JSON.stringify({ id: `s-${viewer}`, userId, expiresAt: new Date(Date.now() + hour).toISOString() });
  const lease = `lease-${viewer}`;
  expect(await store.leases.readThrough([request.sessionKey], lease, 30_000)).toEqual([{ kind: 'leased' }]);
  expect(await store.leases.fill([{ key: request.sessionKey, value: session, ttlSeconds: 300 }], lease)).toBe(1);
  const body = `{"data":{"viewer":{"id":"${userId}"}}}`;
  const stored = `"${'A'.repeat(26)}${n % 10}"\n${body}`;
  expect(
    await store.responses.set({
      key: request.responseKey,
      value: stored,
      ttlSeconds: 60,
      tags: [{ set: `${viewer}:tag:set`, seq: `${viewer}:tag:seq` }],
      startSeq: 0,
    }),
  ).toBe(true);
  return { request, body };
}

/**
 * Counts the writes any socket to Redis makes to the kernel (one per `_write`
 * or `_writev`) while `work` runs: the lookups' own connection's and the
 * client's alike, so a lookup that left by another road would be counted too.
 */
async function socketWrites<T>(work: () => Promise<T>): Promise<{ result: T; writes: number }> {
  const redisPort = Number(new URL(TEST_REDIS_URL).port || 6379);
  const proto = Socket.prototype as Socket & { _write: Writable['_write']; _writev?: Writable['_writev'] };
  const write = proto._write;
  const writev = proto._writev;
  let writes = 0;
  proto._write = function (this: Socket, ...args: Parameters<Writable['_write']>) {
    if (this.remotePort === redisPort) writes += 1;
    return write.apply(this, args);
  };
  if (writev)
    proto._writev = function (this: Socket, ...args: Parameters<NonNullable<Writable['_writev']>>) {
      if (this.remotePort === redisPort) writes += 1;
      return writev.apply(this, args);
    };
  try {
    return { result: await work(), writes };
  } finally {
    proto._write = write;
    if (writev) proto._writev = writev;
  }
}

describe('hot lookups batched per event-loop turn', () => {
  it('twenty lookups started in one turn leave in one write, and each gets its own viewer’s answer', async () => {
    const viewers = await Promise.all(Array.from({ length: 20 }, (_, n) => viewerWithAnswer(n)));
    const { result, writes } = await socketWrites(() => Promise.all(viewers.map((v) => store.hot.lookup(v.request))));
    expect(writes).toBe(1);
    result.forEach((found, n) => {
      expect(found.kind).toBe('counted');
      const stored = found.kind === 'counted' ? found.stored : null;
      expect(Buffer.isBuffer(stored) ? stored.toString('utf8').split('\n')[1] : stored).toBe(viewers[n]?.body);
    });
  });

  it('lookups started in different turns do not wait for each other: one write each', async () => {
    const viewers = await Promise.all(Array.from({ length: 3 }, (_, n) => viewerWithAnswer(100 + n)));
    const { result, writes } = await socketWrites(async () => {
      const found = [];
      for (const v of viewers) found.push(await store.hot.lookup(v.request));
      return found;
    });
    expect(writes).toBe(3);
    expect(result.map((found) => found.kind)).toEqual(['counted', 'counted', 'counted']);
  });

  it('a Redis that lost its scripts (flushed or restarted) still answers the lookup: the text is sent when the SHA1 is unknown', async () => {
    const viewer = await viewerWithAnswer(200);
    await client.script('FLUSH');
    const found = await store.hot.lookup(viewer.request);
    expect(found.kind).toBe('counted');
    const stored = found.kind === 'counted' ? found.stored : null;
    expect(Buffer.isBuffer(stored) ? stored.toString('utf8').split('\n')[1] : stored).toBe(viewer.body);
  });
});
