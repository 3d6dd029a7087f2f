// Organization mutations that succeed: the answer, the database, and every instance reading the new state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import {
  CreateOrganizationDocument,
  DeleteOrganizationDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  UpdateOrganizationDocument,
} from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, unique } from '../helpers/fixtures.ts';

let world: TestWorld;
let other: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  other = await world.startInstance();
});
afterAll(() => world.close());

const slugFor = () => unique('s').toLowerCase();

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
