// Requests nested thousands deep, small enough to pass the body and token limits: refused with a code, never a
// stack overflow answered as INTERNAL_SERVER_ERROR, whether the hot path or Yoga sees them first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NESTING, nestsDeeperThan } from '../../src/http/nesting.ts';
import { paramsOfJsonText } from '../../src/http/request-params.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';
import { errorCodesOf, request, type RawResponse } from '../helpers/http.ts';

let world: TestWorld;
let token: string;
beforeAll(async () => {
  world = await createTestWorld();
  ({ token } = await makeSignedInUser(world.prisma));
});
afterAll(() => world.close());

const nested = (open: string, inner: string, close: string, depth: number) =>
  `${open.repeat(depth)}${inner}${close.repeat(depth)}`;

// Each under the token limit (5,000): 2,000 nested `[` are 4,000 tokens.
const deepDocuments: [string, string][] = [
  ['a list literal in a variable default', `query Q($v: [Int] = ${nested('[', '1', ']', 2_000)}) { __typename }`],
  ['an object literal in a variable default', `query Q($v: [Int] = ${nested('{a:', '1', '}', 1_200)}) { __typename }`],
  ['a type reference', `query Q($v: ${nested('[', 'Int', ']', 2_000)}) { __typename }`],
  ['selection sets', `{ ${nested('a { ', 'b', ' }', 1_600)} }`],
];

/** Refused before anything ran, with `code`, and nothing of the server's insides in the answer. */
function expectRefused(answer: RawResponse, code: string, message: RegExp) {
  // GraphQL over HTTP: 200 for application/json, 400 for application/graphql-response+json.
  expect([200, 400]).toContain(answer.status);
  expect(errorCodesOf(answer.body)).toEqual([code]);
  expect(answer.body.errors?.[0]?.message).toMatch(message);
  expect(answer.body.data).toBeUndefined();
  expect(answer.text).not.toMatch(/stack|RangeError|Maximum call/i);
}

describe('a document nested thousands deep', () => {
  it.each(deepDocuments)('%s is refused by the nesting limit, as the token limit would be', async (_, query) => {
    expectRefused(
      await request(world.server, { query, via: 'yoga' }),
      'GRAPHQL_VALIDATION_FAILED',
      /^Nesting limit of 64 exceeded\.$/,
    );
  });

  it('is refused the same to a signed-in client through the hot path, again and again (never stored)', async () => {
    const query = deepDocuments[0]![1];
    for (const accept of ['application/json', 'application/graphql-response+json']) {
      for (let i = 0; i < 2; i++) {
        const answer = await request(world.server, { query, token, headers: { accept }, via: 'listener' });
        expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED', /^Nesting limit of 64 exceeded\.$/);
        expect(answer.headers.get('x-cache')).not.toBe('HIT');
      }
    }
  });

  it('says where the limit was crossed', async () => {
    const answer = await request(world.server, { query: `{ ${nested('a { ', 'b', ' }', 100)} }`, via: 'yoga' });
    // The 65th brace: the document's own, then 64 of the nested fields.
    expect(answer.body.errors?.[0]?.locations).toEqual([{ line: 1, column: 1 + 4 * 64 }]);
  });

  it('admits a document at the limit, and refuses one a level deeper', async () => {
    // The variable definitions' parenthesis is the first level.
    const at = (depth: number) => `query Q($s: String = ${nested('[', '"x"', ']', depth)}) { organization(slug: $s) { id } }`;
    const admitted = await request(world.server, { query: at(63), via: 'yoga' });
    // Past the parser: graphql-js's own verdict on the value, not the limit's.
    expect(errorCodesOf(admitted.body)).toEqual(['BAD_USER_INPUT']);
    expect(admitted.body.errors?.[0]?.message).toMatch(/^String cannot represent/);
    expectRefused(await request(world.server, { query: at(64), via: 'yoga' }), 'GRAPHQL_VALIDATION_FAILED', /^Nesting limit/);
  });
});

describe('variables nested thousands deep', () => {
  // Built as text: JSON.stringify itself overflows the stack on such a value.
  const query = 'query Q($s: String!) { organization(slug: $s) { id } }';
  const bodies: [string, string][] = [
    ['arrays', `{"query":${JSON.stringify(query)},"variables":{"s":${nested('[', '1', ']', 10_000)}}}`],
    ['objects', `{"query":${JSON.stringify(query)},"variables":{"s":${nested('{"a":', '1', '}', 10_000)}}}`],
  ];

  it.each(bodies)('in %s are refused as BAD_USER_INPUT, through the hot path or straight to Yoga', async (_, body) => {
    for (const via of ['listener', 'yoga'] as const) {
      const answer = await request(world.server, { body, token, via });
      expectRefused(answer, 'BAD_USER_INPUT', /^Variables nesting limit of 64 exceeded\.$/);
    }
    expectRefused(await request(world.server, { body, via: 'yoga' }), 'BAD_USER_INPUT', /nesting limit/);
  });

  it('a few levels deep are coerced as ever: a wrong type is BAD_USER_INPUT from graphql-js', async () => {
    const body = `{"query":${JSON.stringify(query)},"variables":{"s":${nested('[', '1', ']', 10)}}}`;
    const answer = await request(world.server, { body, token, via: 'listener' });
    expect(errorCodesOf(answer.body)).toEqual(['BAD_USER_INPUT']);
    expect(answer.body.errors?.[0]?.message).toMatch(/String cannot represent/);
  });

  it('are left to Yoga by the hot path, which never keys them (its canonical JSON recurses)', () => {
    for (const [, body] of bodies) expect(paramsOfJsonText(body)).toBeNull();
    const atLimit = `{"query":"{ __typename }","variables":{"s":${nested('[', '1', ']', MAX_NESTING - 1)}}}`;
    expect(paramsOfJsonText(atLimit)?.query).toBe('{ __typename }');
  });

  it('are measured with the value itself as the first level', () => {
    expect(nestsDeeperThan({ a: [1] }, 2)).toBe(false);
    expect(nestsDeeperThan({ a: [1] }, 1)).toBe(true);
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan(JSON.parse(nested('[', '1', ']', 100_000)), MAX_NESTING)).toBe(true);
  });
});
