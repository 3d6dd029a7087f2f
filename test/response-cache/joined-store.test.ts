import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EntityCache } from '../../src/cache/entity-cache.ts';
import { keys } from '../../src/cache/keys.ts';
import { globalId } from '../../src/schema/global-id.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOwnerAndMember } from '../helpers/fixtures.ts';
import { gate, recordStores } from '../helpers/gates.ts';
import { request } from '../helpers/http.ts';
import { ON_CLUSTER } from '../helpers/services.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

// The chaos runner's organization page: no __typename asked, so only envelop's own metadata fields name its entities.
const ORG_PAGE = `query ChaosOrg($slug: String!) {
  organization(slug: $slug) { id name featureFlags { key enabled } members(first: 20) { edges { node { role user { id name } } } } }
}`;
const FLIP = `mutation ChaosFlip($input: SetFeatureFlagInput!) { setFeatureFlag(input: $input) { id key enabled } }`;

async function readFlag(instance: TestInstance, token: string, slug: string) {
  const answer = await request<{ data?: { organization: { featureFlags: { key: string; enabled: boolean }[] } } }>(
    { origin: instance.origin, app: instance.app },
    { query: ORG_PAGE, variables: { slug }, token },
  );
  return {
    enabled: answer.body.data?.organization.featureFlags.find((f) => f.key === 'beta')?.enabled,
    cache: answer.headers.get('x-cache'),
  };
}

/**
 * Two identical reads on a second instance, the first paused inside its
 * execution (after loading the flags) and the second joined to it; the
 * coalescing is checked here. `release` lets the execution finish, `unpause`
 * puts the entity cache back.
 */
async function joinPausedExecution() {
  const { owner, reader, org } = await makeOwnerAndMember(world.prisma);
  const other = await world.startInstance();
  const rc = other.responseCache;
  if (!rc) throw new Error('response cache is on in this file');

  // The first execution holds the old flags until the test lets it finish.
  const cache: EntityCache = other.cache;
  const loadMany = cache.loadMany.bind(cache);
  const paused = gate();
  const release = gate();
  cache.loadMany = async (kind, loaderKeys, wait) => {
    const rows = await loadMany(kind, loaderKeys, wait);
    if (loaderKeys.some((k) => typeof k === 'string' && kind.key(k) === keys.organizationFlags(org.id))) {
      paused.open();
      await release.opened;
    }
    return rows;
  };
  const stores = recordStores(rc);
  const first = readFlag(other, reader.token, org.slug);
  await paused.opened;
  // A second identical request misses and joins the paused execution (same viewer, same store key).
  const coalesced = rc.stats.coalesced;
  const joined = readFlag(other, reader.token, org.slug);
  const deadline = Date.now() + 5_000;
  while (rc.stats.coalesced === coalesced && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(rc.stats.coalesced).toBe(coalesced + 1);
  const unpause = () => {
    cache.loadMany = loadMany;
  };
  return { owner, reader, org, other, rc, stores, first, joined, release, unpause };
}

// On a cluster a miss's start is a clock reading, not the global sequence: a later miss cannot tell that no
// write came between, so it never joins (README, "Running at scale"). This case needs a join.
it.skipIf(ON_CLUSTER)(
  'a request that joined an execution begun before a write does not store that execution’s pre-write answer',
  async () => {
    const { owner, reader, org, other, rc, stores, first, joined, release, unpause } = await joinPausedExecution();

    // The write lands on the other instance and is acknowledged while both still hold the old flags.
    const flip = await request(
      { origin: world.server.origin, app: world.server.app },
      {
        query: FLIP,
        variables: { input: { organizationId: globalId('Organization', org.id), key: 'beta', enabled: false } },
        token: owner.token,
      },
    );
    expect(flip.body.errors).toBeUndefined();
    release.open();
    expect((await first).enabled).toBe(true);
    expect((await joined).enabled).toBe(true);
    unpause();
    await stores.settled();
    stores.restore();
    expect(rc.stats.stored).toBe(0);

    // Sent after the write's answer: no instance may show the old flag, from any tier.
    for (const instance of [other, world.server]) {
      const after = await readFlag(instance, reader.token, org.slug);
      expect(after, `${after.cache} on ${instance === other ? 'the joined instance' : 'the writer'}`).toMatchObject({
        enabled: false,
      });
    }
  },
);

// On a cluster a miss's start is a clock reading, not the global sequence: a later miss cannot tell that no
// write came between, so it never joins (README, "Running at scale"). This case needs a join.
it.skipIf(ON_CLUSTER)(
  'without a write in between, the joined execution’s owner stores the answer once (the test above can fail)',
  async () => {
    const { reader, org, other, rc, stores, first, joined, release, unpause } = await joinPausedExecution();

    release.open();
    expect((await first).enabled).toBe(true);
    expect((await joined).enabled).toBe(true);
    expect(stores.count).toBe(2);
    unpause();
    await stores.settled();
    stores.restore();
    expect(rc.stats.stored).toBe(1);
    expect(rc.stats.refused).toBe(0);

    for (const instance of [other, world.server])
      expect(await readFlag(instance, reader.token, org.slug)).toEqual({ enabled: true, cache: 'HIT' });
  },
);
