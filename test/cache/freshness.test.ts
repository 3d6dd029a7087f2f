import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import {
  AddMemberDocument,
  ChangeMemberRoleDocument,
  CreateOrganizationDocument,
  DeleteAccountDocument,
  DeleteFeatureFlagDocument,
  DeleteOrganizationDocument,
  LogOutDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  RemoveMemberDocument,
  SetFeatureFlagDocument,
  UpdateOrganizationDocument,
  UpdateProfileDocument,
  UserByIdDocument,
  ViewerDocument,
} from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeTeam } from '../helpers/fixtures.ts';
import { request } from '../helpers/http.ts';

// Every kind of mutation on instance A, then the very next read on instance B,
// whose entity cache was warmed with the old state first: B must see the write.

let world: TestWorld;
let a: TestInstance;
let b: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  a = world.server;
  b = await world.startInstance();
});
afterAll(() => world.close());

async function team() {
  const { users, outsider, org } = await makeTeam(world.prisma, { roles: ['OWNER', 'MEMBER'], flags: { 'old-flag': false } });
  const [owner, member] = [users.OWNER, users.MEMBER];
  const page = (token: string, on: TestInstance = b) =>
    on.gql(OrganizationPageDocument, { token, variables: { slug: org.slug, first: 50 } });
  // Warm B with the old state of everything the assertions read, and check that state is what B now holds.
  for (const who of [owner, member, outsider]) {
    const inside = who !== outsider;
    const warmPage = await page(who.token);
    expect(warmPage.data?.organization?.viewerRole ?? null).toBe(who === owner ? 'OWNER' : inside ? 'MEMBER' : null);
    expect(warmPage.data?.organization?.memberCount ?? null).toBe(inside ? 2 : null);
    const orgs = await b.gql(OrganizationsDocument, { token: who.token });
    expect(orgs.data?.organizations.map((o) => o.slug)).toEqual(inside ? [org.slug] : []);
    const viewer = await b.gql(ViewerDocument, { token: who.token });
    expect(viewer.data?.viewer?.id).toBe(globalId('User', who.user.id));
    expect(viewer.data?.viewer?.memberships?.length).toBe(inside ? 1 : 0);
  }
  return { owner, member, outsider, org, orgId: globalId('Organization', org.id), page };
}

describe('without invalidation', () => {
  it('a write straight to Postgres is not seen by the warmed instance (the tests below can fail)', async () => {
    const { member, owner, org, page } = await team();
    await world.prisma.user.update({ where: { id: member.user.id }, data: { name: 'Renamed Behind' } });
    await world.prisma.organization.update({ where: { id: org.id }, data: { name: 'Renamed Org Behind' } });
    expect((await b.gql(ViewerDocument, { token: member.token })).data?.viewer?.name).toBe(member.user.name);
    expect((await page(owner.token)).data?.organization?.name).toBe(org.name);
    // An instance without caches reads Postgres: the rows did change.
    const uncached = await world.startInstance({ env: { RESPONSE_CACHE: 'false', ENTITY_CACHE: 'false' } });
    expect((await uncached.gql(ViewerDocument, { token: member.token })).data?.viewer?.name).toBe('Renamed Behind');
    expect((await page(owner.token, uncached)).data?.organization?.name).toBe('Renamed Org Behind');
  });
});

