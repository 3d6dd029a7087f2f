import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/cache/keys.ts';
import { globalId } from '../../src/schema/global-id.ts';
import {
  LogOutDocument,
  OrganizationPageDocument,
  PageLoadDocument,
  SetFeatureFlagDocument,
  ViewerDocument,
} from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser, makeTeam } from '../helpers/fixtures.ts';
import { recordStores } from '../helpers/gates.ts';
import { request } from '../helpers/http.ts';
import { listKeys } from '../helpers/list-keys.ts';
import { ON_CLUSTER } from '../helpers/services.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

async function orgWithTwoMembers() {
  const { users, org } = await makeTeam(world.prisma, {
    roles: ['OWNER', 'VIEWER'],
    names: { OWNER: 'Owner', VIEWER: 'Viewer' },
    flags: { beta: true },
  });
  return { owner: users.OWNER, viewer: users.VIEWER, org };
}

describe('hits', () => {
  it('a repeat is a hit on every instance: no resolver, no SQL, X-Cache: HIT', async () => {
    const { owner, org } = await orgWithTwoMembers();
    const first = await world.server.gql(OrganizationPageDocument, { token: owner.token, variables: { slug: org.slug } });
    expect(first.headers.get('x-cache')).toBe('MISS');
    world.db.queries.reset();
    const loadsBefore = world.server.cache.stats.hits + world.server.cache.stats.misses;
    const again = await world.server.gql(OrganizationPageDocument, { token: owner.token, variables: { slug: org.slug } });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.data).toEqual(first.data);
    expect(world.db.queries.count).toBe(0);
    // Nothing touched the entity cache: the hot path validated the session in its own script, and no resolver ran.
    expect(world.server.cache.stats.hits + world.server.cache.stats.misses - loadsBefore).toBe(0);
    const other = await world.startInstance();
    const elsewhere = await other.gql(OrganizationPageDocument, { token: owner.token, variables: { slug: org.slug } });
    expect(elsewhere.headers.get('x-cache')).toBe('HIT');
    expect(elsewhere.data).toEqual(first.data);
  });

  it('never serves one viewer’s answer to another viewer or to an anonymous request', async () => {
    const { owner, viewer, org } = await orgWithTwoMembers();
    const asOwner = await world.server.gql(OrganizationPageDocument, { token: owner.token, variables: { slug: org.slug } });
    const asViewer = await world.server.gql(OrganizationPageDocument, { token: viewer.token, variables: { slug: org.slug } });
    expect(asOwner.data?.organization?.viewerRole).toBe('OWNER');
    expect(asViewer.data?.organization?.viewerRole).toBe('VIEWER');
    expect(asViewer.headers.get('x-cache')).toBe('MISS');
    const anonymous = await world.server.gql(OrganizationPageDocument, { variables: { slug: org.slug } });
    expect(anonymous.data?.organization).toBeNull();
    expect(anonymous.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    const stranger = await makeSignedInUser(world.prisma);
    expect(
      (await world.server.gql(OrganizationPageDocument, { token: stranger.token, variables: { slug: org.slug } })).data
        ?.organization,
    ).toBeNull();
  });

  it('a logged-out or forged token never receives a cached answer', async () => {
    const { owner } = await orgWithTwoMembers();
    const warm = await world.server.gql(ViewerDocument, { token: owner.token });
    expect((await world.server.gql(ViewerDocument, { token: owner.token })).headers.get('x-cache')).toBe('HIT');
    await world.server.gql(LogOutDocument, { token: owner.token });
    const after = await world.server.gql(ViewerDocument, { token: owner.token });
    expect(warm.data?.viewer?.name).toBe('Owner');
    expect(after.data?.viewer).toBeNull();
    const forged = await world.server.gql(ViewerDocument, { token: 'tg_forged' });
    expect(forged.data?.viewer).toBeNull();
  });

  it('a write is seen on the very next read, on any instance', async () => {
    const { owner, viewer, org } = await orgWithTwoMembers();
    const other = await world.startInstance();
    const read = () => other.gql(PageLoadDocument, { token: viewer.token });
    await read();
    expect((await read()).headers.get('x-cache')).toBe('HIT');
    await world.server.gql(SetFeatureFlagDocument, {
      token: owner.token,
      variables: { input: { organizationId: globalId('Organization', org.id), key: 'beta', enabled: false } },
    });
    const fresh = await read();
    expect(fresh.headers.get('x-cache')).toBe('MISS');
    expect(fresh.data?.viewer?.memberships?.[0]?.organization.featureFlags).toEqual([{ key: 'beta', enabled: false }]);
  });
});

