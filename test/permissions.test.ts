// Authorization rules for reads, organization writes and feature flags, each
// tested allowed and denied. Membership management is in permissions-members.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../src/schema/global-id.ts';
import {
  DeleteFeatureFlagDocument,
  DeleteOrganizationDocument,
  NodeDocument,
  OrganizationFlagDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  SetFeatureFlagDocument,
  UpdateOrganizationDocument,
  UserByIdDocument,
  type Role,
} from './generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from './helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser, unique } from './helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const ROLES = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const satisfies readonly Role[];

/** An org with one signed-in member per role, two flags, and a signed-in outsider. */
async function team() {
  const users = {} as Record<Role, Awaited<ReturnType<typeof makeSignedInUser>>>;
  for (const role of ROLES) users[role] = await makeSignedInUser(world.prisma);
  const outsider = await makeSignedInUser(world.prisma);
  const org = await makeOrg(
    world.prisma,
    ROLES.map((role) => ({ user: users[role].user, role })),
    { flags: { beta: true, legacy: false } },
  );
  const memberships = await world.prisma.membership.findMany({ where: { organizationId: org.id } });
  const flags = await world.prisma.featureFlag.findMany({ where: { organizationId: org.id }, orderBy: { key: 'asc' } });
  const membershipOf = (role: Role) => {
    const m = memberships.find((row) => row.userId === users[role].user.id);
    if (!m) throw new Error(`no ${role} membership`);
    return m;
  };
  return { org, orgId: globalId('Organization', org.id), users, outsider, flags, membershipOf };
}

const body = (res: { data?: unknown; errors?: unknown; status: number }) => ({
  status: res.status,
  data: res.data,
  errors: res.errors,
});

describe('reading an organization', () => {
  it.each(ROLES)('a %s reads it by slug, in organizations and by node, with members, flags and its own role', async (role) => {
    const t = await team();
    const token = t.users[role].token;

    const page = await world.server.gql(OrganizationPageDocument, { variables: { slug: t.org.slug }, token });
    expect(page.errors).toBeUndefined();
    const org = page.data?.organization;
    expect(org).toMatchObject({
      id: t.orgId,
      name: t.org.name,
      slug: t.org.slug,
      plan: 'FREE',
      viewerRole: role,
      memberCount: 4,
    });
    expect(org?.members.edges.map((e) => e.node.user.id).sort()).toEqual(
      ROLES.map((r) => globalId('User', t.users[r].user.id)).sort(),
    );
    expect(org?.members.edges.map((e) => e.node.user.email).sort()).toEqual(ROLES.map((r) => t.users[r].user.email).sort());
    expect(org?.featureFlags).toEqual([
      { id: globalId('FeatureFlag', t.flags[0]!.id), key: 'beta', enabled: true },
      { id: globalId('FeatureFlag', t.flags[1]!.id), key: 'legacy', enabled: false },
    ]);

    const beta = await world.server.gql(OrganizationFlagDocument, { variables: { slug: t.org.slug, key: 'beta' }, token });
    expect(beta.data?.organization).toEqual({
      featureFlag: {
        id: globalId('FeatureFlag', t.flags[0]!.id),
        key: 'beta',
        enabled: true,
        organization: { slug: t.org.slug },
      },
      isFeatureEnabled: true,
    });
    const legacy = await world.server.gql(OrganizationFlagDocument, { variables: { slug: t.org.slug, key: 'legacy' }, token });
    expect(legacy.data?.organization?.isFeatureEnabled).toBe(false);
    expect(legacy.data?.organization?.featureFlag?.enabled).toBe(false);
    const missing = await world.server.gql(OrganizationFlagDocument, { variables: { slug: t.org.slug, key: 'nope' }, token });
    expect(missing.errors).toBeUndefined();
    expect(missing.data?.organization).toEqual({ featureFlag: null, isFeatureEnabled: false });

    const list = await world.server.gql(OrganizationsDocument, { token });
    expect(list.data?.organizations).toEqual([
      { id: t.orgId, slug: t.org.slug, name: t.org.name, viewerRole: role, memberCount: 4 },
    ]);

    const byNode = await world.server.gql(NodeDocument, { variables: { id: t.orgId }, token });
    expect(byNode.data?.node).toEqual({ __typename: 'Organization', id: t.orgId, slug: t.org.slug });
    const ownerMembership = globalId('Membership', t.membershipOf('OWNER').id);
    const membershipNode = await world.server.gql(NodeDocument, { variables: { id: ownerMembership }, token });
    expect(membershipNode.data?.node).toEqual({ __typename: 'Membership', id: ownerMembership, role: 'OWNER' });
    const flagId = globalId('FeatureFlag', t.flags[0]!.id);
    const flagNode = await world.server.gql(NodeDocument, { variables: { id: flagId }, token });
    expect(flagNode.data?.node).toEqual({ __typename: 'FeatureFlag', id: flagId, key: 'beta', enabled: true });
  });

  it('a non-member gets null by slug, exactly as for a slug that does not exist, and no listing', async () => {
    const t = await team();
    const token = t.outsider.token;
    const hidden = await world.server.gql(OrganizationPageDocument, { variables: { slug: t.org.slug }, token });
    const absent = await world.server.gql(OrganizationPageDocument, { variables: { slug: unique('no-such') }, token });
    expect(body(hidden)).toEqual({ status: 200, data: { organization: null }, errors: undefined });
    expect(body(hidden)).toEqual(body(absent));
    const flag = await world.server.gql(OrganizationFlagDocument, { variables: { slug: t.org.slug, key: 'beta' }, token });
    expect(body(flag)).toEqual({ status: 200, data: { organization: null }, errors: undefined });
    const list = await world.server.gql(OrganizationsDocument, { token });
    expect(list.data?.organizations).toEqual([]);
  });

  it.each([
    ['Organization', (t: Awaited<ReturnType<typeof team>>) => globalId('Organization', t.org.id)],
    ['Membership', (t: Awaited<ReturnType<typeof team>>) => globalId('Membership', t.membershipOf('OWNER').id)],
    ['FeatureFlag', (t: Awaited<ReturnType<typeof team>>) => globalId('FeatureFlag', t.flags[0]!.id)],
  ] as const)('a non-member gets null from node for a hidden %s, exactly as for one that does not exist', async (type, idOf) => {
    const t = await team();
    const hidden = await world.server.gql(NodeDocument, { variables: { id: idOf(t) }, token: t.outsider.token });
    const absent = await world.server.gql(NodeDocument, {
      variables: { id: globalId(type, unique('c')) },
      token: t.outsider.token,
    });
    expect(body(hidden)).toEqual({ status: 200, data: { node: null }, errors: undefined });
    expect(body(hidden)).toEqual(body(absent));
  });

  it('signed out, organization, organizations, user and node are UNAUTHENTICATED', async () => {
    const t = await team();
    expect(errorCodes(await world.server.gql(OrganizationPageDocument, { variables: { slug: t.org.slug } }))).toEqual([
      'UNAUTHENTICATED',
    ]);
    expect(errorCodes(await world.server.gql(OrganizationsDocument))).toEqual(['UNAUTHENTICATED']);
    const userId = globalId('User', t.users.OWNER.user.id);
    expect(errorCodes(await world.server.gql(UserByIdDocument, { variables: { id: userId } }))).toEqual(['UNAUTHENTICATED']);
    for (const id of [t.orgId, userId]) {
      const res = await world.server.gql(NodeDocument, { variables: { id } });
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
      expect(res.data?.node ?? null).toBeNull();
    }
  });
});

