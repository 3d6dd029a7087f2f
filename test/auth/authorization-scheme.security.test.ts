import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';

// Only `Authorization: Bearer <token>` signs a request in (the scheme is
// case-insensitive, RFC 9110). Another scheme, even around a valid token, is a
// malformed credential: the request is signed out, and fields that need a viewer
// answer UNAUTHENTICATED ("invalid"), never another user's data or a 500.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

/** POSTs over real HTTP to the instance's listener, so the hot path sees the header too. */
async function post(authorization: string, query: string) {
  const body = JSON.stringify({ query });
  const response = await fetch(`${world.server.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), authorization },
    body,
  });
  return {
    status: response.status,
    cache: response.headers.get('x-cache'),
    body: (await response.json()) as {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    },
  };
}

const VIEWER = '{ viewer { id name } }';
const RENAME = 'mutation { updateProfile(input: { name: "Hijacked" }) { name } }';

describe('the Authorization scheme', () => {
  it.each(['Token', 'Basic', 'Bearer:', 'Bearertoken'])('"%s <valid token>" is signed out', async (scheme) => {
    const { user, token } = await makeSignedInUser(world.prisma, { name: 'Owner of the token' });
    // The right scheme first, so a stored answer for this viewer exists for the hot path to leak.
    const real = await post(`Bearer ${token}`, VIEWER);
    expect(real.body.data?.['viewer']).toMatchObject({ name: 'Owner of the token' });
    expect((await post(`Bearer ${token}`, VIEWER)).cache).toBe('HIT');

    const other = await post(`${scheme} ${token}`, VIEWER);
    // The anonymous answer (possibly a stored one: anonymous answers are shared), never the token owner's.
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ data: { viewer: null } });

    const write = await post(`${scheme} ${token}`, RENAME);
    expect(write.body.errors?.map((e) => e.extensions?.['code'])).toEqual(['UNAUTHENTICATED']);
    expect(write.body.errors?.[0]?.message).toBe('Your session is invalid or has expired');
    expect((await world.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).name).toBe('Owner of the token');
  });

  it('"bearer" in lower case is the same scheme and signs in', async () => {
    const { token } = await makeSignedInUser(world.prisma, { name: 'Lower case' });
    expect((await post(`bearer ${token}`, VIEWER)).body.data?.['viewer']).toMatchObject({ name: 'Lower case' });
  });

  it.each(['Bearer', 'Bearer ', 'Bearer a b'])('"%s" (no single token) is invalid, not anonymous', async (header) => {
    const write = await post(header, RENAME);
    expect(write.body.errors?.[0]?.message).toBe('Your session is invalid or has expired');
  });
});
