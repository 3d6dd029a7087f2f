// Account mutations refused for bad input or state, with nothing changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import { globalId } from '../../src/schema/global-id.ts';
import { DeleteAccountDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser, makeUser } from '../helpers/fixtures.ts';

let world: TestWorld;
let other: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  other = await world.startInstance();
});
afterAll(() => world.close());

describe('deleteAccount', () => {
  it('the last OWNER of an org with other members gets CONFLICT, and nothing is deleted', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    const peer = await makeUser(world.prisma);
    const alone = await makeOrg(world.prisma, [{ user, role: 'OWNER' }]);
    const owned = await makeOrg(world.prisma, [
      { user, role: 'OWNER' },
      { user: peer, role: 'ADMIN' },
    ]);
    const res = await world.server.gql(DeleteAccountDocument, { token });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
    expect(res.errors?.[0]?.message).toContain(owned.slug);
    expect(await world.prisma.user.count({ where: { id: user.id } })).toBe(1);
    expect(await world.prisma.session.count({ where: { tokenHash: hashToken(token) } })).toBe(1);
    expect(await world.prisma.membership.count({ where: { userId: user.id } })).toBe(2);
    expect(await world.prisma.organization.count({ where: { id: { in: [alone.id, owned.id] } } })).toBe(2);
    expect((await other.gql(ViewerDocument, { token })).data?.viewer?.id).toBe(globalId('User', user.id));
  });
});
