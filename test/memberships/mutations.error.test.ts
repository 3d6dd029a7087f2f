// Member mutations refused: unknown emails and memberships, bad input, conflicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import {
  AddMemberDocument,
  ChangeMemberRoleDocument,
  OrganizationPageDocument,
  RemoveMemberDocument,
} from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeUser, makeOwnedOrg } from '../helpers/fixtures.ts';

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
