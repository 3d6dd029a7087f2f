// Member and feature flag mutations: each success (answer, database, and a read
// from a second instance) and each error code; then paging through members.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../src/schema/global-id.ts';
import {
  AddMemberDocument,
  ChangeMemberRoleDocument,
  DeleteFeatureFlagDocument,
  OrganizationFlagDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  RemoveMemberDocument,
  SetFeatureFlagDocument,
} from './generated/graphql.ts';
import { createTestWorld, errorCodes, type TestInstance, type TestWorld } from './helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser, signInAs } from './helpers/fixtures.ts';

let world: TestWorld;
let other: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  other = await world.startInstance();
});
afterAll(() => world.close());

/** A signed-in OWNER alone in a fresh org, with the org's global id. */
async function ownedOrg(flags?: Record<string, boolean>) {
  const owner = await makeSignedInUser(world.prisma);
  const org = await makeOrg(world.prisma, [{ user: owner.user, role: 'OWNER' }], { flags });
  return { owner, org, orgId: globalId('Organization', org.id), token: owner.token };
}

const memberCountOn = async (instance: TestInstance, slug: string, token: string) =>
  (await instance.gql(OrganizationPageDocument, { variables: { slug }, token })).data?.organization?.memberCount;

describe('addMember', () => {
  it('adds an existing account by email as a MEMBER by default; every instance reads it', async () => {
    const o = await ownedOrg();
    const newcomer = await makeUser(world.prisma);
    const newcomerToken = await signInAs(world.prisma, newcomer);
    // Warm the reads on the other instance before the write.
    expect(await memberCountOn(other, o.org.slug, o.token)).toBe(1);
    expect(await other.gql(OrganizationPageDocument, { variables: { slug: o.org.slug }, token: newcomerToken })).toMatchObject({
      data: { organization: null },
    });

    const res = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: o.orgId, email: `  ${newcomer.email.toUpperCase()} ` } },
      token: o.token,
    });
    expect(res.errors).toBeUndefined();
    const row = await world.prisma.membership.findUniqueOrThrow({
      where: { userId_organizationId: { userId: newcomer.id, organizationId: o.org.id } },
    });
    expect(row.role).toBe('MEMBER');
    expect(res.data?.addMember).toEqual({
      id: globalId('Membership', row.id),
      role: 'MEMBER',
      user: { id: globalId('User', newcomer.id), email: newcomer.email },
      organization: { id: o.orgId, slug: o.org.slug, memberCount: 2 },
    });
    for (const instance of [world.server, other]) {
      const page = await instance.gql(OrganizationPageDocument, { variables: { slug: o.org.slug }, token: o.token });
      expect(page.data?.organization?.memberCount).toBe(2);
      expect(page.data?.organization?.members.edges.map((e) => e.node.user.id)).toEqual([
        globalId('User', o.owner.user.id),
        globalId('User', newcomer.id),
      ]);
      const theirs = await instance.gql(OrganizationsDocument, { token: newcomerToken });
      expect(theirs.data?.organizations).toEqual([
        { id: o.orgId, slug: o.org.slug, name: o.org.name, viewerRole: 'MEMBER', memberCount: 2 },
      ]);
    }
  });

  it('an unknown email is NOT_FOUND', async () => {
    const o = await ownedOrg();
    const res = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: o.orgId, email: 'nobody-here@nowhere.example' } },
      token: o.token,
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(await world.prisma.membership.count({ where: { organizationId: o.org.id } })).toBe(1);
  });

  it('a malformed email is BAD_USER_INPUT naming the field', async () => {
    const o = await ownedOrg();
    const res = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: o.orgId, email: 'not-an-email' } },
      token: o.token,
    });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe('email');
  });

  it('an existing member is CONFLICT, and their role is unchanged', async () => {
    const o = await ownedOrg();
    const member = await makeUser(world.prisma);
    await world.prisma.membership.create({ data: { userId: member.id, organizationId: o.org.id, role: 'VIEWER' } });
    const res = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: o.orgId, email: member.email, role: 'ADMIN' } },
      token: o.token,
    });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe('email');
    expect(await world.prisma.membership.findMany({ where: { userId: member.id }, select: { role: true } })).toEqual([
      { role: 'VIEWER' },
    ]);
    expect(await memberCountOn(other, o.org.slug, o.token)).toBe(2);
  });
});

describe('changeMemberRole', () => {
  it('changes the role; the member and every instance read the new one', async () => {
    const o = await ownedOrg();
    const member = await makeSignedInUser(world.prisma);
    const row = await world.prisma.membership.create({
      data: { userId: member.user.id, organizationId: o.org.id, role: 'MEMBER' },
    });
    const membershipId = globalId('Membership', row.id);
    expect((await other.gql(OrganizationsDocument, { token: member.token })).data?.organizations[0]?.viewerRole).toBe('MEMBER');
    const res = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId, role: 'ADMIN' } },
      token: o.token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.changeMemberRole).toEqual({ id: membershipId, role: 'ADMIN' });
    expect((await world.prisma.membership.findUniqueOrThrow({ where: { id: row.id } })).role).toBe('ADMIN');
    for (const instance of [world.server, other]) {
      expect((await instance.gql(OrganizationsDocument, { token: member.token })).data?.organizations[0]?.viewerRole).toBe(
        'ADMIN',
      );
      const page = await instance.gql(OrganizationPageDocument, { variables: { slug: o.org.slug }, token: o.token });
      expect(page.data?.organization?.members.edges.find((e) => e.node.id === membershipId)?.node.role).toBe('ADMIN');
    }
  });

  it('a membership that does not exist is NOT_FOUND', async () => {
    const o = await ownedOrg();
    const res = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: globalId('Membership', 'cnotamembership000000000'), role: 'ADMIN' } },
      token: o.token,
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
  });
});

