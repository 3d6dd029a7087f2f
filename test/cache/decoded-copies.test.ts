import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/cache/keys.ts';
import { createKinds } from '../../src/loaders/kinds.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeUser } from '../helpers/fixtures.ts';

// Each instance keeps the values it decoded, by the version (fill token) they
// were stored under, and uses one only when the store confirms in the same
// read that the key still holds that version. These cases prove the copy is
// used, is never used once another instance changed the key, and cannot be
// changed by the requests that share it.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

describe("an instance's decoded copies of entity cache values", () => {
  it('a second read of an unchanged row gets the same decoded object, the store sending no bytes', async () => {
    const user = await makeUser(world.prisma, { name: 'Kept' });
    const kinds = createKinds(world.db.reads);
    const cache = world.server.cache;
    await cache.loadMany(kinds.user, [user.id]); // miss: loads and fills
    const [first] = await cache.loadMany(kinds.user, [user.id]); // hit: decodes, keeps
    const before = cache.stats.sameVersion;
    const [second] = await cache.loadMany(kinds.user, [user.id]);
    expect(cache.stats.sameVersion - before).toBe(1);
    expect(second).toBe(first);
    expect(second?.name).toBe('Kept');
  });

  it('a row another instance changed is read anew, never from the copy', async () => {
    const user = await makeUser(world.prisma, { name: 'Before' });
    const kinds = createKinds(world.db.reads);
    const a = world.server.cache;
    const b = (await world.startInstance()).cache;
    await a.loadMany(kinds.user, [user.id]);
    expect((await a.loadMany(kinds.user, [user.id]))[0]?.name).toBe('Before'); // A keeps its copy

    // B writes as a service does: the row, then its invalidation; then B refills the key.
    await world.prisma.user.update({ where: { id: user.id }, data: { name: 'After' } });
    await b.invalidate([keys.user(user.id)]);
    expect((await b.loadMany(kinds.user, [user.id]))[0]?.name).toBe('After');

    const same = a.stats.sameVersion;
    expect((await a.loadMany(kinds.user, [user.id]))[0]?.name).toBe('After');
    expect(a.stats.sameVersion).toBe(same);
  });

  it('a relation list and its rows are frozen: a request cannot change what others share', async () => {
    const owner = await makeUser(world.prisma, { name: 'Owner' });
    const org = await makeOrg(world.prisma, [{ user: owner, role: 'OWNER' }], { flags: { beta: true } });
    const kinds = createKinds(world.db.reads);
    const cache = world.server.cache;
    await cache.loadMany(kinds.organizationFlags, [org.id]);
    const [flags] = await cache.loadMany(kinds.organizationFlags, [org.id]);
    expect(flags?.map((f) => [f.key, f.enabled])).toEqual([['beta', true]]);
    const flag = flags?.[0];
    expect(flag).toBeDefined();
    expect(() => Object.assign(flag ?? {}, { enabled: false })).toThrow(TypeError);
    expect(() => flags && Array.prototype.push.call(flags, flag)).toThrow(TypeError);
    expect((await cache.loadMany(kinds.organizationFlags, [org.id]))[0]?.[0]?.enabled).toBe(true);
  });
});
