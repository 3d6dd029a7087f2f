import { print, type DocumentNode } from 'graphql';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { EntityCache } from '../../src/cache/entity-cache.ts';
import { cacheTtls } from '../../src/cache/ttl.ts';
import { createLogger } from '../../src/logger.ts';
import { createSharedState } from '../../src/shared-state.ts';
import { SafeStore } from '../../src/store/fail-soft.ts';
import { memoryStore } from '../../src/store/index.ts';
import { globalId } from '../../src/schema/global-id.ts';
import {
  LogOutDocument,
  NestedDocument,
  NodeDocument,
  OrganizationFlagDocument,
  OrganizationPageDocument,
  OrganizationsDocument,
  PageLoadDocument,
  SetFeatureFlagDocument,
  UserByIdDocument,
  ViewerDocument,
} from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeTeam } from '../helpers/fixtures.ts';
import { request } from '../helpers/http.ts';

let world: TestWorld;
let uncached: TestInstance;
beforeAll(async () => {
  world = await createTestWorld({ env: { RATE_LIMIT_BUDGET: '1000/24h' } });
  uncached = await world.startInstance({ env: { RESPONSE_CACHE: 'false' } });
});
afterAll(() => world.close());

/** A raw request over HTTP, as a client sends it: the hot path sees exactly these bytes. */
async function post(
  instance: TestInstance,
  document: DocumentNode,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
) {
  const answer = await request(instance, {
    query: document,
    via: 'listener',
    ...(options.token ? { token: options.token } : {}),
    ...(options.variables ? { variables: options.variables } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  return { status: answer.status, headers: answer.headers, body: answer.text };
}

async function team() {
  const { users, org } = await makeTeam(world.prisma, {
    roles: ['OWNER', 'VIEWER'],
    names: { OWNER: 'Owner', VIEWER: 'Viewer' },
    flags: { beta: true, dark: false },
  });
  return { owner: users.OWNER, viewer: users.VIEWER, org };
}

const hot = (instance: TestInstance) => {
  const path = instance.app.hotPath;
  if (!path) throw new Error('the hot path is on in this file');
  return path;
};

describe('the hot path', () => {
  it('serves a repeat in one store round trip, the stored bytes with their headers, and touches nothing else', async () => {
    const { owner, org } = await team();
    const variables = { slug: org.slug };
    const miss = await post(world.server, OrganizationPageDocument, { token: owner.token, variables });
    expect(miss.headers.get('x-cache')).toBe('MISS');
    const trips = world.server.store.inner.roundTrips;
    const hits = hot(world.server).stats.hits;
    world.db.queries.reset();
    const hit = await post(world.server, OrganizationPageDocument, { token: owner.token, variables });
    expect(hot(world.server).stats.hits).toBe(hits + 1);
    expect(world.server.store.inner.roundTrips - trips).toBe(1);
    expect(world.db.queries.count).toBe(0);
    expect(hit.status).toBe(200);
    expect(hit.body).toBe(miss.body);
    for (const name of ['content-type', 'etag', 'cache-control', 'ratelimit-limit'])
      expect(hit.headers.get(name), name).toBe(miss.headers.get(name));
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hit.headers.get('cache-control')).toBe('private, no-cache');
    expect(hit.headers.get('etag')).toMatch(/^"[\w-]{27}"$/);
    // The budget counted the hit: one fewer remaining than the miss had.
    expect(Number(hit.headers.get('ratelimit-remaining'))).toBe(Number(miss.headers.get('ratelimit-remaining')) - 1);
  });

  it('answers every query of test/operations, as owner and as viewer, byte for byte as the uncached server does', async () => {
    const { owner, viewer, org } = await team();
    const [membership] = await world.prisma.membership.findMany({ where: { organizationId: org.id, userId: viewer.user.id } });
    const cases: [string, DocumentNode, Record<string, unknown>][] = [
      ['Viewer', ViewerDocument, {}],
      ['PageLoad', PageLoadDocument, {}],
      ['Organizations', OrganizationsDocument, {}],
      ['Nested', NestedDocument, {}],
      ['OrganizationPage', OrganizationPageDocument, { slug: org.slug, first: 1 }],
      ['OrganizationFlag', OrganizationFlagDocument, { slug: org.slug, key: 'beta' }],
      ['UserById', UserByIdDocument, { id: globalId('User', owner.user.id) }],
      ['Node', NodeDocument, { id: globalId('Membership', membership?.id ?? '') }],
    ];
    let served = 0;
    for (const who of [owner, viewer]) {
      for (const [name, document, variables] of cases) {
        const before = hot(world.server).stats.hits;
        await post(world.server, document, { token: who.token, variables });
        const hit = await post(world.server, document, { token: who.token, variables });
        const plain = await post(uncached, document, { token: who.token, variables });
        served += hot(world.server).stats.hits - before;
        expect(hit.status, name).toBe(plain.status);
        expect(hit.body, name).toBe(plain.body);
        expect(hit.headers.get('content-type'), name).toBe(plain.headers.get('content-type'));
      }
    }
    // Every case was a hot-path hit the second time (none errored, so all were stored).
    expect(served).toBe(cases.length * 2);
  });

  it('a GET with the same query is served from the same stored answer, as application/graphql-response+json when asked', async () => {
    const { owner } = await team();
    const first = await post(world.server, ViewerDocument, { token: owner.token });
    const url = `${world.server.origin}/graphql?query=${encodeURIComponent(print(ViewerDocument))}&variables=%7B%7D`;
    const hits = hot(world.server).stats.hits;
    const response = await request(world.server, {
      path: url.slice(world.server.origin.length),
      token: owner.token,
      headers: { accept: 'application/graphql-response+json' },
    });
    expect(hot(world.server).stats.hits).toBe(hits + 1);
    expect(response.headers.get('content-type')).toBe('application/graphql-response+json; charset=utf-8');
    expect(response.text).toBe(first.body);
  });

  it('If-None-Match with the stored ETag is 304 only for a valid session, and counts the budget', async () => {
    const { owner, viewer } = await team();
    const first = await post(world.server, PageLoadDocument, { token: owner.token });
    const etag = first.headers.get('etag') ?? '';
    const again = await post(world.server, PageLoadDocument, { token: owner.token, headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(Number(again.headers.get('ratelimit-remaining'))).toBe(Number(first.headers.get('ratelimit-remaining')) - 1);
    // Another viewer's request with this ETag is never a 304: its own answer differs, and is keyed apart.
    const other = await post(world.server, PageLoadDocument, { token: viewer.token, headers: { 'if-none-match': etag } });
    expect(other.status).toBe(200);
    // A bad token with the right ETag reaches Yoga, which refuses it.
    const forged = await post(world.server, PageLoadDocument, {
      token: `${owner.token.slice(0, -2)}xx`,
      headers: { 'if-none-match': etag },
    });
    expect(forged.status).toBe(200);
    expect(JSON.parse(forged.body)).toMatchObject({ data: { viewer: null } });
  });

  it('never serves an invalidated answer, on either instance, and the ETag changes at once, whatever copies the instances hold', async () => {
    const { owner, viewer, org } = await team();
    const other = await world.startInstance();
    const variables = { slug: org.slug, key: 'beta' };
    for (const instance of [world.server, other]) {
      await post(instance, OrganizationFlagDocument, { token: viewer.token, variables });
      expect((await post(instance, OrganizationFlagDocument, { token: viewer.token, variables })).headers.get('x-cache')).toBe(
        'HIT',
      );
    }
    // Both instances now hold a copy of the answer, and serve it once the store confirms its ETag.
    const copies = [hot(world.server).stats.fromCopy, hot(other).stats.fromCopy];
    const before = await post(other, OrganizationFlagDocument, { token: viewer.token, variables });
    expect((await post(world.server, OrganizationFlagDocument, { token: viewer.token, variables })).body).toBe(before.body);
    expect([hot(world.server).stats.fromCopy, hot(other).stats.fromCopy]).toEqual([copies[0]! + 1, copies[1]! + 1]);
    const flip = await world.server.gql(SetFeatureFlagDocument, {
      token: owner.token,
      variables: { input: { organizationId: globalId('Organization', org.id), key: 'beta', enabled: false } },
    });
    expect(flip.errors).toBeUndefined();
    // The first read after the write misses (and stores the new answer, which the second instance may then hit).
    for (const [i, instance] of [other, world.server].entries()) {
      const after = await post(instance, OrganizationFlagDocument, { token: viewer.token, variables });
      if (i === 0) expect(after.headers.get('x-cache')).toBe('MISS');
      expect(after.body).toContain('"enabled":false');
      expect(after.body).not.toContain('"enabled":true');
      expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    }
  });

  it('over budget, a cached answer is refused with 429 by Yoga, and the budget is counted once per request', async () => {
    const tight = await world.startInstance({ env: { RATE_LIMIT_BUDGET: '3/60s' } });
    const { owner } = await team();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post(tight, ViewerDocument, { token: owner.token }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    expect(answers.slice(1, 3).map((a) => a.headers.get('x-cache'))).toEqual(['HIT', 'HIT']);
    expect(JSON.parse(answers[3]?.body ?? '{}')).toMatchObject({ errors: [{ extensions: { code: 'RATE_LIMITED' } }] });
    expect(Number(answers[3]?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a logged-out session is never served, on any instance', async () => {
    const { owner } = await team();
    const other = await world.startInstance();
    await post(world.server, ViewerDocument, { token: owner.token });
    for (const instance of [world.server, other])
      expect((await post(instance, ViewerDocument, { token: owner.token })).headers.get('x-cache')).toBe('HIT');
    const out = await post(world.server, LogOutDocument, { token: owner.token });
    expect(JSON.parse(out.body)).toMatchObject({ data: { logOut: true } });
    for (const instance of [other, world.server]) {
      const hits = hot(instance).stats.hits;
      const after = await post(instance, ViewerDocument, { token: owner.token });
      // Yoga answered (for nobody, as to any client without a valid session), never the hot path.
      expect(hot(instance).stats.hits).toBe(hits);
      expect(JSON.parse(after.body)).toEqual({ data: { viewer: null } });
    }
  });

  it('serves hits under a budget so large that one call is less than a millisecond of it', async () => {
    const loose = await world.startInstance({ env: { RATE_LIMIT_BUDGET: '1000000000/60s' } });
    const { owner } = await team();
    await post(loose, ViewerDocument, { token: owner.token });
    const hit = await post(loose, ViewerDocument, { token: owner.token });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(hot(loose).stats).toMatchObject({ hits: 1, storeErrors: 0 });
  });

  it('hands a request it failed on to Yoga with the body it had read', async () => {
    // Nothing known throws in the hot path; if something ever does, Yoga must still see the request whole.
    class UnreadableStore extends SafeStore {
      override get pendingInvalidations(): number {
        throw new Error('store state unreadable');
      }
    }
    const { env } = world;
    const logger = createLogger(env);
    const inner = memoryStore();
    const shared = createSharedState(inner, env, logger);
    const cache = new EntityCache(new UnreadableStore(inner, logger), cacheTtls(env));
    const app = createApp({ env, logger, prisma: world.prisma, reads: world.db.reads, ...shared, cache });
    const server = createServer(app.listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const answer = await request({ origin }, { query: '{ __typename }', token: 'tg_someone.unknown' });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: { __typename: 'Query' } });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.dispose();
      await inner.close();
    }
  });
});
