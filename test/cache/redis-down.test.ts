import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NestedDocument, UpdateProfileDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';
import { type CuttableInstance, startCuttableInstance } from '../helpers/redis-cut.ts';
import type { TcpProxy } from '../../bench/tcp-proxy.ts';
import { globalId } from '../../src/schema/global-id.ts';

// One instance reaches Redis through a proxy the test can cut or slow down;
// the real Redis keeps serving every other test file meanwhile.

let world: TestWorld;
let cutting: CuttableInstance;
let proxy: TcpProxy;
let instance: TestInstance;
beforeAll(async () => {
  world = await createTestWorld();
  // These tests count each read that timed out; the cap on a request's waiting in all, which would stop
  // a request's reads after its first timeout, is tested on an instance of its own below.
  cutting = await startCuttableInstance(world, { CACHE_REQUEST_WAIT_MS: '60000' });
  ({ proxy, instance } = cutting);
});
afterAll(async () => {
  await world.close();
  await cutting.close();
});

async function signedInMember() {
  const member = await makeSignedInUser(world.prisma, { name: 'Steady' });
  await makeOrg(world.prisma, [{ user: member.user, role: 'OWNER' }], { flags: { 'some-flag': true } });
  return member;
}

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

    await cutting.reconnect();
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
    const { user, token } = await signedInMember();
    await instance.gql(ViewerDocument, { token });
    // What the same request costs with no cache at all: a miss must cost that, no more.
    const cold = await world.startInstance({ env: { ENTITY_CACHE: 'false', RESPONSE_CACHE: 'false' } });
    world.db.queries.reset();
    expect((await cold.gql(ViewerDocument, { token })).data?.viewer?.name).toBe('Steady');
    const coldSql = world.db.queries.count;
    expect(coldSql).toBeGreaterThan(0);
    proxy.delay(2_500);
    try {
      const readErrors = instance.store.errors.read;
      world.db.queries.reset();
      const res = await instance.gql(ViewerDocument, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data?.viewer?.name).toBe('Steady');
      expect(res.data?.viewer?.id).toBe(globalId('User', user.id));
      // Each timed-out read was counted and answered as a miss: the response lookup, then one per store call, each
      // answered by Postgres. The viewer's row and memberships leave in one call (prefetched), two statements cold.
      expect(instance.store.errors.read - readErrors).toBe(1 + coldSql - 1);
      expect(world.db.queries.count).toBe(coldSql);
    } finally {
      proxy.restore();
    }
  });
});

describe('Redis answering, but late', () => {
  it('costs a request its wait allowance (CACHE_REQUEST_WAIT_MS), then reads Postgres for the rest, with the same answer', async () => {
    const slow = await startCuttableInstance(world, { RESPONSE_CACHE: 'false' });
    try {
      const { token } = await signedInMember();
      const warm = await slow.instance.gql(NestedDocument, { token });
      expect(warm.errors).toBeUndefined();
      // Entity cache warm: every batch is one store read and no SQL.
      let trips = slow.instance.store.inner.roundTrips;
      world.db.queries.reset();
      expect((await slow.instance.gql(NestedDocument, { token })).data).toEqual(warm.data);
      const fastTrips = slow.instance.store.inner.roundTrips - trips;
      expect(world.db.queries.count).toBe(0);
      // The hot path's lookup, then one read per loader batch.
      expect(fastTrips).toBeGreaterThan(4);

      // 200 ms a reply, under the 500 ms command timeout: nothing fails, every read would just be late.
      slow.proxy.delay(200);
      const bypassed = slow.instance.cache.stats.waitBypasses;
      const readErrors = slow.instance.store.errors.read;
      trips = slow.instance.store.inner.roundTrips;
      world.db.queries.reset();
      const late = await slow.instance.gql(NestedDocument, { token });
      expect(late.errors).toBeUndefined();
      expect(late.data).toEqual(warm.data);
      // The hot path's lookup, then at most three loader reads spend the 500 ms (fewer if the machine
      // stalls); the batches after them go to Postgres without asking Redis.
      expect(slow.instance.store.inner.roundTrips - trips).toBeLessThanOrEqual(4);
      expect(slow.instance.cache.stats.waitBypasses).toBeGreaterThan(bypassed);
      expect(slow.instance.store.errors.read).toBe(readErrors);
      expect(world.db.queries.count).toBeGreaterThan(0);
    } finally {
      slow.proxy.restore();
      await slow.close();
    }
  });
});
