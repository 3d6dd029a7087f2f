import { type AuditResult, serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';

// graphql-http's audits of the GraphQL over HTTP spec, GET and POST, sent
// anonymously (Yoga answers) and signed in twice: the first pass fills the
// response cache, the second is answered by the hot path wherever it can.
let world: TestWorld;
let instance: TestInstance;
let token: string;
beforeAll(async () => {
  world = await createTestWorld({ env: { RATE_LIMIT_BUDGET: '100000/24h' } });
  instance = world.server;
  token = (await makeSignedInUser(world.prisma)).token;
});
afterAll(() => world.close());

const signedIn: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

async function audit(fetchFn: typeof fetch): Promise<AuditResult[]> {
  const results: AuditResult[] = [];
  for (const { fn } of serverAudits({ url: `${instance.origin}/graphql`, fetchFn })) results.push(await fn());
  return results;
}

/** Each audit that is not ok, with its reason, so a failure names itself. */
const failures = (results: AuditResult[]) =>
  results.filter((r) => r.status !== 'ok').map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);

describe('GraphQL over HTTP audits', () => {
  it('passes every audit anonymously', async () => {
    const results = await audit(fetch);
    expect(results.length).toBeGreaterThan(30);
    expect(failures(results)).toEqual([]);
  });

  it('passes every audit signed in, on a cold cache and again from the hot path', async () => {
    const hot = instance.app.hotPath;
    if (!hot) throw new Error('the hot path is on in this file');
    expect(failures(await audit(signedIn))).toEqual([]);
    const hitsBefore = hot.stats.hits;
    expect(failures(await audit(signedIn))).toEqual([]);
    // The second pass really went through the hot path: the stored answers were served from it.
    expect(hot.stats.hits - hitsBefore).toBeGreaterThan(5);
  });
});