describe('after each mutation, another instance reads fresh data on its next request', () => {
  it('updateProfile', async () => {
    const { member, owner } = await team();
    await b.gql(UserByIdDocument, { token: owner.token, variables: { id: globalId('User', member.user.id) } });
    await a.gql(UpdateProfileDocument, { token: member.token, variables: { input: { name: 'Renamed Member' } } });
    expect((await b.gql(ViewerDocument, { token: member.token })).data?.viewer?.name).toBe('Renamed Member');
    const seenByOwner = await b.gql(UserByIdDocument, {
      token: owner.token,
      variables: { id: globalId('User', member.user.id) },
    });
    expect(seenByOwner.data?.user?.name).toBe('Renamed Member');
  });

  it('createOrganization', async () => {
    const { owner } = await team();
    await a.gql(CreateOrganizationDocument, {
      token: owner.token,
      variables: { input: { name: 'Fresh', slug: `fresh-${owner.user.id.slice(-8)}` } },
    });
    const orgs = await b.gql(OrganizationsDocument, { token: owner.token });
    expect(orgs.data?.organizations.map((o) => o.name)).toContain('Fresh');
  });

  it('updateOrganization', async () => {
    const { owner, member, orgId, page } = await team();
    await a.gql(UpdateOrganizationDocument, {
      token: owner.token,
      variables: { input: { organizationId: orgId, name: 'New Name', plan: 'PRO' } },
    });
    const seen = await page(member.token);
    expect(seen.data?.organization?.name).toBe('New Name');
    expect(seen.data?.organization?.plan).toBe('PRO');
  });

  it('deleteOrganization', async () => {
    const { owner, member, orgId, page } = await team();
    await a.gql(DeleteOrganizationDocument, { token: owner.token, variables: { input: { organizationId: orgId } } });
    expect((await page(member.token)).data?.organization).toBeNull();
    expect((await b.gql(OrganizationsDocument, { token: member.token })).data?.organizations).toEqual([]);
    expect((await b.gql(ViewerDocument, { token: member.token })).data?.viewer?.memberships).toEqual([]);
  });

  it('addMember', async () => {
    const { owner, outsider, orgId, page } = await team();
    await a.gql(AddMemberDocument, {
      token: owner.token,
      variables: { input: { organizationId: orgId, email: outsider.user.email } },
    });
    const seen = await page(outsider.token);
    expect(seen.data?.organization?.viewerRole).toBe('MEMBER');
    expect(seen.data?.organization?.memberCount).toBe(3);
    expect((await page(owner.token)).data?.organization?.members.edges.map((e) => e.node.user.id)).toContain(
      globalId('User', outsider.user.id),
    );
    expect((await b.gql(OrganizationsDocument, { token: outsider.token })).data?.organizations).toHaveLength(1);
  });

  it('changeMemberRole', async () => {
    const { owner, member, page } = await team();
    const before = await page(member.token);
    const membershipId =
      before.data?.organization?.members.edges.find((e) => e.node.user.id === globalId('User', member.user.id))?.node.id ?? '';
    await a.gql(ChangeMemberRoleDocument, { token: owner.token, variables: { input: { membershipId, role: 'ADMIN' } } });
    expect((await page(member.token)).data?.organization?.viewerRole).toBe('ADMIN');
    const roles = (await b.gql(ViewerDocument, { token: member.token })).data?.viewer?.memberships?.map((m) => m.role);
    expect(roles).toEqual(['ADMIN']);
  });

  it('removeMember', async () => {
    const { owner, member, page } = await team();
    const before = await page(member.token);
    const membershipId =
      before.data?.organization?.members.edges.find((e) => e.node.user.id === globalId('User', member.user.id))?.node.id ?? '';
    await a.gql(RemoveMemberDocument, { token: owner.token, variables: { input: { membershipId } } });
    expect((await page(member.token)).data?.organization).toBeNull();
    expect((await page(owner.token)).data?.organization?.memberCount).toBe(1);
    expect((await b.gql(OrganizationsDocument, { token: member.token })).data?.organizations).toEqual([]);
  });

  it('setFeatureFlag (create and update) and deleteFeatureFlag', async () => {
    const { owner, member, orgId, page } = await team();
    const flags = async () => (await page(member.token)).data?.organization?.featureFlags.map((f) => [f.key, f.enabled]);
    await a.gql(SetFeatureFlagDocument, {
      token: owner.token,
      variables: { input: { organizationId: orgId, key: 'new-flag', enabled: true } },
    });
    expect(await flags()).toEqual([
      ['new-flag', true],
      ['old-flag', false],
    ]);
    await a.gql(SetFeatureFlagDocument, {
      token: owner.token,
      variables: { input: { organizationId: orgId, key: 'old-flag', enabled: true } },
    });
    expect(await flags()).toEqual([
      ['new-flag', true],
      ['old-flag', true],
    ]);
    await a.gql(DeleteFeatureFlagDocument, {
      token: owner.token,
      variables: { input: { organizationId: orgId, key: 'new-flag' } },
    });
    expect(await flags()).toEqual([['old-flag', true]]);
  });

  it('logOut', async () => {
    const { member } = await team();
    await a.gql(LogOutDocument, { token: member.token });
    expect((await b.gql(ViewerDocument, { token: member.token })).data?.viewer).toBeNull();
  });

  it('deleteAccount', async () => {
    const { owner, member, page } = await team();
    await a.gql(DeleteAccountDocument, { token: member.token });
    expect((await b.gql(ViewerDocument, { token: member.token })).data?.viewer).toBeNull();
    const seen = await page(owner.token);
    expect(seen.data?.organization?.memberCount).toBe(1);
    expect(
      (await b.gql(UserByIdDocument, { token: owner.token, variables: { id: globalId('User', member.user.id) } })).data?.user,
    ).toBeNull();
  });
});

describe('within one request', () => {
  it('a user a member page loaded before a write in the same document is read again after it', async () => {
    const { owner, orgId } = await team();
    // The first field's member page loads the owner's row in one batch (loaders.primeUsers); the second
    // renames the owner, and its own memberships' user field must show the new name, not that row.
    const res = await request(a, {
      token: owner.token,
      query: `mutation RenameAfterPage($org: ID!) {
        page: updateOrganization(input: { organizationId: $org }) { members(first: 10) { edges { node { user { name } } } } }
        renamed: updateProfile(input: { name: "Renamed Mid-Request" }) { memberships { user { name } } }
      }`,
      variables: { org: orgId },
    });
    expect(res.body.errors).toBeUndefined();
    const data = res.body.data as {
      page: { members: { edges: { node: { user: { name: string } } }[] } };
      renamed: { memberships: { user: { name: string } }[] };
    };
    expect(data.page.members.edges.map((e) => e.node.user.name)).toContain(owner.user.name);
    expect(data.renamed.memberships.map((m) => m.user.name)).toEqual(['Renamed Mid-Request']);
  });
});
