// Account mutations that succeed: the answer, the database, and every instance reading the new state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../src/schema/global-id.ts';
import { DeleteAccountDocument, OrganizationsDocument, UpdateProfileDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser, signInAs } from '../helpers/fixtures.ts';

let world: TestWorld;
let other: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  other = await world.startInstance();
});
afterAll(() => world.close());

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
});
