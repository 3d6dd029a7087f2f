import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSessions } from '../../bench/viewers.ts';
import { ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures.ts';

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