describe('removeMember', () => {
  it('removes the member; counts drop and the org disappears for them, on every instance', async () => {
    const o = await ownedOrg();
    const member = await makeSignedInUser(world.prisma);
    const row = await world.prisma.membership.create({
      data: { userId: member.user.id, organizationId: o.org.id, role: 'MEMBER' },
    });
    expect(await memberCountOn(other, o.org.slug, o.token)).toBe(2);
    expect(await memberCountOn(other, o.org.slug, member.token)).toBe(2);
    const res = await world.server.gql(RemoveMemberDocument, {
      variables: { input: { membershipId: globalId('Membership', row.id) } },
      token: o.token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.removeMember).toBe(globalId('Membership', row.id));
    expect(await world.prisma.membership.count({ where: { id: row.id } })).toBe(0);
    expect(await world.prisma.user.count({ where: { id: member.user.id } })).toBe(1);
    for (const instance of [world.server, other]) {
      expect(await memberCountOn(instance, o.org.slug, o.token)).toBe(1);
      expect(
        (await instance.gql(OrganizationPageDocument, { variables: { slug: o.org.slug }, token: member.token })).data
          ?.organization,
      ).toBeNull();
      expect((await instance.gql(OrganizationsDocument, { token: member.token })).data?.organizations).toEqual([]);
    }
  });

  it('a membership that does not exist, or was already removed, is NOT_FOUND', async () => {
    const o = await ownedOrg();
    const member = await makeUser(world.prisma);
    const row = await world.prisma.membership.create({ data: { userId: member.id, organizationId: o.org.id, role: 'VIEWER' } });
    const membershipId = globalId('Membership', row.id);
    expect(
      (await world.server.gql(RemoveMemberDocument, { variables: { input: { membershipId } }, token: o.token })).errors,
    ).toBeUndefined();
    expect(
      errorCodes(await world.server.gql(RemoveMemberDocument, { variables: { input: { membershipId } }, token: o.token })),
    ).toEqual(['NOT_FOUND']);
  });
});

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

describe('members paging', () => {
  /** An org whose members joined one after another, two of them in the same millisecond; answers user ids in join order. */
  async function orgWithSevenMembers() {
    const o = await ownedOrg();
    const base = Date.now() + 60_000;
    const joined = [globalId('User', o.owner.user.id)];
    const times = [base, base + 1_000, base + 2_000, base + 2_000, base + 3_000, base + 4_000];
    const rows = [];
    for (const [i, t] of times.entries()) {
      const user = await makeUser(world.prisma, { name: `Joiner ${i}` });
      rows.push(
        await world.prisma.membership.create({
          data: { userId: user.id, organizationId: o.org.id, role: 'VIEWER', createdAt: new Date(t) },
        }),
      );
    }
    // The pair that joined in the same millisecond is ordered by id.
    const [a, b] = [rows[2]!, rows[3]!];
    if (a.id > b.id) [rows[2], rows[3]] = [b, a];
    joined.push(...rows.map((r) => globalId('User', r.userId)));
    return { ...o, joined };
  }

  it('first: 2, then after: endCursor, walks every member once, in join order', async () => {
    const o = await orgWithSevenMembers();
    const seen: string[] = [];
    const pages: { hasNextPage: boolean; hasPreviousPage: boolean; size: number }[] = [];
    let after: string | null | undefined;
    for (let i = 0; i < 10; i++) {
      const instance = i % 2 === 0 ? world.server : other;
      const res = await instance.gql(OrganizationPageDocument, {
        variables: { slug: o.org.slug, first: 2, after },
        token: o.token,
      });
      expect(res.errors).toBeUndefined();
      const members = res.data?.organization?.members;
      if (!members) throw new Error('no members');
      seen.push(...members.edges.map((e) => e.node.user.id));
      pages.push({
        hasNextPage: members.pageInfo.hasNextPage,
        hasPreviousPage: members.pageInfo.hasPreviousPage,
        size: members.edges.length,
      });
      expect(members.pageInfo.startCursor).toBe(members.edges[0]?.cursor ?? null);
      expect(members.pageInfo.endCursor).toBe(members.edges.at(-1)?.cursor ?? null);
      if (!members.pageInfo.hasNextPage) break;
      after = members.pageInfo.endCursor;
    }
    expect(seen).toEqual(o.joined);
    expect(pages).toEqual([
      { hasNextPage: true, hasPreviousPage: false, size: 2 },
      { hasNextPage: true, hasPreviousPage: true, size: 2 },
      { hasNextPage: true, hasPreviousPage: true, size: 2 },
      { hasNextPage: false, hasPreviousPage: true, size: 1 },
    ]);
    const all = await world.server.gql(OrganizationPageDocument, { variables: { slug: o.org.slug, first: 100 }, token: o.token });
    expect(all.data?.organization?.members.edges.map((e) => e.node.user.id)).toEqual(o.joined);
    expect(all.data?.organization?.members.pageInfo.hasNextPage).toBe(false);
    expect(all.data?.organization?.memberCount).toBe(7);
  });

  it.each([0, -1, 101])('first: %d is BAD_USER_INPUT', async (first) => {
    const o = await ownedOrg();
    const res = await world.server.gql(OrganizationPageDocument, { variables: { slug: o.org.slug, first }, token: o.token });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe('first');
  });

  it.each(['garbage', '!!!', Buffer.from('not-a-time:x').toString('base64url')])('after: %j is BAD_USER_INPUT', async (after) => {
    const o = await ownedOrg();
    const res = await world.server.gql(OrganizationPageDocument, {
      variables: { slug: o.org.slug, first: 2, after },
      token: o.token,
    });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe('after');
  });
});
