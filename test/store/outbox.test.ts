import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EntityCache } from '../../src/cache/entity-cache.ts';
import { keys } from '../../src/cache/keys.ts';
import { loadEnv } from '../../src/env.ts';
import { createKinds } from '../../src/loaders/kinds.ts';
import { createLogger } from '../../src/logger.ts';
import { SafeStore } from '../../src/store/fail-soft.ts';
import { memoryStore, redisStore, type Store } from '../../src/store/index.ts';
import { InvalidationOutbox } from '../../src/store/outbox.ts';
import { createRedisClient } from '../../src/store/redis-client.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeUser } from '../helpers/fixtures.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';
import { startTcpProxy, type TcpProxy } from '../../bench/tcp-proxy.ts';

// The invalidation outbox keeps what the store refused, up to maxPending; past
// it the oldest go. A dropped invalidation is never delivered, so the instance
// then refuses every cached read until what it named must have expired.

const logger = createLogger(loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
const seqKey = keys.responseSequence();

let memory: Store | undefined;
afterEach(async () => {
  await memory?.close();
  memory = undefined;
});

/** Values under `names` in a memory store, written as the entity cache writes them (lease, then fill). */
async function memoryWith(names: string[]): Promise<Store> {
  memory = memoryStore();
  if (names.length === 0) return memory;
  await memory.leases.readThrough(names, 'seed', 1_000);
  await memory.leases.fill(
    names.map((key) => ({ key, value: `"${key}"`, ttlSeconds: 600 })),
    'seed',
  );
  return memory;
}

describe('trimming', () => {
  it('keeps at most maxPending keys, dropping the oldest first; a flush delivers only the kept ones', async () => {
    const names = ['k1', 'k2', 'k3', 'k4', 'k5'];
    const store = await memoryWith(names);
    const outbox = new InvalidationOutbox({ maxPending: 3 });
    outbox.addKeys(['k1', 'k2']);
    outbox.addKeys(['k3', 'k4', 'k5']);
    expect(outbox.size).toBe(3);
    expect(outbox.dropped).toBe(2);
    expect(await outbox.flush(store.leases, store.responses)).toEqual({ keys: 3, tags: 0 });
    // k1 and k2 were dropped: their (now stale) values are still there; the three newest were cleared.
    expect(await store.leases.mget(names)).toEqual(['"k1"', '"k2"', null, null, null]);
    expect(outbox.size).toBe(0);
  });

  it('keeps at most maxPending tags, dropping the oldest first', async () => {
    const store = await memoryWith([]);
    const tag = (id: string) => keys.responseTag('User', id);
    for (const id of ['a', 'b', 'c']) {
      expect(await store.responses.set({ key: `response-${id}`, value: id, ttlSeconds: 600, tags: [tag(id)], startSeq: 0 })).toBe(
        true,
      );
    }
    const outbox = new InvalidationOutbox({ maxPending: 2 });
    outbox.addTags([tag('a')], seqKey, 600);
    outbox.addTags([tag('b'), tag('c')], seqKey, 600);
    expect(outbox.size).toBe(2);
    expect(outbox.dropped).toBe(1);
    expect(await outbox.flush(store.leases, store.responses)).toEqual({ keys: 0, tags: 2 });
    expect(await store.responses.get('response-a', seqKey)).toEqual({ value: 'a' });
    expect(await store.responses.get('response-b', seqKey)).not.toHaveProperty('value');
    expect(await store.responses.get('response-c', seqKey)).not.toHaveProperty('value');
  });

  it('drops nothing (and holds nothing) within maxPending', async () => {
    const outbox = new InvalidationOutbox({ maxPending: 3 });
    outbox.addKeys(['k1', 'k2', 'k3']);
    outbox.addKeys(['k2', 'k3']);
    expect(outbox.size).toBe(3);
    expect(outbox.dropped).toBe(0);
    expect(outbox.holding).toBe(false);
  });

  it('holds after a drop for droppedHoldMs exactly (injected clock)', () => {
    let now = 1_000;
    const outbox = new InvalidationOutbox({ maxPending: 1, droppedHoldMs: 5_000, now: () => now });
    outbox.addKeys(['k1', 'k2']);
    expect(outbox.holding).toBe(true);
    now += 4_999;
    expect(outbox.holding).toBe(true);
    now += 1;
    expect(outbox.holding).toBe(false);
  });
});

describe('a dropped invalidation fails safe', () => {
  let world: TestWorld;
  let proxy: TcpProxy;
  let client: Redis;
  let inner: Store;
  let store: SafeStore;
  const clock = { now: 10_000_000 };
  const HOLD_MS = 600_000;

  beforeAll(async () => {
    world = await createTestWorld();
    const upstream = new URL(TEST_REDIS_URL);
    proxy = await startTcpProxy(upstream.hostname, Number(upstream.port || 6379));
    client = await createRedisClient({
      url: `redis://127.0.0.1:${proxy.port}`,
      keyPrefix: world.keyPrefix,
      logger,
      commandTimeoutMs: 1_000,
    });
    inner = redisStore(client);
    store = new SafeStore(inner, logger, { maxPending: 1, droppedHoldMs: HOLD_MS, now: () => clock.now });
  });
  afterAll(async () => {
    await inner.close();
    await proxy.close();
    await world.close();
  });

  it('refuses every cached read (and the hot path, by pendingInvalidations) until the hold has passed, though Redis is back and still holds the stale row', async () => {
    const redis = world.server.redis;
    if (!redis) throw new Error('the world runs on Redis');
    const stale = await makeUser(world.prisma, { name: 'Stale' });
    const other = await makeUser(world.prisma, { name: 'Other' });
    const kinds = createKinds(world.db.reads);
    const cache = new EntityCache(store, world.server.cache.ttls);
    // Both rows are cached through this store while Redis answers.
    await cache.loadMany(kinds.user, [stale.id, other.id]);
    expect(cache.stats.fills).toBe(2);

    const down = once(client, 'close');
    proxy.cut();
    await down;
    // Two writes while Redis is down; the outbox keeps one, so the first user's invalidation is dropped.
    await world.prisma.user.update({ where: { id: stale.id }, data: { name: 'Fresh' } });
    await store.invalidate([keys.user(stale.id)]);
    await store.invalidate([keys.user(other.id)]);
    expect(store.outbox.dropped).toBe(1);
    expect(store.outbox.size).toBe(1);

    const up = once(client, 'ready');
    proxy.restore();
    await up;
    // Redis answers again and the kept invalidation is delivered, but the dropped one never will be:
    expect(await store.ready()).toBe(false);
    expect(store.outbox.size).toBe(0);
    expect(await redis.get(keys.user(other.id))).toBeNull();
    // the stale row is still in Redis (the control: trimming did leave it there) ...
    expect(await redis.get(keys.user(stale.id))).toContain('Stale');
    // ... and nothing reads it: the cache answers from Postgres, the hot path steps aside.
    const [row] = await cache.loadMany(kinds.user, [stale.id]);
    expect(row?.name).toBe('Fresh');
    expect(await store.mget([keys.user(stale.id)])).toEqual([null]);
    expect(await store.readThrough([keys.user(stale.id)], 'reader', 1_000)).toBeNull();
    expect(await store.responseGet('any-response', seqKey)).toBeNull();
    expect(store.pendingInvalidations).toBeGreaterThan(0);

    // Once every entry the drop could have left must have expired, the store is trusted again.
    clock.now += HOLD_MS;
    expect(await store.ready()).toBe(true);
    expect(store.pendingInvalidations).toBe(0);
    expect(await store.mget([keys.user(other.id)])).toEqual([null]);
  });
});
