import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NestedDocument, UpdateProfileDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

// One instance reaches Redis through a proxy the test can cut or slow down;
// the real Redis keeps serving every other test file meanwhile.

let world: TestWorld;
let proxy: TcpProxy;
let instance: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  const upstream = new URL(TEST_REDIS_URL);
  proxy = await startTcpProxy(upstream.hostname, Number(upstream.port || 6379));
  instance = await world.startInstance({ redisUrl: `redis://127.0.0.1:${proxy.port}` });
});
afterAll(async () => {
  await world.close();
  await proxy.close();
});

async function signedInMember() {
  const member = await makeSignedInUser(world.prisma, { name: 'Steady' });
  await makeOrg(world.prisma, [{ user: member.user, role: 'OWNER' }], { flags: { 'some-flag': true } });
  return member;
}

const waitFor = async (check: () => Promise<boolean>, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('Redis stopped mid-test', () => {
  it('answers from Postgres while Redis is gone, counts the failures, and uses Redis again when it is back', async () => {
    const { token } = await signedInMember();
    const warm = await instance.gql(NestedDocument, { token });
    expect(warm.errors).toBeUndefined();

    proxy.cut();
    const readErrors = instance.store.errors.read;
    world.db.queries.reset();
    const during = await instance.gql(NestedDocument, { token });
    expect(during.errors).toBeUndefined();
    expect(during.data).toEqual(warm.data);
    expect(world.db.queries.count).toBeGreaterThan(0);
    expect(instance.store.errors.read).toBeGreaterThan(readErrors);

    // A write while Redis is down still succeeds; its invalidation failure is counted, not thrown.
    const write = await instance.gql(UpdateProfileDocument, { token, variables: { input: { name: 'Written while down' } } });
    expect(write.errors).toBeUndefined();
    expect(instance.store.errors.invalidate).toBeGreaterThan(0);
    expect(instance.store.pendingInvalidations).toBeGreaterThan(0);

    proxy.restore();
    await waitFor(async () => instance.redis?.status === 'ready');
    // The invalidation that failed lands before this instance trusts Redis again: no stale name.
    expect((await instance.gql(ViewerDocument, { token })).data?.viewer?.name).toBe('Written while down');
    expect(instance.store.pendingInvalidations).toBe(0);
    await instance.gql(NestedDocument, { token });
    world.db.queries.reset();
    const after = await instance.gql(NestedDocument, { token });
    expect(after.errors).toBeUndefined();
    expect(world.db.queries.count).toBe(0);
  });

  it('treats a Redis slower than the command timeout as a miss, not a slow failure', async () => {
    const { token } = await signedInMember();
    await instance.gql(ViewerDocument, { token });
    proxy.delay(2_500);
    try {
      const res = await instance.gql(ViewerDocument, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data?.viewer?.name).toBe('Steady');
    } finally {
      proxy.restore();
    }
  });
});
