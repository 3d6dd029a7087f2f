import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { memoryStore, redisStore } from '../src/store/index.ts';
import { loadEnv } from '../src/env.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { createLogger } from '../src/logger.ts';
import { createRedisClient } from '../src/store/redis-client.ts';
import { createSharedState } from '../src/shared-state.ts';
import { CreateOrganizationDocument, OrganizationsDocument, ViewerDocument } from './generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from './helpers/app.ts';
import { makeOrg, makeSignedInUser } from './helpers/fixtures.ts';
import { databaseUrl } from './helpers/services.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const post = (body: string, headers: Record<string, string> = {}) =>
  world.server.app.fetch('http://test.local/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers },
    body,
  });

describe('endpoints', () => {
  it('/health answers 200 without touching the database', async () => {
    world.db.queries.reset();
    expect((await world.server.app.fetch('http://test.local/health')).status).toBe(200);
    expect(world.db.queries.count).toBe(0);
  });

  it('/ready answers 200 when Postgres and Redis answer', async () => {
    expect((await world.server.app.fetch('http://test.local/ready')).status).toBe(200);
  });

  it('serves GraphiQL to a browser', async () => {
    const response = await world.server.app.fetch('http://test.local/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/graphiql/i);
  });
});

describe('request limits', () => {
  it('refuses a body over MAX_BODY_BYTES with 413 before reading it', async () => {
    const body = JSON.stringify({ query: `{ viewer { id } } # ${'x'.repeat(world.env.MAX_BODY_BYTES)}` });
    expect((await post(body)).status).toBe(413);
  });

  it('refuses a POST without Content-Length (a chunked body) with 411', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify({ query: '{ viewer { id } }' })));
        controller.close();
      },
    });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' };
    const response = await world.server.app.fetch('http://test.local/graphql', init);
    expect(response.status).toBe(411);
  });

  it('refuses queries nested deeper than the limit with a coded error', async () => {
    let selection = 'id';
    for (let i = 0; i < 3; i++) selection = `organization { members { edges { node { ${selection} } } } }`;
    const response = await post(JSON.stringify({ query: `{ viewer { memberships { ${selection} } } }` }));
    const json = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(json.errors?.map((e) => e.message)).toEqual(['Query depth limit of 12 exceeded, found 15.']);
    expect(json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses queries costlier than the limit with a coded error', async () => {
    const inner = 'members(first: 100) { edges { node { user { memberships { organization { featureFlags { key } } } } } } }';
    const response = await post(JSON.stringify({ query: `{ organizations { ${inner} } a: organizations { ${inner} } }` }));
    const json = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(json.errors?.[0]?.message).toMatch(/^Query Cost limit of 20000 exceeded/);
    expect(json.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('admits the deepest query the product sends (the nested page query)', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const query =
      '{ organizations { members(first: 50) { edges { node { user { memberships { organization { featureFlags { key enabled } } } } } } } } }';
    const json = (await (await post(JSON.stringify({ query }), { authorization: `Bearer ${token}` })).json()) as {
      errors?: unknown;
      data?: unknown;
    };
    expect(json.errors).toBeUndefined();
    expect(json.data).toEqual({ organizations: [] });
  });
});

describe('errors have codes and never leak internals', () => {
  it('a syntax error is GRAPHQL_PARSE_FAILED', async () => {
    const json = (await (await post(JSON.stringify({ query: '{ viewer { ' }))).json()) as {
      errors: { extensions: { code: string } }[];
    };
    expect(json.errors[0]?.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('an unknown field is GRAPHQL_VALIDATION_FAILED', async () => {
    const json = (await (await post(JSON.stringify({ query: '{ nope }' }))).json()) as {
      errors: { extensions: { code: string } }[];
    };
    expect(json.errors[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('an unknown enum value, inline or in variables, is BAD_USER_INPUT', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const inline = await post(
      JSON.stringify({ query: 'mutation { createOrganization(input: { name: "X", slug: "enum-inline", plan: GOLD }) { id } }' }),
      {
        authorization: `Bearer ${token}`,
      },
    );
    const inlineJson = (await inline.json()) as { errors: { extensions: { code: string } }[] };
    expect(inlineJson.errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    const viaVariables = await world.server.gql(CreateOrganizationDocument, {
      token,
      // @ts-expect-error: the point is a value outside the enum, as a buggy client would send
      variables: { input: { name: 'X', slug: 'enum-vars', plan: 'GOLD' } },
    });
    expect(errorCodes(viaVariables)).toEqual(['BAD_USER_INPUT']);
    expect(await world.prisma.organization.count({ where: { slug: { in: ['enum-inline', 'enum-vars'] } } })).toBe(0);
  });

  it('a database failure is masked as INTERNAL_SERVER_ERROR, and /ready says 503', async () => {
    const env = loadEnv({ NODE_ENV: 'production', LOG_LEVEL: 'silent' });
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl('tg_does_not_exist') }) });
    const app = createApp({
      env,
      logger: createLogger(env),
      prisma,
      ...createSharedState(memoryStore(), env, createLogger(env)),
    });
    try {
      const body = JSON.stringify({ query: '{ organizations { id } }' });
      const response = await app.fetch('http://test.local/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          authorization: 'Bearer tg_anything',
        },
        body,
      });
      const text = await response.text();
      expect(response.status).toBe(200);
      const json = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
      expect(json.errors.map((e) => e.extensions.code)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(text).not.toMatch(/tg_does_not_exist|prisma|stack|at \//i);
      expect((await app.fetch('http://test.local/ready')).status).toBe(503);
    } finally {
      await app.dispose();
      await prisma.$disconnect();
    }
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
      { env: world.env, logger, prisma: world.prisma, ...shared },
      { readinessChecks: [() => store.inner.ping()] },
    );
    try {
      const body = JSON.stringify({ query: '{ viewer { id } organizations { slug } }' });
      const response = await app.fetch('http://test.local/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), authorization: `Bearer ${token}` },
        body,
      });
      const json = (await response.json()) as {
        data: { viewer: { id: string } | null; organizations: unknown[] };
        errors?: unknown;
      };
      expect(json.errors).toBeUndefined();
      expect(json.data.viewer).not.toBeNull();
      expect(json.data.organizations).toHaveLength(1);
      expect(store.errors.read).toBeGreaterThan(0);
      expect((await app.fetch('http://test.local/ready')).status).toBe(503);
    } finally {
      await app.dispose();
      redis.disconnect();
    }
  });

  it('runs the same with the in-process store (no REDIS_URL)', async () => {
    const memory = await world.startInstance({ store: 'memory' });
    const { user, token } = await makeSignedInUser(world.prisma);
    await makeOrg(world.prisma, [{ user, role: 'MEMBER' }]);
    expect(memory.store.inner.kind).toBe('memory');
    expect((await memory.gql(ViewerDocument, { token })).data?.viewer?.id).toBeTruthy();
    expect((await memory.gql(OrganizationsDocument, { token })).data?.organizations).toHaveLength(1);
  });
});
