import { keys } from '../../src/cache/keys.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser, unique } from '../helpers/fixtures.ts';
import { errorCodesOf, request } from '../helpers/http.ts';
import { apq, apqHash, byId, documentIdOf } from '../helpers/persisted.ts';
import { type CuttableInstance, startCuttableInstance } from '../helpers/redis-cut.ts';

let world: TestWorld;
let cutting: CuttableInstance;
beforeAll(async () => {
  world = await createTestWorld();
  cutting = await startCuttableInstance(world);
});
afterAll(async () => {
  await world.close();
  await cutting.close();
});

const freshText = (label: string) => `query ${unique(label).replace('-', '_')} { viewer { name } }`;

describe('persisted documents: refusals', () => {
  it('an id the manifest lacks is PERSISTED_QUERY_NOT_FOUND (404), by POST and GET, signed in or not', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const unknownId = `sha256:${apqHash('query Nobody { viewer { id } }')}`;
    for (const id of [unknownId, 'md5:0123', 'not-an-id'])
      for (const method of ['POST', 'GET'] as const)
        for (const who of [token, undefined]) {
          const answer = await byId(world.server, id, { method, ...(who ? { token: who } : {}) });
          const label = `${id} ${method} ${who ? 'signed in' : 'anonymous'}`;
          expect(answer.status, label).toBe(404);
          expect(errorCodesOf(answer.body), label).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
        }
  });

  it('an APQ hash that is not the SHA-256 of its text is PERSISTED_QUERY_MISMATCH (400), and registers nothing', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const text = freshText('Wrong');
    const claimed = apqHash(freshText('Other'));
    const answer = await apq(world.server, text, { token, withQuery: true, hash: claimed });
    expect(answer.status).toBe(400);
    expect(errorCodesOf(answer.body)).toEqual(['PERSISTED_QUERY_MISMATCH']);
    const later = await apq(world.server, text, { token, hash: claimed });
    expect(errorCodesOf(later.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('a registration read back that is not the text of its hash (a corrupted or foreign entry) is not run', async () => {
    const { token } = await makeSignedInUser(world.prisma, { name: 'Planted' });
    const claimed = freshText('Claimed');
    const redis = world.server.redis;
    if (!redis) throw new Error('this world runs on Redis');
    await redis.set(keys.persistedQuery(apqHash(claimed)), 'query Planted { viewer { id name email } }', 'EX', 60);
    const answer = await apq(world.server, claimed, { token });
    expect(answer.status).toBe(404);
    expect(errorCodesOf(answer.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('contradictory or ill-formed references are BAD_USER_INPUT (400): a text and an id, an APQ of another version or hash form', async () => {
    const id = documentIdOf(ViewerDocument);
    const bodies = [
      { query: '{ __typename }', documentId: id },
      { documentId: id, extensions: { persistedQuery: { version: 1, sha256Hash: apqHash('{ __typename }') } } },
      { documentId: 42 },
      { extensions: { persistedQuery: { version: 2, sha256Hash: apqHash('{ __typename }') } } },
      { extensions: { persistedQuery: { version: 1, sha256Hash: 'ABC' } } },
    ];
    for (const body of bodies) {
      const answer = await request(world.server, { body: JSON.stringify(body) });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(errorCodesOf(answer.body), JSON.stringify(body)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it('with Redis down, APQ answers NOT_FOUND (the client resends its text), registers in process and serves: never a 500', async () => {
    const { instance, proxy } = cutting;
    const { token } = await makeSignedInUser(world.prisma, { name: 'Down' });
    // Registered while Redis answered, through another instance: this one has no copy of it.
    const before = freshText('Before');
    expect((await apq(world.server, before, { token, withQuery: true })).status).toBe(200);
    proxy.cut();
    try {
      const readErrors = instance.store.errors.read;
      const lost = await apq(instance, before, { token });
      expect(lost.status).toBe(404);
      expect(errorCodesOf(lost.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
      expect(instance.store.errors.read).toBeGreaterThan(readErrors);
      // The client resends the text with its hash: answered, and kept in process.
      const resent = await apq(instance, before, { token, withQuery: true });
      expect(resent.status).toBe(200);
      expect(resent.body).toEqual({ data: { viewer: { name: 'Down' } } });
      const during = freshText('During');
      expect((await apq(instance, during, { token, withQuery: true })).body).toEqual({ data: { viewer: { name: 'Down' } } });
      for (const text of [before, during]) {
        const again = await apq(instance, text, { token });
        expect(again.status).toBe(200);
        expect(again.body).toEqual({ data: { viewer: { name: 'Down' } } });
      }
      // Ids need no store at all.
      expect((await byId(instance, documentIdOf(ViewerDocument), { token })).body).toMatchObject({
        data: { viewer: { name: 'Down' } },
      });
    } finally {
      await cutting.reconnect();
    }
  });
});
