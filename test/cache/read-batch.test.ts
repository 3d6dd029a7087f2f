import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntityCache } from '../../src/cache/entity-cache.ts';
import { createKinds } from '../../src/loaders/kinds.ts';
import { NestedDocument, OrganizationPageDocument, PageLoadDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser } from '../helpers/fixtures.ts';

// Loaders dispatched in one tick (one level's kinds, a resolver's prefetch
// beside its own load, other requests' loaders) share one store call. The
// counts here are store round trips and SQL statements: what the merge and the
// prefetches save, and what they must not change.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld({ env: { RESPONSE_CACHE: 'false' } });
});
afterAll(() => world.close());

/** A fresh cache over the server's store: no decoded copies, so every read is a real one. */
const freshCache = () => new EntityCache(world.server.store, world.server.cache.ttls);

describe('one tick of loads', () => {
  it('leaves in one store call across kinds and batches, each batch answered its own rows, and fills what it leased', async () => {
    const kinds = createKinds(world.db.reads);
    const [a, b] = [await makeUser(world.prisma, { name: 'Merged A' }), await makeUser(world.prisma, { name: 'Merged B' })];
    const org = await makeOrg(world.prisma, [{ user: a, role: 'OWNER' }], { flags: { merged: true } });
    const cache = freshCache();
    const trips = world.server.store.inner.roundTrips;
    const [users, flags, again] = await Promise.all([
      cache.loadMany(kinds.user, [a.id, b.id]),
      cache.loadMany(kinds.organizationFlags, [org.id]),
      cache.loadMany(kinds.user, [b.id]),
    ]);
    expect(users.map((u) => u?.name)).toEqual(['Merged A', 'Merged B']);
    expect(flags[0]?.map((f) => f.key)).toEqual(['merged']);
    expect(again[0]?.name).toBe('Merged B');
    // One read for all three batches, then a fill per batch that leased (the third joined the first's load of b).
    expect(world.server.store.inner.roundTrips - trips).toBe(1 + 2);
    world.db.queries.reset();
    const warm = await Promise.all([cache.loadMany(kinds.user, [a.id, b.id]), cache.loadMany(kinds.organizationFlags, [org.id])]);
    expect(warm[0].map((u) => u?.name)).toEqual(['Merged A', 'Merged B']);
    expect(world.db.queries.count).toBe(0);
  });

  it('loads a cold key two batches of one call both ask for once', async () => {
    const kinds = createKinds(world.db.reads);
    const user = await makeUser(world.prisma, { name: 'Asked twice' });
    const cache = freshCache();
    world.db.queries.reset();
    const [first, second] = await Promise.all([cache.loadMany(kinds.user, [user.id]), cache.loadMany(kinds.user, [user.id])]);
    expect(first[0]?.name).toBe('Asked twice');
    expect(second[0]?.name).toBe('Asked twice');
    expect(world.db.queries.count).toBe(1);
    // The second batch met the key leased under the call's token and joined that load, rather than polling for it.
    expect(cache.stats.joins).toBe(1);
    expect(cache.stats.leaseWaits).toBe(0);
  });
});

describe('a large tick', () => {
  it('is cut into calls of at most 1,000 keys, each batch whole in one of them', async () => {
    const kinds = createKinds(world.db.reads);
    // Ids no row has: each batch is 400 keys of missing users, remembered as missing once loaded.
    const batch = (n: number) => Array.from({ length: 400 }, (_, i) => `no-such-user-${n}-${i}-${Date.now()}`);
    const batches = [batch(1), batch(2), batch(3)];
    const cache = freshCache();
    await Promise.all(batches.map((ids) => cache.loadMany(kinds.user, ids)));
    const trips = world.server.store.inner.roundTrips;
    const again = await Promise.all(batches.map((ids) => cache.loadMany(kinds.user, ids)));
    for (const rows of again) expect(rows.every((row) => row === null)).toBe(true);
    // 400 + 400 fit one call; the third batch would pass 1,000 and leaves in a second one. No fills: all were hits.
    expect(world.server.store.inner.roundTrips - trips).toBe(2);
  });
});

describe('a warm request', () => {
  /** Store round trips of one warm request (a first one filled the cache); no SQL. */
  async function warmTrips(run: () => Promise<{ errors?: unknown }>) {
    expect((await run()).errors).toBeUndefined();
    world.db.queries.reset();
    const trips = world.server.store.inner.roundTrips;
    expect((await run()).errors).toBeUndefined();
    expect(world.db.queries.count).toBe(0);
    return world.server.store.inner.roundTrips - trips;
  }

  it('page load: the session, the budget, the viewer with their memberships, the organizations with their flags', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    for (let i = 0; i < 2; i++) await makeOrg(world.prisma, [{ user, role: 'OWNER' }], { flags: { on: true } });
    expect(await warmTrips(() => world.server.gql(PageLoadDocument, { token }))).toBe(4);
  });

  it('organization page: the session, the budget, the slug with the viewer’s memberships, members with flags, the users', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const members = [{ user, role: 'OWNER' as const }];
    for (let i = 0; i < 3; i++) members.push({ user: await makeUser(world.prisma), role: 'OWNER' });
    const org = await makeOrg(world.prisma, members, { flags: { on: true } });
    const run = () => world.server.gql(OrganizationPageDocument, { token, variables: { slug: org.slug, first: 10 } });
    expect(await warmTrips(run)).toBe(5);
  });

  it('nested: the session, the budget, memberships, organizations with members, users with theirs, flags', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const members = [{ user, role: 'OWNER' as const }];
    for (let i = 0; i < 3; i++) members.push({ user: await makeUser(world.prisma), role: 'OWNER' });
    await makeOrg(world.prisma, members, { flags: { on: true } });
    expect(await warmTrips(() => world.server.gql(NestedDocument, { token }))).toBe(6);
  });
});
