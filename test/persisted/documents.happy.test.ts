import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogInDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { FIXTURE_PASSWORD, makeSignedInUser, unique } from '../helpers/fixtures.ts';
import { errorCodesOf } from '../helpers/http.ts';
import { apq, byId, documentIdOf, manifestText } from '../helpers/persisted.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

const hitsOf = (instance: TestInstance) => instance.app.hotPath?.stats.hits ?? 0;

describe('persisted documents (PERSISTED_DOCUMENTS=allow, the default)', () => {
  it('runs a manifest document by documentId, a mutation by POST, as an anonymous client (through Yoga)', async () => {
    const { user } = await makeSignedInUser(world.prisma, { name: 'By id' });
    const answer = await byId(world.server, documentIdOf(LogInDocument), {
      variables: { input: { email: user.email, password: FIXTURE_PASSWORD } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ data: { logIn: { user: { name: 'By id' } } } });
    // A mutation by GET is refused, by id as by text (GraphQL over HTTP).
    const viaGet = await byId(world.server, documentIdOf(LogInDocument), {
      method: 'GET',
      variables: { input: { email: user.email, password: FIXTURE_PASSWORD } },
    });
    expect(viaGet.status).toBe(405);
  });

  it('APQ: a hash alone is PERSISTED_QUERY_NOT_FOUND, the text with it registers it, then the hash alone runs on every instance and hits the hot path', async () => {
    const { token } = await makeSignedInUser(world.prisma, { name: 'Apq' });
    const second = await makeSignedInUser(world.prisma, { name: 'Second' });
    const other = await world.startInstance();
    // A text no manifest holds, unique to this run.
    const text = `query ${unique('Apq').replace('-', '_')} { viewer { name } }`;
    const unknown = await apq(world.server, text, { token });
    expect(unknown.status).toBe(404);
    expect(errorCodesOf(unknown.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    const registered = await apq(world.server, text, { token, withQuery: true });
    expect(registered.body).toEqual({ data: { viewer: { name: 'Apq' } } });
    // The other instance finds the registration in Redis, for a viewer with no stored answer (through Yoga).
    const elsewhere = await apq(other, text, { token: second.token });
    expect(elsewhere.body).toEqual({ data: { viewer: { name: 'Second' } } });
    expect(elsewhere.headers.get('x-cache')).toBe('MISS');
    for (const method of ['POST', 'GET'] as const) {
      const hits = hitsOf(other);
      const again = await apq(other, text, { token, method });
      expect(again.text, method).toBe(registered.text);
      expect(again.headers.get('x-cache'), method).toBe('HIT');
      expect(hitsOf(other), method).toBe(hits + 1);
    }
  });

  it('APQ without Redis: registrations live in process, with their TTL, and serve', async () => {
    const alone = await world.startInstance({ store: 'memory' });
    const { token } = await makeSignedInUser(world.prisma, { name: 'In memory' });
    const text = `query ${unique('Mem').replace('-', '_')} { viewer { name } }`;
    expect(errorCodesOf((await apq(alone, text, { token })).body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect((await apq(alone, text, { token, withQuery: true })).body).toEqual({ data: { viewer: { name: 'In memory' } } });
    expect((await apq(alone, text, { token })).body).toEqual({ data: { viewer: { name: 'In memory' } } });
  });

  it('an APQ hash of a manifest text runs without a registration, and shares its stored answer with the id', async () => {
    const { token } = await makeSignedInUser(world.prisma, { name: 'Same key' });
    const id = documentIdOf(ViewerDocument);
    const first = await apq(world.server, manifestText(id), { token });
    expect(first.body).toMatchObject({ data: { viewer: { name: 'Same key' } } });
    const hits = hitsOf(world.server);
    const viaId = await byId(world.server, id, { token });
    expect(viaId.headers.get('x-cache')).toBe('HIT');
    expect(hitsOf(world.server)).toBe(hits + 1);
    expect(viaId.text).toBe(first.text);
  });
});
