// Who reads an organization, its members and flags, and a user's private fields: each rule allowed and denied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import {
  NodeDocument,
  OrganizationFlagDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  UserByIdDocument,
} from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, makeTeam, makeUser, ROLES, unique } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** An org with one signed-in member per role, two flags, and a signed-in outsider. */
const team = () => makeTeam(world.prisma, { flags: { beta: true, legacy: false } });

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
