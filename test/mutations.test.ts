// Account and organization mutations: each success (answer and database) and
// each error code, plus malformed global IDs on every mutation that takes one.
// Members, flags and paging are in mutations-members.test.ts.
import type { GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../src/auth/tokens.ts';
import { globalId } from '../src/schema/global-id.ts';
import {
  AddMemberDocument,
  ChangeMemberRoleDocument,
  CreateOrganizationDocument,
  DeleteAccountDocument,
  DeleteFeatureFlagDocument,
  DeleteOrganizationDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  RemoveMemberDocument,
  SetFeatureFlagDocument,
  UpdateOrganizationDocument,
  UpdateProfileDocument,
  ViewerDocument,
  type Plan,
} from './generated/graphql.ts';
import { createTestWorld, errorCodes, type TestInstance, type TestWorld } from './helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser, signInAs, unique } from './helpers/fixtures.ts';

let world: TestWorld;
let other: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  other = await world.startInstance();
});
afterAll(() => world.close());

const slugFor = () => unique('s').toLowerCase();

describe('updateProfile', () => {
  it('sets name and avatarUrl, keeps what is omitted, clears avatarUrl with null; every instance reads it', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const id = globalId('User', user.id);
    const set = await world.server.gql(UpdateProfileDocument, {
      variables: { input: { name: '  New Name ', avatarUrl: 'https://cdn.example.com/a.png' } },
      token,
    });
    expect(set.errors).toBeUndefined();
    expect(set.data?.updateProfile).toEqual({ id, name: 'New Name', avatarUrl: 'https://cdn.example.com/a.png' });
    expect(await world.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      name: 'New Name',
      avatarUrl: 'https://cdn.example.com/a.png',
    });
    expect((await other.gql(ViewerDocument, { token })).data?.viewer).toMatchObject({
      name: 'New Name',
      avatarUrl: 'https://cdn.example.com/a.png',
    });

    const nameOnly = await world.server.gql(UpdateProfileDocument, { variables: { input: { name: 'Other' } }, token });
    expect(nameOnly.data?.updateProfile).toEqual({ id, name: 'Other', avatarUrl: 'https://cdn.example.com/a.png' });

    const cleared = await world.server.gql(UpdateProfileDocument, { variables: { input: { avatarUrl: null } }, token });
    expect(cleared.data?.updateProfile).toEqual({ id, name: 'Other', avatarUrl: null });
    expect(await world.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      name: 'Other',
      avatarUrl: null,
    });
    expect((await other.gql(ViewerDocument, { token })).data?.viewer).toMatchObject({ name: 'Other', avatarUrl: null });
  });

  it.each([
    ['a non-URL avatar', { avatarUrl: 'not a url' }, 'avatarUrl'],
    ['a non-http avatar', { avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
    ['an ftp avatar', { avatarUrl: 'ftp://example.com/a.png' }, 'avatarUrl'],
    ['an empty name', { name: '   ' }, 'name'],
  ])('refuses %s with BAD_USER_INPUT naming the field, changing nothing', async (_label, input, field) => {
    const user = await makeUser(world.prisma, { avatarUrl: 'https://cdn.example.com/keep.png' });
    const token = await signInAs(world.prisma, user);
    const res = await world.server.gql(UpdateProfileDocument, { variables: { input }, token });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe(field);
    expect(await world.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toMatchObject({
      name: user.name,
      avatarUrl: user.avatarUrl,
    });
  });

  it('signed out is UNAUTHENTICATED', async () => {
    expect(errorCodes(await world.server.gql(UpdateProfileDocument, { variables: { input: { name: 'X' } } }))).toEqual([
      'UNAUTHENTICATED',
    ]);
  });
});

describe('deleteAccount', () => {
  it('deletes the user, sessions and memberships, and the orgs where they were alone; the token dies on every instance', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const secondToken = await signInAs(world.prisma, user);
    const peer = await makeSignedInUser(world.prisma);
    const alone = await makeOrg(world.prisma, [{ user, role: 'OWNER' }], { flags: { solo: true } });
    const coOwned = await makeOrg(world.prisma, [
      { user, role: 'OWNER' },
      { user: peer.user, role: 'OWNER' },
    ]);
    const joined = await makeOrg(world.prisma, [
      { user: peer.user, role: 'OWNER' },
      { user, role: 'MEMBER' },
    ]);
    // Both instances have the session cached before the delete.
    for (const instance of [world.server, other])
      expect((await instance.gql(ViewerDocument, { token })).data?.viewer?.id).toBe(globalId('User', user.id));

    const res = await world.server.gql(DeleteAccountDocument, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data?.deleteAccount).toBe(globalId('User', user.id));

    expect(await world.prisma.user.count({ where: { id: user.id } })).toBe(0);
    expect(await world.prisma.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await world.prisma.membership.count({ where: { userId: user.id } })).toBe(0);
    expect(await world.prisma.organization.count({ where: { id: alone.id } })).toBe(0);
    expect(await world.prisma.featureFlag.count({ where: { organizationId: alone.id } })).toBe(0);
    expect(await world.prisma.organization.count({ where: { id: { in: [coOwned.id, joined.id] } } })).toBe(2);
    for (const instance of [world.server, other]) {
      for (const t of [token, secondToken]) {
        expect(errorCodes(await instance.gql(OrganizationsDocument, { token: t }))).toEqual(['UNAUTHENTICATED']);
        expect((await instance.gql(ViewerDocument, { token: t })).data?.viewer).toBeNull();
      }
    }
    const seen = await other.gql(OrganizationsDocument, { token: peer.token });
    expect(seen.data?.organizations.map((o) => [o.slug, o.memberCount])).toEqual([
      [coOwned.slug, 1],
      [joined.slug, 1],
    ]);
  });

  it('the last OWNER of an org with other members gets CONFLICT, and nothing is deleted', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const peer = await makeUser(world.prisma);
    const alone = await makeOrg(world.prisma, [{ user, role: 'OWNER' }]);
    const owned = await makeOrg(world.prisma, [
      { user, role: 'OWNER' },
      { user: peer, role: 'ADMIN' },
    ]);
    const res = await world.server.gql(DeleteAccountDocument, { token });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(res.errors?.[0]?.message).toContain(owned.slug);
    expect(await world.prisma.user.count({ where: { id: user.id } })).toBe(1);
    expect(await world.prisma.session.count({ where: { tokenHash: hashToken(token) } })).toBe(1);
    expect(await world.prisma.membership.count({ where: { userId: user.id } })).toBe(2);
    expect(await world.prisma.organization.count({ where: { id: { in: [alone.id, owned.id] } } })).toBe(2);
    expect((await other.gql(ViewerDocument, { token })).data?.viewer?.id).toBe(globalId('User', user.id));
  });

  it('signed out is UNAUTHENTICATED', async () => {
    expect(errorCodes(await world.server.gql(DeleteAccountDocument))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('createOrganization', () => {
  it('makes the creator its only OWNER, on the FREE plan by default; every instance reads it', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const slug = slugFor();
    const res = await world.server.gql(CreateOrganizationDocument, { variables: { input: { name: ' Acme ', slug } }, token });
    expect(res.errors).toBeUndefined();
    const org = await world.prisma.organization.findUniqueOrThrow({ where: { slug }, include: { memberships: true } });
    expect(res.data?.createOrganization).toEqual({
      id: globalId('Organization', org.id),
      name: 'Acme',
      slug,
      plan: 'FREE',
      viewerRole: 'OWNER',
      memberCount: 1,
    });
    expect(org.plan).toBe('FREE');
    expect(org.memberships.map((m) => [m.userId, m.role])).toEqual([[user.id, 'OWNER']]);
    const page = await other.gql(OrganizationPageDocument, { variables: { slug }, token });
    expect(page.data?.organization).toMatchObject({ name: 'Acme', viewerRole: 'OWNER', memberCount: 1 });
    expect((await other.gql(OrganizationsDocument, { token })).data?.organizations.map((o) => o.slug)).toEqual([slug]);
  });

  it('takes a plan', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const slug = slugFor();
    const res = await world.server.gql(CreateOrganizationDocument, {
      variables: { input: { name: 'Big', slug, plan: 'ENTERPRISE' } },
      token,
    });
    expect(res.data?.createOrganization.plan).toBe('ENTERPRISE');
    expect((await world.prisma.organization.findUniqueOrThrow({ where: { slug } })).plan).toBe('ENTERPRISE');
  });

  it.each(['Upper-Case', 'ab', '-leading', 'trailing-', 'has space', 'a'.repeat(41), 'under_score'])(
    'refuses the slug %j with BAD_USER_INPUT',
    async (slug) => {
      const { token } = await makeSignedInUser(world.prisma);
      const res = await world.server.gql(CreateOrganizationDocument, { variables: { input: { name: 'X', slug } }, token });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0]?.extensions?.['field']).toBe('slug');
      expect(await world.prisma.organization.count({ where: { slug } })).toBe(0);
    },
  );

  it('refuses an empty name with BAD_USER_INPUT', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const slug = slugFor();
    const res = await world.server.gql(CreateOrganizationDocument, { variables: { input: { name: ' ', slug } }, token });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe('name');
    expect(await world.prisma.organization.count({ where: { slug } })).toBe(0);
  });

  it('refuses a taken slug with CONFLICT, leaving the existing org alone', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const taken = await makeOrg(world.prisma, [{ user: await makeUser(world.prisma), role: 'OWNER' }]);
    const res = await world.server.gql(CreateOrganizationDocument, {
      variables: { input: { name: 'Dup', slug: taken.slug } },
      token,
    });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe('slug');
    expect(await world.prisma.membership.count({ where: { userId: user.id } })).toBe(0);
    expect((await world.prisma.organization.findUniqueOrThrow({ where: { slug: taken.slug } })).name).toBe(taken.name);
  });

  it('refuses an unknown plan sent in variables with BAD_USER_INPUT', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const slug = slugFor();
    const res = await world.server.gql(CreateOrganizationDocument, {
      variables: { input: { name: 'X', slug, plan: 'GOLD' as Plan } },
      token,
    });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.data ?? null).toBeNull();
    expect(await world.prisma.organization.count({ where: { slug } })).toBe(0);
  });

  it('signed out is UNAUTHENTICATED', async () => {
    const res = await world.server.gql(CreateOrganizationDocument, { variables: { input: { name: 'X', slug: slugFor() } } });
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('updateOrganization', () => {
  it('renames and re-plans; omitted fields are kept; every instance reads the new state', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const org = await makeOrg(world.prisma, [{ user, role: 'OWNER' }]);
    const organizationId = globalId('Organization', org.id);
    const res = await world.server.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId, name: ' Renamed ', plan: 'PRO' } },
      token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.updateOrganization).toEqual({ id: organizationId, name: 'Renamed', slug: org.slug, plan: 'PRO' });
    expect(await world.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).toMatchObject({
      name: 'Renamed',
      plan: 'PRO',
    });
    expect(
      (await other.gql(OrganizationPageDocument, { variables: { slug: org.slug }, token })).data?.organization,
    ).toMatchObject({ name: 'Renamed', plan: 'PRO' });

    const planOnly = await world.server.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId, plan: 'FREE' } },
      token,
    });
    expect(planOnly.data?.updateOrganization).toMatchObject({ name: 'Renamed', plan: 'FREE' });
    const nameOnly = await other.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId, name: 'Again', plan: null } },
      token,
    });
    expect(nameOnly.data?.updateOrganization).toMatchObject({ name: 'Again', plan: 'FREE' });
    expect(await world.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).toMatchObject({
      name: 'Again',
      plan: 'FREE',
    });
    expect((await world.server.gql(OrganizationsDocument, { token })).data?.organizations).toEqual([
      { id: organizationId, slug: org.slug, name: 'Again', viewerRole: 'OWNER', memberCount: 1 },
    ]);
  });

  it('refuses an empty name with BAD_USER_INPUT', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const org = await makeOrg(world.prisma, [{ user, role: 'OWNER' }]);
    const res = await world.server.gql(UpdateOrganizationDocument, {
      variables: { input: { organizationId: globalId('Organization', org.id), name: '' } },
      token,
    });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect((await world.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).name).toBe(org.name);
  });
});

