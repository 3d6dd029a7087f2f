// Who may rename, re-plan and delete an organization: each rule allowed and denied.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { DeleteOrganizationDocument, UpdateOrganizationDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeTeam, unique } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** An org with one signed-in member per role, two flags, and a signed-in outsider. */
const team = () => makeTeam(world.prisma, { flags: { beta: true, legacy: false } });

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
