import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EntityCache } from '../../src/cache/entity-cache.ts';
import { keys } from '../../src/cache/keys.ts';
import { globalId } from '../../src/schema/global-id.ts';
import { PageLoadDocument, SetFeatureFlagDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOrg, makeSignedInUser } from '../helpers/fixtures.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld();
});
afterAll(() => world.close());

async function flaggedOrg() {
  const owner = await makeSignedInUser(world.prisma);
  const reader = await makeSignedInUser(world.prisma);
  const org = await makeOrg(
    world.prisma,
    [
      { user: owner.user, role: 'OWNER' },
      { user: reader.user, role: 'MEMBER' },
    ],
    { flags: { beta: true } },
  );
  const flip = (enabled: boolean) =>
    world.server.gql(SetFeatureFlagDocument, {
      token: owner.token,
      variables: { input: { organizationId: globalId('Organization', org.id), key: 'beta', enabled } },
    });
  return { owner, reader, org, flip };
}

/**
 * Holds an instance's execution right after its entity cache answered a batch
 * of the given kind: the execution has read its data and has not finished.
 */
function pauseAfterLoad(instance: TestInstance, isTarget: (key: string) => boolean) {
  const cache: EntityCache = instance.cache;
  const original = cache.loadMany.bind(cache);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reached!: () => void;
  const paused = new Promise<void>((resolve) => (reached = resolve));
  cache.loadMany = async (kind, keys) => {
    const rows = await original(kind, keys);
    if (keys.some((k) => typeof k === 'string' && isTarget(kind.key(k)))) {
      reached();
      await released;
    }
    return rows;
  };
  return { paused, release, restore: () => (cache.loadMany = original) };
}

const flagsOf = (res: Awaited<ReturnType<TestInstance['gql']>>) => JSON.stringify(res.data);

describe('no stale write-back', () => {
  it('a query that read before a write, and finishes after its invalidation, does not store its result', async () => {
    const { reader, org, flip } = await flaggedOrg();
    const other = await world.startInstance();
    const gate = pauseAfterLoad(other, (key) => key === keys.organizationFlags(org.id));
    const slow = other.gql(PageLoadDocument, { token: reader.token });
    await gate.paused;
    // The write lands and invalidates while the query holds the old flags.
    await flip(false);
    gate.release();
    const stale = await slow;
    gate.restore();
    expect(flagsOf(stale)).toContain('"enabled":true');
    // envelop stores without awaiting; give the refused store its round trip.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(other.responseCache?.stats.refused).toBe(1);
    expect(other.responseCache?.stats.stored).toBe(0);
    // Nobody is served the old flags afterwards.
    for (const instance of [other, world.server]) {
      const next = await instance.gql(PageLoadDocument, { token: reader.token });
      expect(flagsOf(next)).toContain('"enabled":false');
    }
  });

  it('without a write in between, the same paused query is stored (the test above can fail)', async () => {
    const { reader, org } = await flaggedOrg();
    const other = await world.startInstance();
    const gate = pauseAfterLoad(other, (key) => key === keys.organizationFlags(org.id));
    const slow = other.gql(PageLoadDocument, { token: reader.token });
    await gate.paused;
    gate.release();
    await slow;
    gate.restore();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await world.server.gql(PageLoadDocument, { token: reader.token })).headers.get('x-cache')).toBe('HIT');
  });
});

describe('Redis stopped mid-test', () => {
  let proxy: TcpProxy;
  let cut: TestInstance;
  beforeAll(async () => {
    const upstream = new URL(TEST_REDIS_URL);
    proxy = await startTcpProxy(upstream.hostname, Number(upstream.port || 6379));
    cut = await world.startInstance({ redisUrl: `redis://127.0.0.1:${proxy.port}` });
  });
  afterAll(() => proxy.close());

  it('serves misses without failing, and nothing stale once Redis is back', async () => {
    const { reader, flip } = await flaggedOrg();
    await cut.gql(PageLoadDocument, { token: reader.token });
    expect((await cut.gql(PageLoadDocument, { token: reader.token })).headers.get('x-cache')).toBe('HIT');
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      proxy.cut();
      const during = await cut.gql(PageLoadDocument, { token: reader.token });
      expect(during.errors).toBeUndefined();
      expect(during.headers.get('x-cache')).toBe('MISS');
      expect(flagsOf(during)).toContain('"enabled":true');
      // A write through the cut instance: its invalidations are kept and retried.
      const write = await cut.gql(SetFeatureFlagDocument, {
        token: (await makeSignedInUser(world.prisma)).token,
        variables: { input: { organizationId: 'T3JnYW5pemF0aW9uOng=', key: 'beta', enabled: false } },
      });
      expect(write.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
      await flip(false);
      proxy.restore();
      for (let i = 0; i < 100 && cut.redis?.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 50));
      const after = await cut.gql(PageLoadDocument, { token: reader.token });
      expect(flagsOf(after)).toContain('"enabled":false');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      proxy.restore();
    }
  });
});
