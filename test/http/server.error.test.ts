// What the HTTP surface refuses, and how: size and shape limits, and coded errors that never leak internals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { memoryStore } from '../../src/store/index.ts';
import { loadEnv } from '../../src/env.ts';
import { connectPostgres } from '../../src/db/postgres.ts';
import { createLogger } from '../../src/logger.ts';
import { createSharedState } from '../../src/shared-state.ts';
import { CreateOrganizationDocument } from '../generated/graphql.ts';
import { createTestWorld, errorCodes, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';
import { errorCodesOf, request } from '../helpers/http.ts';
import { databaseUrl } from '../helpers/services.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const post = (body: string, headers: Record<string, string> = {}) => request(world.server, { body, headers, via: 'yoga' });

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
    const response = await request(world.server, { body, via: 'yoga' });
    expect(response.status).toBe(411);
  });

  it('refuses queries nested deeper than the limit with a coded error', async () => {
    let selection = 'id';
    for (let i = 0; i < 3; i++) selection = `organization { members { edges { node { ${selection} } } } }`;
    const json = (await post(JSON.stringify({ query: `{ viewer { memberships { ${selection} } } }` }))).body;
    expect(json.errors?.map((e) => e.message)).toEqual(['Query depth limit of 12 exceeded, found 15.']);
    expect(json.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('refuses queries costlier than the limit with a coded error', async () => {
    const inner = 'members(first: 100) { edges { node { user { memberships { organization { featureFlags { key } } } } } } }';
    const json = (await post(JSON.stringify({ query: `{ organizations { ${inner} } a: organizations { ${inner} } }` }))).body;
    expect(json.errors?.[0]?.message).toMatch(/^Query Cost limit of 20000 exceeded/);
    expect(json.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('errors have codes and never leak internals', () => {
  it('a syntax error is GRAPHQL_PARSE_FAILED', async () => {
    const json = (await post(JSON.stringify({ query: '{ viewer { ' }))).body;
    expect(json.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('an unknown field is GRAPHQL_VALIDATION_FAILED', async () => {
    const json = (await post(JSON.stringify({ query: '{ nope }' }))).body;
    expect(json.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('an unknown enum value, inline or in variables, is BAD_USER_INPUT', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const inline = await post(
      JSON.stringify({ query: 'mutation { createOrganization(input: { name: "X", slug: "enum-inline", plan: GOLD }) { id } }' }),
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(errorCodesOf(inline.body)).toEqual(['BAD_USER_INPUT']);
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
    const postgres = connectPostgres({ connectionString: databaseUrl('tg_does_not_exist') });
    const app = createApp({
      env,
      logger: createLogger(env),
      prisma: postgres.prisma,
      reads: postgres.reads,
      ...createSharedState(memoryStore(), env, createLogger(env)),
    });
    try {
      const response = await request({ app }, { query: '{ organizations { id } }', token: 'tg_anything' });
      const text = response.text;
      expect(response.status).toBe(200);
      const json = JSON.parse(text) as { errors: { message: string; extensions: { code: string } }[] };
      expect(json.errors.map((e) => e.extensions.code)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(text).not.toMatch(/tg_does_not_exist|prisma|stack|at \//i);
      expect((await request({ app }, { path: '/ready' })).status).toBe(503);
    } finally {
      await app.dispose();
      await postgres.close();
    }
  });
});
