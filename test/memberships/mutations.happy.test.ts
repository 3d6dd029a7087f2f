// Member mutations that succeed: the answer, the database, and a read from a second instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import {
  AddMemberDocument,
  ChangeMemberRoleDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  RemoveMemberDocument,
} from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser, makeUser, signInAs, makeOwnedOrg } from '../helpers/fixtures.ts';

let world: TestWorld;
let other: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  other = await world.startInstance();
});
afterAll(() => world.close());

/** A signed-in OWNER alone in a fresh org (the shared fixture, on this file's database). */
const ownedOrg = (flags?: Record<string, boolean>) => makeOwnedOrg(world.prisma, flags);

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
});
