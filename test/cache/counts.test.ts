import { splitVersion } from '../../src/store/stored-text.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/cache/keys.ts';
import type { PrismaClient, User } from '../../src/generated/prisma/client.ts';
import { NestedDocument, PageLoadDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser } from '../helpers/fixtures.ts';

// The nested query walks: viewer's memberships → orgs → members → users →
// their memberships → orgs → flags. Seven loader levels, plus the session.
const LOADER_LEVELS = 8;

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld({ env: { RESPONSE_CACHE: 'false' } });
});
afterAll(() => world.close());

/**
 * A viewer in two orgs of `members` members each; every member also belongs to
 * `extraOrgs` other orgs with flags. Doubling the arguments doubles every list
 * the nested query walks.
 */
async function buildTenancy(prisma: PrismaClient, members: number, extraOrgs: number) {
  const { user: viewer, token } = await makeSignedInUser(prisma);
  const others: User[] = [];
  for (let i = 0; i < members; i++) others.push(await makeUser(prisma));
  for (let o = 0; o < 2; o++) {
    await makeOrg(prisma, [{ user: viewer, role: 'OWNER' }, ...others.map((user) => ({ user, role: 'MEMBER' as const }))], {
      flags: { 'flag-a': true, 'flag-b': false },
    });
  }
  for (let e = 0; e < extraOrgs; e++) {
    await makeOrg(
      prisma,
      others.map((user) => ({ user, role: 'VIEWER' as const })),
      { flags: { [`extra-${e}`]: true } },
    );
  }
  return { viewer, token };
}

async function measure(instance: TestInstance, run: () => Promise<unknown>) {
  world.db.queries.reset();
  const trips = instance.store.inner.roundTrips;
  await run();
  return { sql: world.db.queries.count, roundTrips: instance.store.inner.roundTrips - trips };
}

describe('the nested query', () => {
  it('costs a constant number of SQL statements, at most one per loader level, whatever the list sizes', async () => {
    const small = await buildTenancy(world.prisma, 6, 2);
    const large = await buildTenancy(world.prisma, 12, 4);
    const cold = (token: string) =>
      measure(world.server, async () => {
        const res = await world.server.gql(NestedDocument, { token });
        expect(res.errors).toBeUndefined();
        return res;
      });
    const smallCost = await cold(small.token);
    const largeCost = await cold(large.token);
    expect(smallCost.sql).toBeLessThanOrEqual(LOADER_LEVELS);
    expect(largeCost.sql).toBe(smallCost.sql);
  });

  it('is answered again from the cache: no SQL, at most one Redis round trip per loader level', async () => {
    const { token } = await buildTenancy(world.prisma, 8, 2);
    const first = await world.server.gql(NestedDocument, { token });
    const again = await measure(world.server, async () => {
      const res = await world.server.gql(NestedDocument, { token });
      expect(res.data).toEqual(first.data);
    });
    expect(again.sql).toBe(0);
    expect(again.roundTrips).toBeGreaterThan(0);
    expect(again.roundTrips).toBeLessThanOrEqual(LOADER_LEVELS);
  });

  it('is answered from the cache by another instance sharing the Redis', async () => {
    const { token } = await buildTenancy(world.prisma, 5, 1);
    const first = await world.server.gql(NestedDocument, { token });
    const other = await world.startInstance();
    const cost = await measure(other, async () => expect((await other.gql(NestedDocument, { token })).data).toEqual(first.data));
    expect(cost.sql).toBe(0);
  });

  it('with the entity cache off, reads Postgres every time, still batched', async () => {
    const off = await createTestWorld({ env: { ENTITY_CACHE: 'false', RESPONSE_CACHE: 'false', RATE_LIMITS: 'false' } });
    try {
      const { token } = await buildTenancy(off.prisma, 5, 1);
      await off.server.gql(NestedDocument, { token });
      off.db.queries.reset();
      const trips = off.server.store.inner.roundTrips;
      await off.server.gql(NestedDocument, { token });
      expect(off.db.queries.count).toBeGreaterThan(0);
      expect(off.db.queries.count).toBeLessThanOrEqual(LOADER_LEVELS);
      expect(off.server.store.inner.roundTrips).toBe(trips);
    } finally {
      await off.close();
    }
  });
});

describe('stampede', () => {
  it('200 concurrent identical requests on a cold cache load each key from Postgres once', async () => {
    const { token } = await buildTenancy(world.prisma, 4, 1);
    const probe = await world.startInstance();
    // What one request costs cold, on a key space nobody has touched.
    const { token: probeToken } = await buildTenancy(world.prisma, 4, 1);
    const single = await measure(probe, () => probe.gql(PageLoadDocument, { token: probeToken }));

    const loadsBefore = world.server.cache.stats.loads;
    const burst = await measure(world.server, async () => {
      const responses = await Promise.all(Array.from({ length: 200 }, () => world.server.gql(PageLoadDocument, { token })));
      for (const res of responses) expect(res.errors).toBeUndefined();
      expect(new Set(responses.map((r) => JSON.stringify(r.data))).size).toBe(1);
    });
    expect(burst.sql).toBe(single.sql);
    expect(world.server.cache.stats.joins).toBeGreaterThan(0);
    // Keys loaded: the session, the viewer, the viewer's memberships, 2 orgs, 2 flag lists.
    expect(world.server.cache.stats.loads - loadsBefore).toBe(7);
  });
});

describe('missing rows', () => {
  it('remembers a missing slug briefly, and creating it clears the memory', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const { OrganizationPageDocument, CreateOrganizationDocument } = await import('../generated/graphql.ts');
    const slug = `later-${user.id.slice(-6)}`;
    expect((await world.server.gql(OrganizationPageDocument, { token, variables: { slug } })).data?.organization).toBeNull();
    const again = await measure(world.server, () => world.server.gql(OrganizationPageDocument, { token, variables: { slug } }));
    expect(again.sql).toBe(0);
    // Briefly: the memory of the miss lives CACHE_TTL_MISSING_SECONDS, far shorter than a row's.
    const redis = world.server.redis;
    if (!redis) throw new Error('this file runs on Redis');
    const remembered = keys.organizationBySlug(slug);
    // Stored as every value is, `<fill token>\n<JSON>`: here JSON null, the absence.
    const stored = splitVersion((await redis.get(remembered)) ?? '');
    expect(stored).toEqual({ version: expect.stringMatching(/^\S+$/), body: 'null' });
    const ttl = await redis.ttl(remembered);
    expect(ttl).toBeLessThanOrEqual(world.env.CACHE_TTL_MISSING_SECONDS);
    expect(ttl).toBeGreaterThan(world.env.CACHE_TTL_MISSING_SECONDS / 2);
    expect(world.env.CACHE_TTL_MISSING_SECONDS).toBeLessThan(world.env.CACHE_TTL_ENTITY_SECONDS);
    // Once it expires (made to now, as time would), the slug is asked of Postgres again.
    await redis.expire(remembered, 0);
    const expired = await measure(world.server, () => world.server.gql(OrganizationPageDocument, { token, variables: { slug } }));
    expect(expired.sql).toBeGreaterThan(0);
    const created = await world.server.gql(CreateOrganizationDocument, { token, variables: { input: { name: 'Later', slug } } });
    expect(created.errors).toBeUndefined();
    const page = await world.server.gql(OrganizationPageDocument, { token, variables: { slug } });
    expect(page.data?.organization?.slug).toBe(slug);
    expect(page.data?.organization?.viewerRole).toBe('OWNER');
  });
});
