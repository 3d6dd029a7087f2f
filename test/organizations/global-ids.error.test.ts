// Malformed global IDs, on every mutation that takes an organization or membership id: BAD_USER_INPUT naming the field.
import type { GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import {
  AddMemberDocument,
  ChangeMemberRoleDocument,
  DeleteFeatureFlagDocument,
  DeleteOrganizationDocument,
  RemoveMemberDocument,
  SetFeatureFlagDocument,
  UpdateOrganizationDocument,
} from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

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
