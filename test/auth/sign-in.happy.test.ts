// Signing up and in: accounts and sessions made, stored as hashes, for SESSION_TTL_DAYS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.ts';
import { globalId } from '../../src/schema/global-id.ts';
import { LogInDocument, SignUpDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { FIXTURE_PASSWORD, makeUser, unique } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

describe('signUp', () => {
  it('creates the account and a session whose token signs requests in', async () => {
    const email = `${unique('new')}@Example.COM`;
    const res = await world.server.gql(SignUpDocument, {
      variables: { input: { email, password: 'long-enough-1', name: ' New Person ' } },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data?.signUp?.user.email).toBe(email.toLowerCase());
    expect(res.data?.signUp?.user.name).toBe('New Person');
    const token = res.data?.signUp?.token ?? '';
    const viewer = await world.server.gql(ViewerDocument, { token });
    expect(viewer.data?.viewer?.email).toBe(email.toLowerCase());
  });

  it('stores only a hash of the token and a slow hash of the password', async () => {
    const email = `${unique('hash')}@example.com`;
    const res = await world.server.gql(SignUpDocument, {
      variables: { input: { email, password: 'long-enough-1', name: 'Hash' } },
    });
    const token = res.data?.signUp?.token ?? '';
    const user = await world.prisma.user.findUniqueOrThrow({ where: { email }, include: { sessions: true } });
    expect(user.passwordHash).toMatch(/^scrypt\$/);
    expect(user.passwordHash).not.toContain('long-enough-1');
    expect(user.sessions).toHaveLength(1);
    expect(user.sessions[0]?.tokenHash).toBe(hashToken(token));
    expect(user.sessions[0]?.tokenHash).not.toBe(token);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email', password: 'long-enough-1', name: 'X' }, 'email'],
    ['a short password', { email: 'short@example.com', password: 'short', name: 'X' }, 'password'],
    ['an empty name', { email: 'noname@example.com', password: 'long-enough-1', name: '   ' }, 'name'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_label, input, field) => {
    const res = await world.server.gql(SignUpDocument, { variables: { input } });
    expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0]?.extensions?.['field']).toBe(field);
    expect(res.status).toBe(200);
  });
});

describe('logIn', () => {
  it('signs in with the right password', async () => {
    const user = await makeUser(world.prisma);
    const res = await world.server.gql(LogInDocument, {
      variables: { input: { email: user.email, password: FIXTURE_PASSWORD } },
    });
    expect(res.data?.logIn?.user.id).toBe(globalId('User', user.id));
    const viewer = await world.server.gql(ViewerDocument, { token: res.data?.logIn?.token ?? '' });
    expect(viewer.data?.viewer?.name).toBe(user.name);
  });
});

describe('sessions', () => {
  it('sessions last SESSION_TTL_DAYS', async () => {
    const user = await makeUser(world.prisma);
    const res = await world.server.gql(LogInDocument, {
      variables: { input: { email: user.email, password: FIXTURE_PASSWORD } },
    });
    const session = await world.prisma.session.findUniqueOrThrow({
      where: { tokenHash: hashToken(res.data?.logIn?.token ?? '') },
    });
    const days = (session.expiresAt.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });
});