describe("a user's private fields", () => {
  async function userInTwoOrgs() {
    const subject = await makeSignedInUser(world.prisma);
    const coMember = await makeSignedInUser(world.prisma);
    const stranger = await makeSignedInUser(world.prisma);
    const shared = await makeOrg(world.prisma, [
      { user: subject.user, role: 'ADMIN' },
      { user: coMember.user, role: 'OWNER' },
    ]);
    const privateOrg = await makeOrg(world.prisma, [{ user: subject.user, role: 'OWNER' }]);
    const ms = await world.prisma.membership.findMany({ where: { userId: subject.user.id } });
    const inOrg = (orgId: string) => globalId('Membership', ms.find((m) => m.organizationId === orgId)!.id);
    return { subject, coMember, stranger, shared, privateOrg, inOrg, id: globalId('User', subject.user.id) };
  }

  it('the user sees their own email and all their memberships', async () => {
    const s = await userInTwoOrgs();
    const res = await world.server.gql(UserByIdDocument, { variables: { id: s.id }, token: s.subject.token });
    expect(res.data?.user?.email).toBe(s.subject.user.email);
    expect(res.data?.user?.memberships?.map((m) => m.organization.slug).sort()).toEqual(
      [s.shared.slug, s.privateOrg.slug].sort(),
    );
  });

  it('a co-member sees the email, and only the memberships in organizations they share', async () => {
    const s = await userInTwoOrgs();
    const res = await world.server.gql(UserByIdDocument, { variables: { id: s.id }, token: s.coMember.token });
    expect(res.errors).toBeUndefined();
    expect(res.data?.user).toEqual({
      id: s.id,
      name: s.subject.user.name,
      email: s.subject.user.email,
      memberships: [{ id: s.inOrg(s.shared.id), role: 'ADMIN', organization: { slug: s.shared.slug } }],
    });
  });

  it('a signed-in stranger sees the name, but null email and memberships', async () => {
    const s = await userInTwoOrgs();
    const res = await world.server.gql(UserByIdDocument, { variables: { id: s.id }, token: s.stranger.token });
    expect(res.errors).toBeUndefined();
    expect(res.data?.user).toEqual({ id: s.id, name: s.subject.user.name, email: null, memberships: null });
    const node = await world.server.gql(NodeDocument, { variables: { id: s.id }, token: s.stranger.token });
    expect(node.data?.node).toEqual({ __typename: 'User', id: s.id, name: s.subject.user.name });
  });
});

