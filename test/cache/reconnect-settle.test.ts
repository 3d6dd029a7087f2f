import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpdateProfileDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';
import { type CuttableInstance, startCuttableInstance } from '../helpers/redis-cut.ts';

// Found by `npm run chaos` (the Redis cut under load, two instances): a write
// made on A while Redis was gone was served stale by B once Redis was back,
// until A's client reconnected too and delivered its outbox. B cannot see A's
// outbox, so after its own reconnect it reads nothing from Redis for
// CACHE_RECONNECT_SETTLE_MS, and A delivers its outbox as soon as it is back,
// without waiting for a read. Both reconnect at different times here, as
// ioredis's backoff makes them do.

const SETTLE_MS = 1_500;
let world: TestWorld;
let a: CuttableInstance;
let b: CuttableInstance;
beforeAll(async () => {
  world = await createTestWorld();
  const env = { CACHE_RECONNECT_SETTLE_MS: String(SETTLE_MS) };
  a = await startCuttableInstance(world, env);
  b = await startCuttableInstance(world, env);
});
afterAll(async () => {
  await world.close();
  await a.close();
  await b.close();
});

describe('after a Redis outage', () => {
  it('serves no instance a value another instance overwrote while Redis was gone, however their reconnects interleave', async () => {
    const { token } = await makeSignedInUser(world.prisma, { name: 'Before the cut' });
    const name = async (which: CuttableInstance) => (await which.instance.gql(ViewerDocument, { token })).data?.viewer?.name;
    expect(await name(b)).toBe('Before the cut');
    expect(await name(b)).toBe('Before the cut');

    a.proxy.cut();
    b.proxy.cut();
    const write = await a.instance.gql(UpdateProfileDocument, {
      token,
      variables: { input: { name: 'Written during the cut' } },
    });
    expect(write.errors).toBeUndefined();
    expect(a.instance.store.pendingInvalidations).toBeGreaterThan(0);

    // B is back first; A's invalidation still waits in A's outbox, and Redis still holds the old answer.
    await b.reconnect();
    expect(await name(b)).toBe('Written during the cut');

    // A comes back and delivers without being asked anything.
    await a.reconnect();
    await expect.poll(() => a.instance.store.outbox.size, { timeout: 5_000, interval: 50 }).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    expect(await name(b)).toBe('Written during the cut');
    // And once settled, B uses Redis again.
    expect(b.instance.store.pendingInvalidations).toBe(0);
    await name(b);
    const again = await b.instance.gql(ViewerDocument, { token });
    expect(again.data?.viewer?.name).toBe('Written during the cut');
    expect(again.headers.get('x-cache')).toBe('HIT');
  });
});
