// Sessions: what a missing, forged, expired or logged-out token may do (nothing that needs a viewer).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, sessionRef } from '../../src/auth/tokens.ts';
import { keys } from '../../src/cache/keys.ts';
import { globalId } from '../../src/schema/global-id.ts';
import { LogOutDocument, OrganizationsDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser, makeUser, signInAs } from '../helpers/fixtures.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

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
});
