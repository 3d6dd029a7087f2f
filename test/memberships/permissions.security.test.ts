// Authorization rules for managing members (add, change role, remove, leave),
// each tested allowed and denied, with the database checked after every write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { AddMemberDocument, ChangeMemberRoleDocument, RemoveMemberDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeTeam, makeUser, ROLES } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** An org with one signed-in member per role (OWNERs as asked), and a signed-in outsider. */
const team = (owners = 1) => makeTeam(world.prisma, { owners });

const roleInDb = async (membershipRowId: string) =>
  (await world.prisma.membership.findUnique({ where: { id: membershipRowId } }))?.role ?? null;

describe('addMember', () => {
  it.each(['OWNER', 'ADMIN'] as const)('a %s adds a member', async (role) => {
    const t = await team();
    const newcomer = await makeUser(world.prisma);
    const res = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: t.orgId, email: newcomer.email, role: 'VIEWER' } },
      token: t.users[role].token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.addMember).toMatchObject({
      role: 'VIEWER',
      user: { id: globalId('User', newcomer.id) },
      organization: { memberCount: 5 },
    });
    const row = await world.prisma.membership.findUnique({
      where: { userId_organizationId: { userId: newcomer.id, organizationId: t.org.id } },
    });
    expect(row?.role).toBe('VIEWER');
  });

  it.each(['MEMBER', 'VIEWER'] as const)('a %s may not add members: FORBIDDEN, no row', async (role) => {
    const t = await team();
    const newcomer = await makeUser(world.prisma);
    const res = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: t.orgId, email: newcomer.email } },
      token: t.users[role].token,
    });
    expect(errorCodes(res)).toEqual(['FORBIDDEN']);
    expect(await world.prisma.membership.count({ where: { userId: newcomer.id } })).toBe(0);
  });

  it('a non-member gets NOT_FOUND, no row', async () => {
    const t = await team();
    const newcomer = await makeUser(world.prisma);
    const res = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: t.orgId, email: newcomer.email } },
      token: t.outsider.token,
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(await world.prisma.membership.count({ where: { userId: newcomer.id } })).toBe(0);
  });

  it('an OWNER adds an OWNER; an ADMIN may add an ADMIN but not an OWNER', async () => {
    const t = await team();
    const [a, b, c] = [await makeUser(world.prisma), await makeUser(world.prisma), await makeUser(world.prisma)];
    const byOwner = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: t.orgId, email: a.email, role: 'OWNER' } },
      token: t.users.OWNER.token,
    });
    expect(byOwner.data?.addMember.role).toBe('OWNER');
    const adminAddsOwner = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: t.orgId, email: b.email, role: 'OWNER' } },
      token: t.users.ADMIN.token,
    });
    expect(errorCodes(adminAddsOwner)).toEqual(['FORBIDDEN']);
    expect(await world.prisma.membership.count({ where: { userId: b.id } })).toBe(0);
    const adminAddsAdmin = await world.server.gql(AddMemberDocument, {
      variables: { input: { organizationId: t.orgId, email: c.email, role: 'ADMIN' } },
      token: t.users.ADMIN.token,
    });
    expect(adminAddsAdmin.data?.addMember.role).toBe('ADMIN');
    const rows = await world.prisma.membership.findMany({
      where: { organizationId: t.org.id, userId: { in: [a.id, b.id, c.id] } },
    });
    expect(Object.fromEntries(rows.map((r) => [r.userId, r.role]))).toEqual({ [a.id]: 'OWNER', [c.id]: 'ADMIN' });
  });
});