describe('deleteOrganization', () => {
  it('deletes it with its memberships and flags; members no longer list it, on any instance', async () => {
    const owner = await makeSignedInUser(world.prisma);
    const member = await makeSignedInUser(world.prisma);
    const org = await makeOrg(
      world.prisma,
      [
        { user: owner.user, role: 'OWNER' },
        { user: member.user, role: 'MEMBER' },
      ],
      { flags: { a1: true, b2: false } },
    );
    const kept = await makeOrg(world.prisma, [{ user: member.user, role: 'OWNER' }]);
    expect((await other.gql(OrganizationsDocument, { token: member.token })).data?.organizations).toHaveLength(2);
    const organizationId = globalId('Organization', org.id);
    const res = await world.server.gql(DeleteOrganizationDocument, {
      variables: { input: { organizationId } },
      token: owner.token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.deleteOrganization).toBe(organizationId);
    expect(await world.prisma.organization.count({ where: { id: org.id } })).toBe(0);
    expect(await world.prisma.membership.count({ where: { organizationId: org.id } })).toBe(0);
    expect(await world.prisma.featureFlag.count({ where: { organizationId: org.id } })).toBe(0);
    expect(await world.prisma.user.count({ where: { id: { in: [owner.user.id, member.user.id] } } })).toBe(2);
    for (const instance of [world.server, other]) {
      expect((await instance.gql(OrganizationsDocument, { token: member.token })).data?.organizations.map((o) => o.slug)).toEqual(
        [kept.slug],
      );
      expect((await instance.gql(OrganizationsDocument, { token: owner.token })).data?.organizations).toEqual([]);
      expect(
        (await instance.gql(OrganizationPageDocument, { variables: { slug: org.slug }, token: owner.token })).data?.organization,
      ).toBeNull();
    }
    const again = await world.server.gql(DeleteOrganizationDocument, {
      variables: { input: { organizationId } },
      token: owner.token,
    });
    expect(errorCodes(again)).toEqual(['NOT_FOUND']);
  });
});

describe('malformed global IDs', () => {
  type Send = (id: string, token: string) => Promise<{ errors?: readonly GraphQLFormattedError[] }>;
  const orgIdMutations: [string, Send][] = [
    [
      'updateOrganization',
      (organizationId, token) =>
        world.server.gql(UpdateOrganizationDocument, { variables: { input: { organizationId, name: 'X' } }, token }),
    ],
    [
      'deleteOrganization',
      (organizationId, token) =>
        world.server.gql(DeleteOrganizationDocument, { variables: { input: { organizationId } }, token }),
    ],
    [
      'addMember',
      (organizationId, token) =>
        world.server.gql(AddMemberDocument, { variables: { input: { organizationId, email: 'x@example.com' } }, token }),
    ],
    [
      'setFeatureFlag',
      (organizationId, token) =>
        world.server.gql(SetFeatureFlagDocument, { variables: { input: { organizationId, key: 'k1', enabled: true } }, token }),
    ],
    [
      'deleteFeatureFlag',
      (organizationId, token) =>
        world.server.gql(DeleteFeatureFlagDocument, { variables: { input: { organizationId, key: 'k1' } }, token }),
    ],
  ];
  const membershipIdMutations: [string, Send][] = [
    [
      'changeMemberRole',
      (membershipId, token) =>
        world.server.gql(ChangeMemberRoleDocument, { variables: { input: { membershipId, role: 'ADMIN' } }, token }),
    ],
    [
      'removeMember',
      (membershipId, token) => world.server.gql(RemoveMemberDocument, { variables: { input: { membershipId } }, token }),
    ],
  ];

  it.each(orgIdMutations)('%s refuses a garbage or wrong-type organizationId with BAD_USER_INPUT', async (_name, send) => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const org = await makeOrg(world.prisma, [{ user, role: 'OWNER' }]);
    const membership = await world.prisma.membership.findFirstOrThrow({ where: { organizationId: org.id } });
    for (const id of [
      'garbage',
      '',
      globalId('User', user.id),
      globalId('Membership', membership.id),
      Buffer.from(`Organization:`).toString('base64'),
    ]) {
      const res = await send(id, token);
      expect(errorCodes(res), id).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0]?.extensions?.['field'], id).toBe('organizationId');
    }
    expect(await world.prisma.organization.findUniqueOrThrow({ where: { id: org.id } })).toMatchObject({ name: org.name });
  });

  it.each(membershipIdMutations)('%s refuses a garbage or wrong-type membershipId with BAD_USER_INPUT', async (_name, send) => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const org = await makeOrg(world.prisma, [{ user, role: 'OWNER' }]);
    for (const id of ['garbage', '', globalId('Organization', org.id), globalId('User', user.id)]) {
      const res = await send(id, token);
      expect(errorCodes(res), id).toEqual(['BAD_USER_INPUT']);
      expect(res.errors?.[0]?.extensions?.['field'], id).toBe('membershipId');
    }
    expect(await world.prisma.membership.count({ where: { organizationId: org.id, role: 'OWNER' } })).toBe(1);
  });
});
