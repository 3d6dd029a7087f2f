// Organization mutations refused for bad input or a conflict, with nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { CreateOrganizationDocument, UpdateOrganizationDocument, type Plan } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser, unique } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const slugFor = () => unique('s').toLowerCase();

describe('createOrganization', () => {
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
});

describe('updateOrganization', () => {
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