describe('what is never cached', () => {
  it('mutations', async () => {
    const { owner, org } = await orgWithTwoMembers();
    const input = { organizationId: globalId('Organization', org.id), key: 'beta', enabled: true };
    const first = await world.server.gql(SetFeatureFlagDocument, { token: owner.token, variables: { input } });
    const second = await world.server.gql(SetFeatureFlagDocument, { token: owner.token, variables: { input } });
    expect(second.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('x-cache')).toBe('MISS');
  });

  it('responses with errors', async () => {
    await world.server.gql(OrganizationPageDocument, { variables: { slug: 'anything' } });
    const again = await world.server.gql(OrganizationPageDocument, { variables: { slug: 'anything' } });
    expect(again.headers.get('x-cache')).toBe('MISS');
    expect(again.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('introspection', async () => {
    const rc = world.server.responseCache;
    if (!rc) throw new Error('response cache is on in this file');
    const storedBefore = rc.stats.stored;
    const stores = recordStores(rc);
    try {
      for (const [query, data] of [
        ['{ __schema { queryType { name } } }', { __schema: { queryType: { name: 'Query' } } }],
        ['{ __type(name: "User") { name } }', { __type: { name: 'User' } }],
      ] as const) {
        const send = () => request(world.server, { query, via: 'yoga' });
        const first = await send();
        const again = await send();
        expect(first.body).toEqual({ data });
        expect(again.body).toEqual(first.body);
        expect(again.headers.get('x-cache'), query).toBe('MISS');
      }
      // A MISS header alone is also what an errored answer gets: nothing was offered to the store, nor written.
      await stores.settled();
      expect(stores.count).toBe(0);
      expect(rc.stats.stored).toBe(storedBefore);
    } finally {
      stores.restore();
    }
  });
});

describe('storage', () => {
  it('every key it writes expires: responses by their shortest type TTL, tag sets too', async () => {
    const { viewer } = await orgWithTwoMembers();
    const redis = world.server.redis;
    if (!redis) throw new Error('this file runs on Redis');
    // Test-only listing of this file's own prefix (the server itself never scans); tests in a file run one at a time.
    const listed = async () => new Set((await listKeys(redis, `${world.keyPrefix}v1:*`)).filter((key) => /:rc[:-]/.test(key)));
    const before = await listed();
    const rc = world.server.responseCache;
    if (!rc) throw new Error('response cache is on in this file');
    const stores = recordStores(rc);
    try {
      const page = await world.server.gql(PageLoadDocument, { token: viewer.token });
      expect(page.errors).toBeUndefined();
      await stores.settled();
      expect(stores.count).toBe(1);
    } finally {
      stores.restore();
    }
    const stored = await listed();
    const ttlOf = (key: string) => redis.ttl(key.slice(world.keyPrefix.length));
    for (const key of stored) {
      const ttl = await ttlOf(key);
      expect(ttl, key).toBeGreaterThan(0);
      // The sequence outlives any execution by design (a day); everything else lives at most a flag's TTL.
      if (!key.endsWith(keys.responseSequence())) expect(ttl, key).toBeLessThanOrEqual(world.env.CACHE_TTL_FLAG_SECONDS);
    }
    const added = [...stored].filter((key) => !before.has(key));
    const ownResponse = added.filter((key) => key.startsWith(`${world.keyPrefix}v1:{u:${viewer.user.id}}:rc:`));
    expect(ownResponse).toHaveLength(1);
    // PageLoad shows the viewer (a session's TTL), users and orgs (10 min) and flags (30 min): the shortest wins.
    const ttl = await ttlOf(ownResponse[0] as string);
    expect(ttl).toBeLessThanOrEqual(world.env.CACHE_TTL_SESSION_SECONDS);
    expect(ttl).toBeGreaterThan(world.env.CACHE_TTL_SESSION_SECONDS - 30);
    // Its tag sets are new too, and live at least as long as the answer they can invalidate.
    const tagSets = added.filter((key) => key.includes(':rc-tag:'));
    expect(tagSets.length).toBeGreaterThan(0);
    for (const key of tagSets) expect(await ttlOf(key), key).toBeGreaterThanOrEqual(ttl);
    expect(keys.response('x', null).startsWith('v1:')).toBe(true);
  });
});

describe('coalescing', () => {
  // On a cluster a miss's start is a clock reading, not the global sequence: a later miss cannot tell that no
  // write came between, so it never joins (README, "Running at scale"). This case needs a join.
  it.skipIf(ON_CLUSTER)('identical concurrent misses on one instance execute once', async () => {
    const { viewer } = await orgWithTwoMembers();
    const rc = world.server.responseCache;
    if (!rc) throw new Error('response cache is on in this file');
    const coalescedBefore = rc.stats.coalesced;
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => world.server.gql(PageLoadDocument, { token: viewer.token })),
    );
    expect(new Set(responses.map((r) => JSON.stringify(r.data))).size).toBe(1);
    const misses = responses.filter((r) => r.headers.get('x-cache') === 'MISS').length;
    // Every miss but one waited for the one execution.
    expect(rc.stats.coalesced - coalescedBefore).toBe(misses - 1);
    expect(misses).toBeGreaterThan(1);
  });
});

describe('for developers', () => {
  it('adds extensions.responseCache in development', async () => {
    const dev = await world.startInstance({ env: { NODE_ENV: 'development' } });
    const { viewer } = await orgWithTwoMembers();
    const send = async () => (await request(dev, { query: ViewerDocument, token: viewer.token, via: 'yoga' })).body;
    expect((await send()).extensions?.responseCache).toMatchObject({
      hit: false,
      didCache: true,
      ttl: world.env.CACHE_TTL_SESSION_SECONDS * 1000,
    });
    expect((await send()).extensions?.responseCache).toEqual({ hit: true });
  });
});