describe('changeMemberRole', () => {
  it.each(['OWNER', 'ADMIN'] as const)('a %s changes a member role', async (role) => {
    const t = await team();
    const res = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t.membershipId('MEMBER'), role: 'VIEWER' } },
      token: t.users[role].token,
    });
    expect(res.data?.changeMemberRole).toEqual({ id: t.membershipId('MEMBER'), role: 'VIEWER' });
    expect(await roleInDb(t.rowId('MEMBER'))).toBe('VIEWER');
  });

  it.each(['MEMBER', 'VIEWER'] as const)('a %s may not change roles, not even their own: FORBIDDEN', async (role) => {
    const t = await team();
    const other = role === 'MEMBER' ? 'VIEWER' : 'MEMBER';
    for (const [target, to] of [
      [other, 'ADMIN'],
      [role, 'ADMIN'],
    ] as const) {
      const res = await world.server.gql(ChangeMemberRoleDocument, {
        variables: { input: { membershipId: t.membershipId(target), role: to } },
        token: t.users[role].token,
      });
      expect(errorCodes(res), `${role} -> ${target}`).toEqual(['FORBIDDEN']);
      expect(await roleInDb(t.rowId(target))).toBe(target);
    }
  });

  it('a non-member gets NOT_FOUND', async () => {
    const t = await team();
    const res = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t.membershipId('MEMBER'), role: 'ADMIN' } },
      token: t.outsider.token,
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(await roleInDb(t.rowId('MEMBER'))).toBe('MEMBER');
  });

  it('only an OWNER promotes to OWNER', async () => {
    const t = await team();
    const byAdmin = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t.membershipId('MEMBER'), role: 'OWNER' } },
      token: t.users.ADMIN.token,
    });
    expect(errorCodes(byAdmin)).toEqual(['FORBIDDEN']);
    const selfPromotion = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t.membershipId('ADMIN'), role: 'OWNER' } },
      token: t.users.ADMIN.token,
    });
    expect(errorCodes(selfPromotion)).toEqual(['FORBIDDEN']);
    expect([await roleInDb(t.rowId('MEMBER')), await roleInDb(t.rowId('ADMIN'))]).toEqual(['MEMBER', 'ADMIN']);
    const byOwner = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t.membershipId('MEMBER'), role: 'OWNER' } },
      token: t.users.OWNER.token,
    });
    expect(byOwner.data?.changeMemberRole.role).toBe('OWNER');
    expect(await roleInDb(t.rowId('MEMBER'))).toBe('OWNER');
  });

  it('only an OWNER demotes an OWNER', async () => {
    const t = await team(2);
    const byAdmin = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t.ownerTwoId(), role: 'MEMBER' } },
      token: t.users.ADMIN.token,
    });
    expect(errorCodes(byAdmin)).toEqual(['FORBIDDEN']);
    expect(await world.prisma.membership.count({ where: { organizationId: t.org.id, role: 'OWNER' } })).toBe(2);
    const byOwner = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t.ownerTwoId(), role: 'ADMIN' } },
      token: t.users.OWNER.token,
    });
    expect(byOwner.data?.changeMemberRole.role).toBe('ADMIN');
    expect(await world.prisma.membership.count({ where: { organizationId: t.org.id, role: 'OWNER' } })).toBe(1);
  });

  it('the last OWNER cannot be demoted (CONFLICT); with a second OWNER they can', async () => {
    const t = await team();
    const alone = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t.membershipId('OWNER'), role: 'ADMIN' } },
      token: t.users.OWNER.token,
    });
    expect(errorCodes(alone)).toEqual(['CONFLICT']);
    expect(await roleInDb(t.rowId('OWNER'))).toBe('OWNER');

    const t2 = await team(2);
    const withTwo = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t2.membershipId('OWNER'), role: 'ADMIN' } },
      token: t2.users.OWNER.token,
    });
    expect(withTwo.data?.changeMemberRole.role).toBe('ADMIN');
    expect(await roleInDb(t2.rowId('OWNER'))).toBe('ADMIN');
    // Now the other one is the last OWNER.
    const last = await world.server.gql(ChangeMemberRoleDocument, {
      variables: { input: { membershipId: t2.ownerTwoId(), role: 'MEMBER' } },
      token: t2.extraOwners[0]!.token,
    });
    expect(errorCodes(last)).toEqual(['CONFLICT']);
  });
});

