import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedKind, EntityCacheStats } from '../../src/cache/entity-cache.ts';
import { keys } from '../../src/cache/keys.ts';
import { createKinds, type PublicUser } from '../../src/loaders/kinds.ts';
import { UpdateProfileDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';
import { gate } from '../helpers/gates.ts';
import { startCuttableInstance } from '../helpers/redis-cut.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** Calls `joined` when a load joins another in flight: the join is an event the test can wait on. */
function onJoin(stats: EntityCacheStats, joined: () => void) {
  let joins = stats.joins;
  Object.defineProperty(stats, 'joins', {
    configurable: true,
    enumerable: true,
    get: () => joins,
    set: (value: number) => {
      joins = value;
      joined();
    },
  });
}

/** The real user kind, paused after it has read Postgres and before it answers. */
function pausedUserKind(afterRead: Promise<void>, onRead: () => void): CachedKind<string, PublicUser> {
  const real = createKinds(world.db.reads).user;
  return {
    ...real,
    async load(ids) {
      const rows = await real.load(ids);
      onRead();
      await afterRead;
      return rows;
    },
  };
}

describe('no stale set', () => {
  it('a load that read Postgres before a write cannot cache the old row after the write', async () => {
    const { user, token } = await makeSignedInUser(world.prisma, { name: 'Before' });
    const other = await world.startInstance();
    const release = gate();
    const read = gate();
    // Instance B starts loading the user: leases the key, reads "Before", pauses.
    const loading = other.cache.loadMany(pausedUserKind(release.opened, read.open), [user.id]);
    await read.opened;
    // Instance A writes and invalidates (value and lease) before answering.
    const write = await world.server.gql(UpdateProfileDocument, { token, variables: { input: { name: 'After' } } });
    expect(write.data?.updateProfile.name).toBe('After');
    // B resumes with its old row and tries to fill.
    release.open();
    const [row] = await loading;
    expect(row?.name).toBe('Before');
    const [stored] = await world.server.store.mget([keys.user(user.id)]);
    expect(stored).toBeNull();
    // Every instance's next read sees the write.
    expect((await other.gql(ViewerDocument, { token })).data?.viewer?.name).toBe('After');
    expect((await world.server.gql(ViewerDocument, { token })).data?.viewer?.name).toBe('After');
  });

  it('without a write in between, the same load does fill (the test above can fail)', async () => {
    const { user } = await makeSignedInUser(world.prisma, { name: 'Steady' });
    const release = gate();
    const loading = world.server.cache.loadMany(
      pausedUserKind(release.opened, () => {}),
      [user.id],
    );
    release.open();
    await loading;
    const [stored] = await world.server.store.mget([keys.user(user.id)]);
    expect(stored).toContain('Steady');
  });

  it('a request that starts after a write reads the write while a load from before it is still paused', async () => {
    const { user, token } = await makeSignedInUser(world.prisma, { name: 'Old' });
    const release = gate();
    const read = gate();
    const loading = world.server.cache.loadMany(pausedUserKind(release.opened, read.open), [user.id]);
    await read.opened;
    await world.server.gql(UpdateProfileDocument, { token, variables: { input: { name: 'New' } } });
    // The paused load still holds its stale row; a fresh request must not wait on it.
    const fresh = await world.server.gql(ViewerDocument, { token });
    expect(fresh.data?.viewer?.name).toBe('New');
    release.open();
    await loading;
  });

  it('a request that starts after a write on this instance does not join a load that began before it', async () => {
    // With the store down no lease tells loads apart: only the instance's in-flight bookkeeping, which the write clears, does.
    const cutting = await startCuttableInstance(world);
    const down = cutting.instance;
    try {
      const { user, token } = await makeSignedInUser(world.prisma, { name: 'Old' });
      cutting.proxy.cut();
      const release = gate();
      const read = gate();
      const loading = down.cache.loadMany(pausedUserKind(release.opened, read.open), [user.id]);
      await read.opened;
      const write = await down.gql(UpdateProfileDocument, { token, variables: { input: { name: 'New' } } });
      expect(write.data?.updateProfile.name).toBe('New');
      expect(down.store.pendingInvalidations).toBeGreaterThan(0);
      const joinsBefore = down.cache.stats.joins;
      // Should the fresh request join the paused load, it is let go at once, so the test fails on the name, not on a timeout.
      onJoin(down.cache.stats, release.open);
      const fresh = await down.gql(ViewerDocument, { token });
      expect(fresh.data?.viewer?.name).toBe('New');
      expect(down.cache.stats.joins).toBe(joinsBefore);
      release.open();
      const [row] = await loading;
      expect(row?.name).toBe('Old');
    } finally {
      await cutting.close();
    }
  });
});

describe('leases across instances', () => {
  it('an instance waits for the key another instance is loading instead of reading Postgres too', async () => {
    const { user } = await makeSignedInUser(world.prisma, { name: 'Shared' });
    const other = await world.startInstance();
    const release = gate();
    const read = gate();
    const first = world.server.cache.loadMany(pausedUserKind(release.opened, read.open), [user.id]);
    await read.opened;
    const loadsBefore = other.cache.stats.loads;
    // The first load is let go, and its fill lands, when the second begins to poll: never after its polls ran out.
    const poll = other.store.mget;
    let polls = 0;
    other.store.mget = async (keys) => {
      polls += 1;
      release.open();
      await first;
      return poll.call(other.store, keys);
    };
    try {
      const second = other.cache.loadMany(createKinds(world.db.reads).user, [user.id]);
      // Should the second never poll, the first is let go once it is done, so the test fails on the counts, not on a timeout.
      void second.finally(release.open);
      const [[a], [b]] = await Promise.all([first, second]);
      expect(a?.name).toBe('Shared');
      expect(b?.name).toBe('Shared');
    } finally {
      other.store.mget = poll;
    }
    expect(polls).toBe(1);
    expect(other.cache.stats.loads).toBe(loadsBefore);
  });
});
