// Feature flag mutations refused: bad keys, unknown flags.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeleteFeatureFlagDocument, SetFeatureFlagDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeOwnedOrg } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** A signed-in OWNER alone in a fresh org (the shared fixture, on this file's database). */
const ownedOrg = (flags?: Record<string, boolean>) => makeOwnedOrg(world.prisma, flags);

describe('setFeatureFlag', () => {
  it.each(['Bad', 'under score', '1starts-with-digit', 'a', '-dash', 'a'.repeat(64), ''])(
    'refuses the key %j with BAD_USER_INPUT',
    async (key) => {
      const o = await ownedOrg();
      const res = await world.server.gql(SetFeatureFlagDocument, {
        variables: { input: { organizationId: o.orgId, key, enabled: true } },
        token: o.token,
      });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0]?.extensions?.['field']).toBe('key');
      expect(await world.prisma.featureFlag.count({ where: { organizationId: o.org.id } })).toBe(0);
    },
  );
});

describe('deleteFeatureFlag', () => {
  it('a flag that does not exist is NOT_FOUND', async () => {
    const o = await ownedOrg({ other: true });
    const res = await world.server.gql(DeleteFeatureFlagDocument, {
      variables: { input: { organizationId: o.orgId, key: 'missing' } },
      token: o.token,
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(await world.prisma.featureFlag.count({ where: { organizationId: o.org.id } })).toBe(1);
  });
});
