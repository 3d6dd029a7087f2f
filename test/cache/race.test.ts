import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedKind } from '../../src/cache/entity-cache.ts';
import { keys } from '../../src/cache/keys.ts';
import { createKinds, type PublicUser } from '../../src/loaders/kinds.ts';
import { UpdateProfileDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** A gate a test opens when it wants: the interleavings below are forced, not hoped for. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/** The real user kind, paused after it has read Postgres and before it answers. */
function pausedUserKind(afterRead: Promise<void>, onRead: () => void): CachedKind<string, PublicUser> {
  const real = createKinds(world.prisma).user;
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

  it('a request that starts after a write on this instance does not join a load that began before it', async () => {
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
    const second = other.cache.loadMany(createKinds(world.prisma).user, [user.id]);
    setTimeout(() => release.open(), 10);
    const [[a], [b]] = await Promise.all([first, second]);
    expect(a?.name).toBe('Shared');
    expect(b?.name).toBe('Shared');
    expect(other.cache.stats.loads).toBe(loadsBefore);
  });
});
