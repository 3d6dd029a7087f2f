import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/auth/password.ts';
import { LogInDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { FIXTURE_PASSWORD, makeUser } from '../helpers/fixtures.ts';

// A password hash the server cannot read (a corrupt row, a hand edit, a scheme
// from elsewhere) never matches: logIn answers as for a wrong password.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const salt = Buffer.from('0123456789abcdef').toString('base64');
const key = Buffer.alloc(32, 7).toString('base64');
const MALFORMED: [string, string][] = [
  ['empty', ''],
  ['another scheme', `bcrypt$2b$10$${salt}${key}`],
  ['too few parts', `scrypt$32768$8$1$${salt}`],
  ['N not a number', `scrypt$abc$8$1$${salt}$${key}`],
  ['N not a power of two', `scrypt$1000$8$1$${salt}$${key}`],
  ['N over the memory cap', `scrypt$1099511627776$8$1$${salt}$${key}`],
  ['r zero', `scrypt$32768$0$1$${salt}$${key}`],
  ['p negative', `scrypt$32768$8$-1$${salt}$${key}`],
];

describe('verifyPassword', () => {
  it.each(MALFORMED)('answers false, without throwing, for a hash with %s', async (_label, stored) => {
    await expect(verifyPassword(FIXTURE_PASSWORD, stored)).resolves.toBe(false);
  });

  it('answers true for the right password and false for a wrong one (the control)', async () => {
    const stored = await hashPassword('right-password');
    await expect(verifyPassword('right-password', stored)).resolves.toBe(true);
    await expect(verifyPassword('wrong-password', stored)).resolves.toBe(false);
  });
});

describe('logIn against a malformed hash', () => {
  it.each(MALFORMED.filter(([label]) => label.startsWith('N ')))(
    'with %s answers UNAUTHENTICATED, not INTERNAL_SERVER_ERROR, and starts no session',
    async (_label, stored) => {
      const user = await makeUser(world.prisma);
      await world.prisma.user.update({ where: { id: user.id }, data: { passwordHash: stored } });
      const answer = await world.server.gql(LogInDocument, {
        variables: { input: { email: user.email, password: FIXTURE_PASSWORD } },
      });
      expect(errorCodes(answer)).toEqual(['UNAUTHENTICATED']);
      expect(answer.errors?.[0]?.message).toBe('Invalid email or password');
      expect(answer.data?.logIn).toBeNull();
      expect(await world.prisma.session.count({ where: { userId: user.id } })).toBe(0);
    },
  );
});
