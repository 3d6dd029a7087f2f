import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageLoadDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser, unique } from '../helpers/fixtures.ts';
import { errorCodesOf, request } from '../helpers/http.ts';
import { apq, apqHash, byId, documentIdOf, manifestText } from '../helpers/persisted.ts';

// Instances in each mode share one Redis and one database, so an answer one of them stored under a key
// is there for the others: each mode must refuse what it refuses before the hot path could serve it.
let world: TestWorld;
let strict: TestInstance;
let off: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  strict = await world.startInstance({ env: { PERSISTED_DOCUMENTS: 'require' } });
  off = await world.startInstance({ env: { PERSISTED_DOCUMENTS: 'off' } });
});
afterAll(() => world.close());

const hitsOf = (instance: TestInstance) => instance.app.hotPath?.stats.hits ?? 0;

/** A viewer whose Viewer answer the allowing instance has stored under the key its text, id and APQ hash share. */
async function stored() {
  const { token } = await makeSignedInUser(world.prisma, { name: 'Stored' });
  const id = documentIdOf(ViewerDocument);
  const text = manifestText(id);
  await request(world.server, { query: text, token });
  const hit = await request(world.server, { query: text, token });
  expect(hit.headers.get('x-cache')).toBe('HIT');
  return { token, id, text, answer: hit.text };
}

describe('PERSISTED_DOCUMENTS=require: trusted documents only', () => {
  it('refuses a whole document with PERSISTED_DOCUMENT_REQUIRED (400), by POST and GET, even one whose answer is stored', async () => {
    const { token, text } = await stored();
    const hits = hitsOf(strict);
    const posted = await request(strict, { query: text, token });
    const got = await request(strict, { path: `/graphql?query=${encodeURIComponent(text)}`, token });
    const anonymous = await request(strict, { query: '{ __typename }' });
    for (const answer of [posted, got, anonymous]) {
      expect(answer.status).toBe(400);
      expect(errorCodesOf(answer.body)).toEqual(['PERSISTED_DOCUMENT_REQUIRED']);
    }
    expect(hitsOf(strict)).toBe(hits);
  });

  it('serves the manifest by id, from the hot path, and an APQ hash of a manifest text, but registers nothing', async () => {
    const { token, id, text, answer } = await stored();
    const hits = hitsOf(strict);
    for (const method of ['POST', 'GET'] as const) {
      const viaId = await byId(strict, id, { method, token });
      expect(viaId.text, method).toBe(answer);
      expect(viaId.headers.get('x-cache'), method).toBe('HIT');
    }
    expect(hitsOf(strict)).toBe(hits + 2);
    expect((await apq(strict, text, { token })).text).toBe(answer);
    // Another manifest document, never run before: by id, through Yoga.
    expect((await byId(strict, documentIdOf(PageLoadDocument), { token })).body).toMatchObject({
      data: { viewer: { memberships: [] } },
    });
    // APQ cannot smuggle a document in: a registration is refused, and its hash alone is unknown.
    const foreign = `query ${unique('Foreign').replace('-', '_')} { viewer { name } }`;
    const registering = await apq(strict, foreign, { token, withQuery: true });
    expect(registering.status).toBe(400);
    expect(errorCodesOf(registering.body)).toEqual(['PERSISTED_DOCUMENT_REQUIRED']);
    // Registered through the allowing instance, still unknown here.
    expect((await apq(world.server, foreign, { token, withQuery: true })).status).toBe(200);
    const smuggled = await apq(strict, foreign, { token });
    expect(smuggled.status).toBe(404);
    expect(errorCodesOf(smuggled.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const asId = await byId(strict, `sha256:${apqHash(foreign)}`, { token });
    expect(errorCodesOf(asId.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});

describe('PERSISTED_DOCUMENTS=off', () => {
  it('refuses ids and APQ hashes with PERSISTED_QUERY_NOT_SUPPORTED (400), even when their answer is stored, and runs texts', async () => {
    const { token, id, text, answer } = await stored();
    const hits = hitsOf(off);
    const refused = [
      await byId(off, id, { token }),
      await byId(off, id, { token, method: 'GET' }),
      await apq(off, text, { token }),
      await apq(off, text, { token, withQuery: true }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(400);
      expect(errorCodesOf(response.body)).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED']);
    }
    expect(hitsOf(off)).toBe(hits);
    const plain = await request(off, { query: text, token });
    expect(plain.text).toBe(answer);
    expect(plain.headers.get('x-cache')).toBe('HIT');
  });
});

describe('PERSISTED_DOCUMENTS=allow', () => {
  it('an id is only ever a manifest document: the hash of a text run whole is no id, though its answer is stored under that hash', async () => {
    const { token } = await makeSignedInUser(world.prisma, { name: 'Whole' });
    const text = `query ${unique('Whole').replace('-', '_')} { viewer { name } }`;
    await request(world.server, { query: text, token });
    expect((await request(world.server, { query: text, token })).headers.get('x-cache')).toBe('HIT');
    const hits = hitsOf(world.server);
    const forged = await byId(world.server, `sha256:${apqHash(text)}`, { token });
    expect(forged.status).toBe(404);
    expect(errorCodesOf(forged.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(hitsOf(world.server)).toBe(hits);
  });
});
