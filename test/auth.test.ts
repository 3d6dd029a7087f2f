import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, sessionRef } from '../src/auth/tokens.ts';
import { keys } from '../src/cache/keys.ts';
import { globalId } from '../src/schema/global-id.ts';
import { LogInDocument, LogOutDocument, OrganizationsDocument, SignUpDocument, ViewerDocument } from './generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from './helpers/app.ts';
import { FIXTURE_PASSWORD, makeSignedInUser, makeUser, signInAs, unique } from './helpers/fixtures.ts';

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

  it('refuses a taken email with CONFLICT, whatever its case', async () => {
    const existing = await makeUser(world.prisma);
    const res = await world.server.gql(SignUpDocument, {
      variables: { input: { email: existing.email.toUpperCase(), password: 'long-enough-1', name: 'Dup' } },
    });
    expect(errorCodes(res)).toEqual(['CONFLICT']);
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

describe('sessions', () => {
  it('viewer is null when signed out, and fields that need a viewer say UNAUTHENTICATED', async () => {
    const viewer = await world.server.gql(ViewerDocument);
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data?.viewer).toBeNull();
    const orgs = await world.server.gql(OrganizationsDocument);
    expect(errorCodes(orgs)).toEqual(['UNAUTHENTICATED']);
  });

  it('an unknown or malformed token is UNAUTHENTICATED, not a 500', async () => {
    for (const token of ['tg_forged-token', 'has spaces in it']) {
      const res = await world.server.gql(OrganizationsDocument, { token });
      expect(res.status).toBe(200);
      expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('an expired session is UNAUTHENTICATED even while its cache entry lives', async () => {
    // The instance's clock is moved past the session's end instead of sleeping until it.
    let now = Date.now();
    const clocked = await world.startInstance({ now: () => now });
    const user = await makeUser(world.prisma);
    const token = await signInAs(world.prisma, user, new Date(now + 60_000));
    expect((await clocked.gql(ViewerDocument, { token })).data?.viewer?.id).toBe(globalId('User', user.id));
    const [cached] = await clocked.store.mget([keys.session(sessionRef(user.id, hashToken(token)))]);
    expect(cached).not.toBeNull();
    now += 60_001;
    const res = await clocked.gql(OrganizationsDocument, { token });
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    // The entry that still vouched for the session is the same one: only the clock moved.
    const [still] = await clocked.store.mget([keys.session(sessionRef(user.id, hashToken(token)))]);
    expect(still).toBe(cached);
    // A viewer cached as a hit is refused too, on the hot path's side of the clock.
    expect((await clocked.gql(ViewerDocument, { token })).data?.viewer).toBeNull();
  });

  it('logOut ends the session at once, on every instance sharing the Redis', async () => {
    const other = await world.startInstance();
    const { token } = await makeSignedInUser(world.prisma);
    // Warm both instances' view of the session (it is now cached in Redis).
    expect((await world.server.gql(ViewerDocument, { token })).data?.viewer).not.toBeNull();
    expect((await other.gql(ViewerDocument, { token })).data?.viewer).not.toBeNull();
    const out = await world.server.gql(LogOutDocument, { token });
    expect(out.data?.logOut).toBe(true);
    expect((await other.gql(ViewerDocument, { token })).data?.viewer).toBeNull();
    expect(errorCodes(await other.gql(OrganizationsDocument, { token }))).toEqual(['UNAUTHENTICATED']);
    expect(await world.prisma.session.count({ where: { tokenHash: hashToken(token) } })).toBe(0);
  });

  it('logOut without a session is UNAUTHENTICATED', async () => {
    expect(errorCodes(await world.server.gql(LogOutDocument))).toEqual(['UNAUTHENTICATED']);
  });

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
