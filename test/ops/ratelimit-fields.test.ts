import { print, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrganizationPageDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';

// The IETF draft's current fields, RateLimit-Policy and RateLimit, beside the
// legacy trio, on answers from Yoga and from the hot path alike.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld({ env: { RATE_LIMIT_BUDGET: '50/2m' } });
});
afterAll(() => world.close());

async function post(instance: TestInstance, document: DocumentNode, token: string, variables: Record<string, unknown>) {
  const response = await fetch(`${instance.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  await response.text();
  return response.headers;
}

function expectFields(headers: Headers) {
  const remaining = headers.get('ratelimit-remaining');
  const reset = headers.get('ratelimit-reset');
  expect(headers.get('ratelimit-limit')).toBe('50');
  expect(headers.get('ratelimit-policy')).toBe('"budget";q=50;w=120');
  expect(headers.get('ratelimit')).toBe(`"budget";r=${remaining};t=${reset}`);
  expect(Number(reset)).toBeGreaterThan(0);
}

describe('RateLimit fields', () => {
  it('a miss answered by Yoga and a hit answered by the hot path both carry the policy and its state', async () => {
    const owner = await makeSignedInUser(world.prisma);
    const org = await makeOrg(world.prisma, [{ user: owner.user, role: 'OWNER' }]);
    const miss = await post(world.server, OrganizationPageDocument, owner.token, { slug: org.slug });
    expect(miss.get('x-cache')).toBe('MISS');
    expectFields(miss);
    expect(miss.get('ratelimit')).toMatch(/^"budget";r=49;t=\d+$/);

    const hit = await post(world.server, OrganizationPageDocument, owner.token, { slug: org.slug });
    expect(hit.get('x-cache')).toBe('HIT');
    expectFields(hit);
    expect(hit.get('ratelimit')).toMatch(/^"budget";r=48;t=\d+$/);
    expect(hit.get('ratelimit-policy')).toBe(miss.get('ratelimit-policy'));
  });
});
