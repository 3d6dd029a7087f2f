// Every mutation that needs a viewer refuses one it cannot vouch for: no token
// at all, and a token whose session was revoked (after the session had been
// cached, so a stale cache entry would show). Each is sent with valid ids, so
// only the missing viewer can be the reason, and nothing may change.
import type { GraphQLFormattedError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { buildSchema } from '../../src/schema/index.ts';
import {
  AddMemberDocument,
  ChangeMemberRoleDocument,
  CreateOrganizationDocument,
  DeleteAccountDocument,
  DeleteFeatureFlagDocument,
  DeleteOrganizationDocument,
  LogOutDocument,
  RemoveMemberDocument,
  SetFeatureFlagDocument,
  UpdateOrganizationDocument,
  UpdateProfileDocument,
  ViewerDocument,
} from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeTeam, type Team, unique } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** What a target mutation may touch, read straight from Postgres: it must read the same after a refusal. */
async function snapshot(team: Team) {
  const [org, memberships, flags, owner] = await Promise.all([
    world.prisma.organization.findUnique({ where: { id: team.org.id } }),
    world.prisma.membership.findMany({ where: { organizationId: team.org.id }, orderBy: { id: 'asc' } }),
    world.prisma.featureFlag.findMany({ where: { organizationId: team.org.id }, orderBy: { id: 'asc' } }),
    world.prisma.user.findUnique({ where: { id: team.users.OWNER.user.id } }),
  ]);
  const organizations = await world.prisma.organization.count();
  return JSON.stringify({ org, memberships, flags, owner, organizations });
}

type Send = (team: Team, token: string | undefined) => Promise<{ errors?: readonly GraphQLFormattedError[] }>;

const MUTATIONS: [string, Send][] = [
  ['logOut', (_t, token) => world.server.gql(LogOutDocument, { token })],
  ['updateProfile', (_t, token) => world.server.gql(UpdateProfileDocument, { token, variables: { input: { name: 'Nobody' } } })],
  ['deleteAccount', (_t, token) => world.server.gql(DeleteAccountDocument, { token })],
  [
    'createOrganization',
    (_t, token) =>
      world.server.gql(CreateOrganizationDocument, { token, variables: { input: { name: 'X', slug: unique('x') } } }),
  ],
  [
    'updateOrganization',
    (t, token) =>
      world.server.gql(UpdateOrganizationDocument, { token, variables: { input: { organizationId: t.orgId, name: 'X' } } }),
  ],
  [
    'deleteOrganization',
    (t, token) => world.server.gql(DeleteOrganizationDocument, { token, variables: { input: { organizationId: t.orgId } } }),
  ],
  [
    'addMember',
    (t, token) =>
      world.server.gql(AddMemberDocument, {
        token,
        variables: { input: { organizationId: t.orgId, email: t.outsider.user.email } },
      }),
  ],
  [
    'changeMemberRole',
    (t, token) =>
      world.server.gql(ChangeMemberRoleDocument, {
        token,
        variables: { input: { membershipId: t.membershipId('MEMBER'), role: 'ADMIN' } },
      }),
  ],
  [
    'removeMember',
    (t, token) =>
      world.server.gql(RemoveMemberDocument, { token, variables: { input: { membershipId: t.membershipId('MEMBER') } } }),
  ],
  [
    'setFeatureFlag',
    (t, token) =>
      world.server.gql(SetFeatureFlagDocument, {
        token,
        variables: { input: { organizationId: t.orgId, key: 'beta', enabled: false } },
      }),
  ],
  [
    'deleteFeatureFlag',
    (t, token) =>
      world.server.gql(DeleteFeatureFlagDocument, { token, variables: { input: { organizationId: t.orgId, key: 'beta' } } }),
  ],
];

describe('mutations that need a viewer', () => {
  it('are every mutation of the schema but signUp and logIn', () => {
    const names = Object.keys(buildSchema().getMutationType()?.getFields() ?? {}).sort();
    expect(names.filter((name) => name !== 'signUp' && name !== 'logIn')).toEqual(MUTATIONS.map(([name]) => name).sort());
  });

  it.each(MUTATIONS)('%s signed out is UNAUTHENTICATED, and nothing changes', async (_name, send) => {
    const team = await makeTeam(world.prisma, { flags: { beta: true } });
    const before = await snapshot(team);
    const res = await send(team, undefined);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(await snapshot(team)).toBe(before);
  });

  it.each(MUTATIONS)('%s with a revoked token is UNAUTHENTICATED, and nothing changes', async (_name, send) => {
    const team = await makeTeam(world.prisma, { flags: { beta: true } });
    const { token } = team.users.OWNER;
    // The session is cached before it is revoked, so a cache that outlived the revocation would let it through.
    expect((await world.server.gql(ViewerDocument, { token })).data?.viewer?.id).toBe(globalId('User', team.users.OWNER.user.id));
    expect((await world.server.gql(LogOutDocument, { token })).data?.logOut).toBe(true);
    const before = await snapshot(team);
    const res = await send(team, token);
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(await snapshot(team)).toBe(before);
    // The account itself is untouched: only the session went.
    expect(await world.prisma.user.count({ where: { id: team.users.OWNER.user.id } })).toBe(1);
  });
});
