// Feature flag mutations that succeed: the answer, the database, and a read from a second instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import {
  DeleteFeatureFlagDocument,
  OrganizationFlagDocument,
  OrganizationPageDocument,
  SetFeatureFlagDocument,
} from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOwnedOrg } from '../helpers/fixtures.ts';

let world: TestWorld;
let other: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  other = await world.startInstance();
});
afterAll(() => world.close());

/** A signed-in OWNER alone in a fresh org (the shared fixture, on this file's database). */
const ownedOrg = (flags?: Record<string, boolean>) => makeOwnedOrg(world.prisma, flags);

describe('setFeatureFlag', () => {
  it('creates the flag, then updates the same row; every instance reads each state', async () => {
    const o = await ownedOrg();
    const read = (instance: TestInstance) =>
      instance.gql(OrganizationFlagDocument, { variables: { slug: o.org.slug, key: 'new-ui' }, token: o.token });
    expect((await read(other)).data?.organization).toEqual({ featureFlag: null, isFeatureEnabled: false });

    const created = await world.server.gql(SetFeatureFlagDocument, {
      variables: { input: { organizationId: o.orgId, key: 'new-ui', enabled: true } },
      token: o.token,
    });
    expect(created.errors).toBeUndefined();
    const row = await world.prisma.featureFlag.findUniqueOrThrow({
      where: { organizationId_key: { organizationId: o.org.id, key: 'new-ui' } },
    });
    const id = globalId('FeatureFlag', row.id);
    expect(row.enabled).toBe(true);
    expect(created.data?.setFeatureFlag).toEqual({
      id,
      key: 'new-ui',
      enabled: true,
      organization: { id: o.orgId, slug: o.org.slug },
    });
    for (const instance of [world.server, other]) {
      expect((await read(instance)).data?.organization).toEqual({
        featureFlag: { id, key: 'new-ui', enabled: true, organization: { slug: o.org.slug } },
        isFeatureEnabled: true,
      });
    }

    const updated = await other.gql(SetFeatureFlagDocument, {
      variables: { input: { organizationId: o.orgId, key: 'new-ui', enabled: false } },
      token: o.token,
    });
    expect(updated.data?.setFeatureFlag).toMatchObject({ id, enabled: false });
    expect(
      await world.prisma.featureFlag.findMany({ where: { organizationId: o.org.id }, select: { id: true, enabled: true } }),
    ).toEqual([{ id: row.id, enabled: false }]);
    for (const instance of [world.server, other]) {
      expect((await read(instance)).data?.organization?.isFeatureEnabled).toBe(false);
      const page = await instance.gql(OrganizationPageDocument, { variables: { slug: o.org.slug }, token: o.token });
      expect(page.data?.organization?.featureFlags).toEqual([{ id, key: 'new-ui', enabled: false }]);
    }
  });
});

describe('deleteFeatureFlag', () => {
  it('deletes the flag; every instance reads it gone', async () => {
    const o = await ownedOrg({ 'old-ui': true, keep: false });
    const row = await world.prisma.featureFlag.findUniqueOrThrow({
      where: { organizationId_key: { organizationId: o.org.id, key: 'old-ui' } },
    });
    expect(
      (await other.gql(OrganizationPageDocument, { variables: { slug: o.org.slug }, token: o.token })).data?.organization
        ?.featureFlags,
    ).toHaveLength(2);
    const res = await world.server.gql(DeleteFeatureFlagDocument, {
      variables: { input: { organizationId: o.orgId, key: 'old-ui' } },
      token: o.token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.deleteFeatureFlag).toBe(globalId('FeatureFlag', row.id));
    expect(await world.prisma.featureFlag.findMany({ where: { organizationId: o.org.id }, select: { key: true } })).toEqual([
      { key: 'keep' },
    ]);
    for (const instance of [world.server, other]) {
      const page = await instance.gql(OrganizationPageDocument, { variables: { slug: o.org.slug }, token: o.token });
      expect(page.data?.organization?.featureFlags.map((f) => f.key)).toEqual(['keep']);
      const flag = await instance.gql(OrganizationFlagDocument, {
        variables: { slug: o.org.slug, key: 'old-ui' },
        token: o.token,
      });
      expect(flag.data?.organization).toEqual({ featureFlag: null, isFeatureEnabled: false });
    }
  });
});
