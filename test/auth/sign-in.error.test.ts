// Signing up and in refused: bad input, a taken email, a wrong password or unknown email.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogInDocument, SignUpDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { FIXTURE_PASSWORD, makeUser, unique } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

describe('signUp', () => {
  it('refuses a taken email with CONFLICT, whatever its case', async () => {
    const existing = await makeUser(world.prisma);
    const res = await world.server.gql(SignUpDocument, {
      variables: { input: { email: existing.email.toUpperCase(), password: 'long-enough-1', name: 'Dup' } },
    });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
  });
});

describe('logIn', () => {
  it('answers a wrong password and an unknown email alike, with UNAUTHENTICATED', async () => {
    const user = await makeUser(world.prisma);
    const wrong = await world.server.gql(LogInDocument, {
      variables: { input: { email: user.email, password: 'wrong-password' } },
    });
    const unknown = await world.server.gql(LogInDocument, {
      variables: { input: { email: `${unique('nobody')}@example.com`, password: FIXTURE_PASSWORD } },
    });
    expect(errorCodes(wrong)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(unknown)).toEqual(['UNAUTHENTICATED']);
    expect(wrong.errors?.[0]?.message).toBe(unknown.errors?.[0]?.message);
  });
});
