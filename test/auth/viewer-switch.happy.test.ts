import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { answerCodes, sendAs } from '../helpers/as-client.ts';
import { FIXTURE_PASSWORD, makeSignedInUser, makeUser, unique } from '../helpers/fixtures.ts';

// Mutation fields run in order, and signUp, logIn and logOut change the viewer
// that the fields after them in the same operation see.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const nameOf = async (id: string) => (await world.prisma.user.findUniqueOrThrow({ where: { id } })).name;

describe('within one mutation document', () => {
  it('logIn signs in the fields after it: an anonymous request renames the account it just signed in to', async () => {
    const user = await makeUser(world.prisma, { name: 'Before' });
    const answer = await sendAs(
      world.server,
      `mutation { logIn(input: { email: "${user.email}", password: "${FIXTURE_PASSWORD}" }) { user { id } } updateProfile(input: { name: "After logIn" }) { name } }`,
    );
    expect(answerCodes(answer)).toEqual([]);
    expect(answer.body.data?.['updateProfile']).toEqual({ name: 'After logIn' });
    expect(await nameOf(user.id)).toBe('After logIn');
  });

  it('logIn as someone else switches the viewer from the token’s user to the new one', async () => {
    const a = await makeSignedInUser(world.prisma, { name: 'A' });
    const b = await makeUser(world.prisma, { name: 'B' });
    const answer = await sendAs(
      world.server,
      `mutation { before: updateProfile(input: { name: "A renamed" }) { name } logIn(input: { email: "${b.email}", password: "${FIXTURE_PASSWORD}" }) { token } after: updateProfile(input: { name: "B renamed" }) { name } }`,
      { token: a.token },
    );
    expect(answerCodes(answer)).toEqual([]);
    expect(await nameOf(a.user.id)).toBe('A renamed');
    expect(await nameOf(b.id)).toBe('B renamed');
  });

  it('signUp signs in the fields after it', async () => {
    const email = `${unique('new')}@test.example`;
    const answer = await sendAs(
      world.server,
      `mutation { signUp(input: { email: "${email}", password: "long-enough-1", name: "Fresh" }) { user { id } } updateProfile(input: { name: "Fresh, renamed" }) { name } }`,
    );
    expect(answerCodes(answer)).toEqual([]);
    expect((await world.prisma.user.findUniqueOrThrow({ where: { email } })).name).toBe('Fresh, renamed');
  });

  it('logOut signs out the fields after it: they answer UNAUTHENTICATED and change nothing', async () => {
    const { user, token } = await makeSignedInUser(world.prisma, { name: 'Stays' });
    const answer = await sendAs(world.server, 'mutation { logOut updateProfile(input: { name: "After logOut" }) { name } }', {
      token,
    });
    // updateProfile is non-null, so its error nulls the whole data; logOut's effect shows in the database.
    expect(answerCodes(answer)).toEqual(['UNAUTHENTICATED']);
    expect(answer.body.errors?.[0]?.path).toEqual(['updateProfile']);
    // Signed out by logOut, not merely holding a token that no longer works: the anonymous message, not "invalid".
    expect(answer.body.errors?.[0]?.message).toBe('You must be signed in');
    expect(await nameOf(user.id)).toBe('Stays');
    expect(await world.prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });
});
