import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSessions, largestOrg } from '../../bench/viewers.ts';
import { ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { FIXTURE_PASSWORD, makeOrg, makeUser } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

describe("the bench's many users", () => {
  it('are signed in by sessions written to the database, which the server accepts as its own', async () => {
    const users = await Promise.all([makeUser(world.prisma), makeUser(world.prisma)]);
    const tokens = await issueSessions(
      world.db.url,
      users.map((u) => ({ email: u.email, password: FIXTURE_PASSWORD })),
    );
    expect(tokens).toHaveLength(2);
    for (const [i, user] of users.entries()) {
      const viewer = await world.server.gql(ViewerDocument, { token: tokens[i] });
      expect(viewer.errors).toBeUndefined();
      expect(viewer.data?.viewer?.email).toBe(user.email);
    }
  });

  it('refuses an account the database does not hold', async () => {
    await expect(issueSessions(world.db.url, [{ email: 'nobody@example.com', password: 'x' }])).rejects.toThrow(/no seeded user/);
  });
});

describe("the scaling cells' largest organization", () => {
  it('is the one with the most members, read by its first OWNER to join, whatever joined before', async () => {
    const [early, ownerLate, ownerFirst, small] = [
      await makeUser(world.prisma),
      await makeUser(world.prisma),
      await makeUser(world.prisma),
      await makeUser(world.prisma),
    ];
    await makeOrg(world.prisma, [{ user: small, role: 'OWNER' }]);
    const big = await makeOrg(world.prisma, []);
    const at = (minutes: number) => new Date(Date.UTC(2024, 0, 1, 0, minutes));
    await world.prisma.membership.createMany({
      data: [
        { organizationId: big.id, userId: early.id, role: 'MEMBER', createdAt: at(0) },
        { organizationId: big.id, userId: ownerLate.id, role: 'OWNER', createdAt: at(20) },
        { organizationId: big.id, userId: ownerFirst.id, role: 'OWNER', createdAt: at(10) },
      ],
    });
    const found = await largestOrg(world.db.url);
    expect(found).toMatchObject({ slug: big.slug, members: 3, owner: { email: ownerFirst.email } });
    const [token] = await issueSessions(world.db.url, [found.owner]);
    const viewer = await world.server.gql(ViewerDocument, { token });
    expect(viewer.data?.viewer?.email).toBe(ownerFirst.email);
  });
});
