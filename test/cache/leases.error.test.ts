import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CachedKind, EntityCache } from '../../src/cache/entity-cache.ts';
import { keys } from '../../src/cache/keys.ts';
import { loadEnv } from '../../src/env.ts';
import { createKinds, type PublicUser } from '../../src/loaders/kinds.ts';
import { createLogger } from '../../src/logger.ts';
import { SafeStore } from '../../src/store/fail-soft.ts';
import { memoryStore } from '../../src/store/index.ts';
import { leaseKey } from '../../src/store/lease-store.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeUser } from '../helpers/fixtures.ts';

// The lease paths a healthy run never takes: a poll that gives up, a lease whose
// loader died, and a store that is down. Timings are shortened through the
// cache's options, or time is an injected clock: nothing here sleeps.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const logger = createLogger(loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** The real user kind, paused after it read Postgres until `release` opens. */
function pausedUserKind(release: Promise<void>, onRead: () => void): CachedKind<string, PublicUser> {
  const real = createKinds(world.db.reads).user;
  return {
    ...real,
    async load(ids) {
      const rows = await real.load(ids);
      onRead();
      await release;
      return rows;
    },
  };
}

/** Statements that read the User table since the last reset. */
const userReads = () => world.db.queries.statements.filter((s) => /FROM "public"\."User"/.test(s)).length;

describe('the lease poll', () => {
  it('gives up after its polls and reads Postgres itself, without filling the key it does not hold', async () => {
    const user = await makeUser(world.prisma, { name: 'Polled' });
    const other = await world.startInstance();
    const release = gate();
    const read = gate();
    // The first instance leases the key and stays inside its load.
    const holder = world.server.cache.loadMany(pausedUserKind(release.opened, read.open), [user.id]);
    await read.opened;

    const waiter = new EntityCache(other.store, other.cache.ttls, true, { pollMs: 1, polls: 3 });
    const tripsBefore = other.store.inner.roundTrips;
    world.db.queries.reset();
    const [row] = await waiter.loadMany(createKinds(world.db.reads).user, [user.id]);

    expect(row?.name).toBe('Polled');
    expect(waiter.stats).toMatchObject({ misses: 1, loads: 1, fills: 0, hits: 0 });
    // One read-through, then exactly `polls` polls, and no fill: the key is not its to fill.
    expect(other.store.inner.roundTrips - tripsBefore).toBe(1 + 3);
    expect(userReads()).toBe(1);
    expect(await other.store.mget([keys.user(user.id)])).toEqual([null]);

    // The holder still fills once it finishes: its lease was never taken from it.
    release.open();
    await holder;
    expect((await other.store.mget([keys.user(user.id)]))[0]).toContain('Polled');
  });
});

describe("a crashed loader's lease", () => {
  it('expires, and the next reader takes a lease of its own and fills (injected clock, memory store)', async () => {
    let now = 1_000_000;
    const inner = memoryStore({ now: () => now });
    const store = new SafeStore(inner, logger);
    const user = await makeUser(world.prisma, { name: 'Orphaned' });
    const key = keys.user(user.id);
    try {
      // A loader takes the lease and dies: nobody will fill or release it.
      expect(await inner.leases.readThrough([key], 'crashed-loader', 3_000)).toEqual([{ kind: 'leased' }]);

      const reader = new EntityCache(store, world.server.cache.ttls, true, { pollMs: 1, polls: 1 });
      const [early] = await reader.loadMany(createKinds(world.db.reads).user, [user.id]);
      // While the lease lives, the reader answers from Postgres and leaves the key alone.
      expect(early?.name).toBe('Orphaned');
      expect(reader.stats).toMatchObject({ loads: 1, fills: 0 });
      expect(await store.mget([key])).toEqual([null]);

      now += 3_000;
      const [late] = await reader.loadMany(createKinds(world.db.reads).user, [user.id]);
      expect(late?.name).toBe('Orphaned');
      expect(reader.stats).toMatchObject({ loads: 2, fills: 1 });
      expect((await store.mget([key]))[0]).toContain('Orphaned');
    } finally {
      await inner.close();
    }
  });

  it('in Redis carries the lease time the cache asks for, so it expires there too', async () => {
    const user = await makeUser(world.prisma);
    const redis = world.server.redis;
    if (!redis) throw new Error('the world runs on Redis');
    const key = keys.user(user.id);
    expect(await world.server.store.inner.leases.readThrough([key], 'crashed-loader', 3_000)).toEqual([{ kind: 'leased' }]);
    const pttl = await redis.pttl(leaseKey(key));
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(3_000);
  });

  it('in Redis gets the default lease time (3 s) when the cache is given no timings', async () => {
    const user = await makeUser(world.prisma, { name: 'Default lease' });
    const redis = world.server.redis;
    if (!redis) throw new Error('the world runs on Redis');
    const release = gate();
    const read = gate();
    const loading = world.server.cache.loadMany(pausedUserKind(release.opened, read.open), [user.id]);
    await read.opened;
    const pttl = await redis.pttl(leaseKey(keys.user(user.id)));
    release.open();
    await loading;
    // Above the 15 ms × 4 a waiter polls, at most the 3 s the cache asked for.
    expect(pttl).toBeGreaterThan(60);
    expect(pttl).toBeLessThanOrEqual(3_000);
  });
});

describe('joining while the store is down', () => {
  it('a second request on the same instance joins the first one’s Postgres load instead of loading again', async () => {
    const down = await world.startInstance({ redisUrl: 'redis://127.0.0.1:1' });
    const user = await makeUser(world.prisma, { name: 'Joined' });
    const release = gate();
    const read = gate();
    world.db.queries.reset();
    const first = down.cache.loadMany(pausedUserKind(release.opened, read.open), [user.id]);
    await read.opened;
    const second = down.cache.loadMany(createKinds(world.db.reads).user, [user.id]);
    // The join is recorded when the second batch's failed store read returns; only then may the first finish.
    await vi.waitFor(() => expect(down.cache.stats.joins).toBe(1));
    release.open();
    const [[a], [b]] = await Promise.all([first, second]);

    expect(a?.name).toBe('Joined');
    expect(b?.name).toBe('Joined');
    expect(down.cache.stats).toMatchObject({ loads: 1, joins: 1, fills: 0, hits: 0 });
    expect(down.store.errors.read).toBe(2);
    expect(userReads()).toBe(1);
  });
});