describe('removeMember', () => {
  it.each(['OWNER', 'ADMIN'] as const)('a %s removes a member', async (role) => {
    const t = await team();
    const res = await world.server.gql(RemoveMemberDocument, {
      variables: { input: { membershipId: t.membershipId('MEMBER') } },
      token: t.users[role].token,
    });
    expect(res.data?.removeMember).toBe(t.membershipId('MEMBER'));
    expect(await roleInDb(t.rowId('MEMBER'))).toBeNull();
  });

  it.each(['MEMBER', 'VIEWER'] as const)('a %s may not remove others: FORBIDDEN', async (role) => {
    const t = await team();
    const others = ROLES.filter((r) => r !== role);
    for (const target of others) {
      const res = await world.server.gql(RemoveMemberDocument, {
        variables: { input: { membershipId: t.membershipId(target) } },
        token: t.users[role].token,
      });
      expect(errorCodes(res), target).toEqual(['FORBIDDEN']);
    }
    expect(await world.prisma.membership.count({ where: { organizationId: t.org.id } })).toBe(4);
  });

  it('a non-member gets NOT_FOUND', async () => {
    const t = await team();
    const res = await world.server.gql(RemoveMemberDocument, {
      variables: { input: { membershipId: t.membershipId('VIEWER') } },
      token: t.outsider.token,
    });
    expect(errorCodes(res)).toEqual(['NOT_FOUND']);
    expect(await world.prisma.membership.count({ where: { organizationId: t.org.id } })).toBe(4);
  });

  it('only an OWNER removes an OWNER', async () => {
    const t = await team(2);
    const byAdmin = await world.server.gql(RemoveMemberDocument, {
      variables: { input: { membershipId: t.ownerTwoId() } },
      token: t.users.ADMIN.token,
    });
    expect(errorCodes(byAdmin)).toEqual(['FORBIDDEN']);
    expect(await world.prisma.membership.count({ where: { organizationId: t.org.id, role: 'OWNER' } })).toBe(2);
    const byOwner = await world.server.gql(RemoveMemberDocument, {
      variables: { input: { membershipId: t.ownerTwoId() } },
      token: t.users.OWNER.token,
    });
    expect(byOwner.data?.removeMember).toBe(t.ownerTwoId());
    expect(await world.prisma.membership.count({ where: { organizationId: t.org.id, role: 'OWNER' } })).toBe(1);
    expect(await world.prisma.membership.count({ where: { userId: t.extraOwners[0]!.user.id } })).toBe(0);
  });

  it.each(['VIEWER', 'MEMBER', 'ADMIN'] as const)('a %s may leave', async (role) => {
    const t = await team();
    const res = await world.server.gql(RemoveMemberDocument, {
      variables: { input: { membershipId: t.membershipId(role) } },
      token: t.users[role].token,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.removeMember).toBe(t.membershipId(role));
    expect(await roleInDb(t.rowId(role))).toBeNull();
    expect(await world.prisma.membership.count({ where: { organizationId: t.org.id } })).toBe(3);
  });

  it('an OWNER may leave while another OWNER stays', async () => {
    const t = await team(2);
    const res = await world.server.gql(RemoveMemberDocument, {
      variables: { input: { membershipId: t.membershipId('OWNER') } },
      token: t.users.OWNER.token,
    });
    expect(res.data?.removeMember).toBe(t.membershipId('OWNER'));
    expect(await roleInDb(t.rowId('OWNER'))).toBeNull();
    expect(
      await world.prisma.membership.findMany({ where: { organizationId: t.org.id, role: 'OWNER' }, select: { userId: true } }),
    ).toEqual([{ userId: t.extraOwners[0]!.user.id }]);
  });

  it('the last OWNER can neither leave nor be removed: CONFLICT', async () => {
    const t = await team();
    const leave = await world.server.gql(RemoveMemberDocument, {
      variables: { input: { membershipId: t.membershipId('OWNER') } },
      token: t.users.OWNER.token,
    });
    expect(errorCodes(leave)).toEqual(['CONFLICT']);
    expect(await roleInDb(t.rowId('OWNER'))).toBe('OWNER');
    expect(await world.prisma.membership.count({ where: { organizationId: t.org.id } })).toBe(4);
  });
});
