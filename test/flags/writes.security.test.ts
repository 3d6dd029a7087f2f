// Who may write feature flags: each rule allowed and denied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { DeleteFeatureFlagDocument, SetFeatureFlagDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeTeam } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** An org with one signed-in member per role, two flags, and a signed-in outsider. */
const team = () => makeTeam(world.prisma, { flags: { beta: true, legacy: false } });

describe('feature flag writes', () => {
  it.each(['OWNER', 'ADMIN'] as const)('a %s sets and deletes flags', async (role) => {
    const t = await team();
    const token = t.users[role].token;
    const set = await world.server.gql(SetFeatureFlagDocument, {
      variables: { input: { organizationId: t.orgId, key: 'new-ui', enabled: true } },
      token,
    });
    expect(set.errors).toBeUndefined();
    expect(set.data?.setFeatureFlag).toMatchObject({ key: 'new-ui', enabled: true, organization: { id: t.orgId } });
    expect(
      await world.prisma.featureFlag.findUnique({ where: { organizationId_key: { organizationId: t.org.id, key: 'new-ui' } } }),
    ).toMatchObject({ enabled: true });
    const del = await world.server.gql(DeleteFeatureFlagDocument, {
      variables: { input: { organizationId: t.orgId, key: 'beta' } },
      token,
    });
    expect(del.data?.deleteFeatureFlag).toBe(globalId('FeatureFlag', t.flags[0]!.id));
    expect(await world.prisma.featureFlag.count({ where: { id: t.flags[0]!.id } })).toBe(0);
  });

  it.each(['MEMBER', 'VIEWER'] as const)('a %s may not write flags: FORBIDDEN, nothing changes', async (role) => {
    const t = await team();
    const token = t.users[role].token;
    const set = await world.server.gql(SetFeatureFlagDocument, {
      variables: { input: { organizationId: t.orgId, key: 'legacy', enabled: true } },
      token,
    });
    expect(errorCodes(set)).toEqual(['FORBIDDEN']);
    const del = await world.server.gql(DeleteFeatureFlagDocument, {
      variables: { input: { organizationId: t.orgId, key: 'beta' } },
      token,
    });
    expect(errorCodes(del)).toEqual(['FORBIDDEN']);
    const rows = await world.prisma.featureFlag.findMany({ where: { organizationId: t.org.id }, orderBy: { key: 'asc' } });
    expect(rows.map((f) => [f.key, f.enabled])).toEqual([
      ['beta', true],
      ['legacy', false],
    ]);
  });

  it('a non-member gets NOT_FOUND, nothing changes', async () => {
    const t = await team();
    const token = t.outsider.token;
    const set = await world.server.gql(SetFeatureFlagDocument, {
      variables: { input: { organizationId: t.orgId, key: 'legacy', enabled: true } },
      token,
    });
    expect(errorCodes(set)).toEqual(['NOT_FOUND']);
    const del = await world.server.gql(DeleteFeatureFlagDocument, {
      variables: { input: { organizationId: t.orgId, key: 'beta' } },
      token,
    });
    expect(errorCodes(del)).toEqual(['NOT_FOUND']);
    expect(await world.prisma.featureFlag.count({ where: { organizationId: t.org.id } })).toBe(2);
    expect((await world.prisma.featureFlag.findUniqueOrThrow({ where: { id: t.flags[1]!.id } })).enabled).toBe(false);
  });
});
