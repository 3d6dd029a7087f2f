// The HTTP surface that works: health, readiness, GraphiQL, the deepest product query, and serving with Redis gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { redisStore } from '../../src/store/index.ts';
import { createLogger } from '../../src/logger.ts';
import { createRedisClient } from '../../src/store/redis-client.ts';
import { createSharedState } from '../../src/shared-state.ts';
import { globalId } from '../../src/schema/global-id.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';
import { type GraphQLBody, request } from '../helpers/http.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const post = (body: string, headers: Record<string, string> = {}) => request(world.server, { body, headers, via: 'yoga' });

describe('endpoints', () => {
  it('/health answers 200 without touching the database', async () => {
    world.db.queries.reset();
    expect((await request(world.server, { path: '/health', via: 'yoga' })).status).toBe(200);
    expect(world.db.queries.count).toBe(0);
  });

  it('/ready answers 200 when Postgres and Redis answer', async () => {
    expect((await request(world.server, { path: '/ready', via: 'yoga' })).status).toBe(200);
    expect((await request(world.server, { path: '/ready?probe=1', via: 'yoga' })).status).toBe(200);
  });

  it('a GraphQL request runs no URLPattern test on its way (a polyfill here: the readiness route matches by path)', async () => {
    const proto = world.server.app.fetchAPI.URLPattern.prototype;
    const test = proto.test;
    let tests = 0;
    proto.test = function (this: URLPattern, ...args: Parameters<URLPattern['test']>) {
      tests += 1;
      return test.apply(this, args);
    };
    try {
      expect((await post('{"query":"{ __typename }"}')).status).toBe(200);
      expect((await request(world.server, { path: '/graphql?query=%7B__typename%7D', via: 'yoga' })).status).toBe(200);
    } finally {
      proto.test = test;
    }
    expect(tests).toBe(0);
  });

  it('serves GraphiQL to a browser', async () => {
    const response = await request(world.server, { headers: { accept: 'text/html' }, via: 'yoga' });
    expect(response.status).toBe(200);
    expect(response.text).toMatch(/graphiql/i);
  });
});

describe('request limits', () => {
  it('admits the deepest query the product sends (the nested page query)', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const query =
      '{ organizations { members(first: 50) { edges { node { user { memberships { organization { featureFlags { key enabled } } } } } } } } }';
    const json = (await post(JSON.stringify({ query }), { authorization: `Bearer ${token}` })).body;
    expect(json.errors).toBeUndefined();
    expect(json.data).toEqual({ organizations: [] });
  });
});

describe('Redis is a cache, not a dependency', () => {
  it('serves signed-in requests from Postgres when Redis is unreachable, and /ready says 503', async () => {
    const { user, token } = await makeSignedInUser(world.prisma);
    await makeOrg(world.prisma, [{ user, role: 'OWNER' }]);
    const logger = createLogger(world.env);
    const redis = await createRedisClient({ url: 'redis://127.0.0.1:1', keyPrefix: 'down:', logger, commandTimeoutMs: 100 });
    const shared = createSharedState(redisStore(redis), world.env, logger);
    const { store } = shared;
    const app = createApp(
      { env: world.env, logger, prisma: world.prisma, reads: world.db.reads, ...shared },
      { readinessChecks: [() => store.inner.ping()] },
    );
    try {
      const response = await request<GraphQLBody<{ viewer: { id: string } | null; organizations: unknown[] }>>(
        { app },
        { query: '{ viewer { id } organizations { slug } }', token },
      );
      const json = response.body;
      expect(json.errors).toBeUndefined();
      expect(json.data?.viewer).toEqual({ id: globalId('User', user.id) });
      expect(json.data?.organizations).toHaveLength(1);
      expect(store.errors.read).toBeGreaterThan(0);
      expect((await request({ app }, { path: '/ready' })).status).toBe(503);
    } finally {
      await app.dispose();
      redis.disconnect();
    }
  });
});