describe('organization writes', () => {
  it.each(['OWNER', 'ADMIN'] as const)('a %s renames the organization', async (role) => {
    const t = await team();
    const res = await world.server.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId: t.orgId, name: `Renamed by ${role}` } },
      token: t.users[role].token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.updateOrganization).toEqual({ id: t.orgId, name: `Renamed by ${role}`, slug: t.org.slug, plan: 'FREE' });
    expect((await world.prisma.organization.findUniqueOrThrow({ where: { id: t.org.id } })).name).toBe(`Renamed by ${role}`);
  });

  it.each(['MEMBER', 'VIEWER'] as const)('a %s may not rename it: FORBIDDEN, nothing changes', async (role) => {
    const t = await team();
    const res = await world.server.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId: t.orgId, name: 'Hijacked' } },
      token: t.users[role].token,
    });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect((await world.prisma.organization.findUniqueOrThrow({ where: { id: t.org.id } })).name).toBe(t.org.name);
  });

  it.each(['MEMBER', 'VIEWER'] as const)('a %s is FORBIDDEN even when the update would change nothing', async (role) => {
    const t = await team();
    const res = await world.server.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId: t.orgId, plan: 'FREE' } },
      token: t.users[role].token,
    });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
  });

  it('only an OWNER changes the plan', async () => {
    const t = await team();
    const asOwner = await world.server.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId: t.orgId, plan: 'PRO' } },
      token: t.users.OWNER.token,
    });
    expect(asOwner.data?.updateOrganization.plan).toBe('PRO');
    expect((await world.prisma.organization.findUniqueOrThrow({ where: { id: t.org.id } })).plan).toBe('PRO');
    for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) {
      const res = await world.server.gql(UpdateOrganizationDocument, {
        variables: { input: { organizationId: t.orgId, plan: 'ENTERPRISE' } },
        token: t.users[role].token,
      });
      expect(errorCodes(res), role).toEqual(['FORBIDDEN']);
    }
    // An ADMIN renaming and re-planning at once changes neither.
    const both = await world.server.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId: t.orgId, name: 'Both', plan: 'FREE' } },
      token: t.users.ADMIN.token,
    });
    expect(errorCodes(both)).toEqual(['FORBIDDEN']);
    expect(await world.prisma.organization.findUniqueOrThrow({ where: { id: t.org.id } })).toMatchObject({
      plan: 'PRO',
      name: t.org.name,
    });
  });

  it('only an OWNER deletes the organization', async () => {
    const t = await team();
    for (const role of ['ADMIN', 'MEMBER', 'VIEWER'] as const) {
      const res = await world.server.gql(DeleteOrganizationDocument, {
        variables: { input: { organizationId: t.orgId } },
        token: t.users[role].token,
      });
      expect(errorCodes(res), role).toEqual(['FORBIDDEN']);
    }
    expect(await world.prisma.organization.count({ where: { id: t.org.id } })).toBe(1);
    const res = await world.server.gql(DeleteOrganizationDocument, {
      variables: { input: { organizationId: t.orgId } },
      token: t.users.OWNER.token,
    });
    expect(res.data?.deleteOrganization).toBe(t.orgId);
    expect(await world.prisma.organization.count({ where: { id: t.org.id } })).toBe(0);
  });

  it('a non-member gets NOT_FOUND from every organization write, exactly as for an organization that does not exist', async () => {
    const t = await team();
    const token = t.outsider.token;
    const absentId = globalId('Organization', unique('c'));
    for (const organizationId of [t.orgId, absentId]) {
      const writes = [
        await world.server.gql(UpdateOrganizationDocument, { variables: { input: { organizationId, name: 'X' } }, token }),
        await world.server.gql(UpdateOrganizationDocument, { variables: { input: { organizationId, plan: 'PRO' } }, token }),
        await world.server.gql(DeleteOrganizationDocument, { variables: { input: { organizationId } }, token }),
      ];
      for (const res of writes) {
        expect(errorCodes(res)).toEqual(['NOT_FOUND']);
        expect(res.errors?.[0]?.message).toBe('Organization not found');
      }
    }
    expect(await world.prisma.organization.findUniqueOrThrow({ where: { id: t.org.id } })).toMatchObject({
      name: t.org.name,
      plan: 'FREE',
    });
  });
});

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

describe('viewerRole', () => {
  it('shows each member their own role, and a user in several orgs the role in each', async () => {
    const user = await makeSignedInUser(world.prisma);
    const others = await makeUser(world.prisma);
    const orgs = [];
    for (const role of ROLES) {
      orgs.push(
        await makeOrg(
          world.prisma,
          role === 'OWNER'
            ? [{ user: user.user, role }]
            : [
                { user: others, role: 'OWNER' },
                { user: user.user, role },
              ],
        ),
      );
    }
    for (const [i, org] of orgs.entries()) {
      const res = await world.server.gql(OrganizationPageDocument, { variables: { slug: org.slug }, token: user.token });
      expect(res.data?.organization?.viewerRole).toBe(ROLES[i]);
    }
    const list = await world.server.gql(OrganizationsDocument, { token: user.token });
    expect(list.data?.organizations.map((o) => [o.slug, o.viewerRole])).toEqual(orgs.map((o, i) => [o.slug, ROLES[i]]));
  });
});
