import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { OrganizationFlagDocument, SetFeatureFlagDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';

// Keys as LaunchDarkly and Unleash write them move over unchanged.

let world: TestWorld;
let token: string;
let orgId: string;
let slug: string;
beforeAll(async () => {
  world = await createTestWorld();
  const owner = await makeSignedInUser(world.prisma);
  const org = await makeOrg(world.prisma, [{ user: owner.user, role: 'OWNER' }]);
  token = owner.token;
  orgId = globalId('Organization', org.id);
  slug = org.slug;
});
afterAll(() => world.close());

describe('feature flag keys', () => {
  it.each(['new_checkout', 'billing.v2', 'a.b_c-d9'])('%s is accepted, stored and read back', async (key) => {
    const set = await world.server.gql(SetFeatureFlagDocument, {
      variables: { input: { organizationId: orgId, key, enabled: true } },
      token,
    });
    expect(set.errors).toBeUndefined();
    expect(set.data?.setFeatureFlag).toMatchObject({ key, enabled: true });
    const read = await world.server.gql(OrganizationFlagDocument, { variables: { slug, key }, token });
    expect(read.errors).toBeUndefined();
    expect(JSON.stringify(read.data)).toContain(`"key":"${key}"`);
  });

  it.each(['_new', '.v2', 'New_checkout', 'billing v2', 'billing/v2', 'x'])('%s is BAD_USER_INPUT', async (key) => {
    const set = await world.server.gql(SetFeatureFlagDocument, {
      variables: { input: { organizationId: orgId, key, enabled: true } },
      token,
    });
    expect(errorCodes(set)).toEqual(['BAD_USER_INPUT']);
    expect(set.errors?.[0]?.extensions?.['field']).toBe('key');
  });
});
