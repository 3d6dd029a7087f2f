// INTROSPECTION: off in production unless set. Off, __schema and __type are refused with a code wherever they
// hide in a document, through Yoga or the hot path, and __typename still answers; on, they answer but are never
// stored, so no instance can serve one from the cache once introspection is off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';
import { type GraphQLBody, request } from '../helpers/http.ts';

let world: TestWorld;
/** On the same database and Redis as world.server (introspection on, as outside production), with it off. */
let closed: TestInstance;
/** With production's defaults. */
let production: TestInstance;
let token: string;
beforeAll(async () => {
  world = await createTestWorld();
  closed = await world.startInstance({ env: { INTROSPECTION: 'false' } });
  production = await world.startInstance({ env: { NODE_ENV: 'production' } });
  ({ token } = await makeSignedInUser(world.prisma));
});
afterAll(() => world.close());

/** One error per introspective field asked for (`__schema { queryType }` is two), each coded as armor's limits are. */
function expectIntrospectionRefused(body: GraphQLBody | undefined) {
  expect(body?.errors?.length).toBeGreaterThan(0);
  for (const error of body?.errors ?? []) {
    expect(error.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(error.message).toMatch(/^GraphQL introspection has been disabled/);
  }
}

const introspective: [string, string][] = [
  ['__schema', '{ __schema { queryType { name } } }'],
  ['__type', '{ __type(name: "User") { name } }'],
  ['__type under an alias', '{ t: __type(name: "User") { fields { name } } }'],
  ['__schema in a fragment', 'query Q { ...F } fragment F on Query { __schema { types { name } } }'],
  ['__type beside a field', '{ viewer { id } __type(name: "Organization") { name } }'],
];

describe('introspection off', () => {
  it.each(introspective)('refuses %s with GRAPHQL_VALIDATION_FAILED, and runs nothing', async (_, query) => {
    for (const instance of [closed, production]) {
      const answer = await request(instance, { query, via: 'yoga' });
      expect([200, 400]).toContain(answer.status);
      expect(answer.body.data).toBeUndefined();
      expectIntrospectionRefused(answer.body);
    }
  });

  it('still answers __typename, at the root and on any object', async () => {
    for (const instance of [closed, production]) {
      expect((await request(instance, { query: '{ __typename }', via: 'yoga' })).body).toEqual({ data: { __typename: 'Query' } });
      const viewer = await request(instance, { query: '{ viewer { __typename id } }', token, via: 'listener' });
      expect(viewer.body.errors).toBeUndefined();
      expect(viewer.body.data).toMatchObject({ viewer: { __typename: 'User' } });
    }
  });

  it('is never served from the cache, even for a viewer who was answered while another instance had it on', async () => {
    for (const [, query] of introspective.slice(0, 2)) {
      // Answered twice by the open instance: a stored answer would be a hit the second time.
      const open = [];
      for (let i = 0; i < 2; i++) open.push(await request(world.server, { query, token, via: 'listener' }));
      // The closed instance shares the open one's Redis: its hot path looks there first.
      const refused = await request(closed, { query, token, via: 'listener' });
      expect(refused.headers.get('x-cache')).not.toBe('HIT');
      expectIntrospectionRefused(refused.body);
      for (const answer of open) {
        expect(answer.body.errors).toBeUndefined();
        expect(answer.headers.get('x-cache')).toBe('MISS');
      }
    }
  });

  it('serves no GraphiQL page in production, which would have no schema to show', async () => {
    const page = await request(production, { headers: { accept: 'text/html' }, via: 'yoga' });
    expect(page.text).not.toMatch(/graphiql/i);
  });
});

describe('introspection on', () => {
  it.each(introspective)('answers %s', async (_, query) => {
    const answer = await request(world.server, { query, token, via: 'yoga' });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });
});
