import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/cache/keys.ts';
import { parseClusterNodes } from '../../src/env.ts';
import { globalId } from '../../src/schema/global-id.ts';
import { slotOf } from '../../src/store/slots.ts';
import { PageLoadDocument, SetFeatureFlagDocument } from '../generated/graphql.ts';
import { createTestWorld, type TestInstance, type TestWorld } from '../helpers/app.ts';
import { makeOwnerAndMember } from '../helpers/fixtures.ts';
import { masterOfSlot, type RedisCluster, startRedisCluster, waitClusterOk } from '../../bench/redis-cluster.ts';
import { aliasedLogIns, codes, send } from '../rate-limit/helpers.ts';

/**
 * A master of the cluster dies under a read load on two instances; once its
 * replica has taken over, a write lands. Reads must keep answering (a store
 * failure is a miss, served from Postgres), no read sent after the write was
 * acknowledged may show the old value, and a fail-closed limit must never let
 * more through than its size. The file runs on a cluster of its own, since
 * it kills one of its nodes.
 */

/** Small, so a few log-in attempts (each a slow password check) cross it before, during and after the failover. */
const AUTH_LIMIT = 3;
const SETTLE_MS = 1_000;
let cluster: RedisCluster;
let world: TestWorld;

beforeAll(async () => {
  cluster = await startRedisCluster(7200);
  world = await createTestWorld({
    clusterNodes: parseClusterNodes(cluster.seeds),
    // A short settle: reads bypass the store for a second after the cluster is whole again, then use it again.
    env: { RATE_LIMIT_AUTH_PER_IP: `${AUTH_LIMIT}/60s`, CACHE_RECONNECT_SETTLE_MS: String(SETTLE_MS) },
  });
});
afterAll(async () => {
  await world?.close();
  await cluster?.stop();
});

interface Read {
  sentAt: number;
  status: number;
  errors: unknown;
  beta: boolean | undefined;
  hit: boolean;
}

/** Polls `check` every 50 ms until it holds; fails after `withinMs`. */
async function waitFor(what: string, check: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads PageLoad in `loops` sequential loops until `until()` holds, alternating the instances; answers land in `reads`. */
async function readLoad(
  instances: TestInstance[],
  token: string,
  loops: number,
  until: () => boolean,
  reads: Read[],
): Promise<void> {
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let i = loop; !until(); i += 1) {
        const instance = instances[i % instances.length] as TestInstance;
        const sentAt = performance.now();
        const answer = await instance.gql(PageLoadDocument, { token });
        const flags = JSON.stringify(answer.data ?? null);
        reads.push({
          sentAt,
          status: answer.status,
          errors: answer.errors,
          hit: answer.headers.get('x-cache') === 'HIT',
          beta: flags.includes('"key":"beta","enabled":true')
            ? true
            : flags.includes('"key":"beta","enabled":false')
              ? false
              : undefined,
        });
      }
    }),
  );
}

describe('failover of a master under load', () => {
  it('reads keep answering, the instance settles once the cluster serves again, no read after the write shows the old value, and the limiter stays within its limit', async () => {
    const { owner, reader, org } = await makeOwnerAndMember(world.prisma);
    const other = await world.startInstance();
    const instances = [world.server, other];
    // The loss of a node, once the cluster serves again, is what makes an instance settle (store/cluster-loss.ts).
    let reconnects = 0;
    world.server.store.inner.onReconnect(() => {
      reconnects += 1;
    });
    // Warm both tiers, and check the probe reads what it should.
    for (const instance of instances)
      expect(JSON.stringify((await instance.gql(PageLoadDocument, { token: reader.token })).data)).toContain(
        '"key":"beta","enabled":true',
      );
    // The master of the reader's slot: its session, budget and cached answers all live there.
    const slot = slotOf(world.keyPrefix + keys.viewerBudget('x', reader.user.id));
    const victim = await masterOfSlot(cluster.ports, slot);
    const alive = cluster.ports.filter((port) => port !== victim);

    let done = false;
    let ackAt = Number.POSITIVE_INFINITY;
    const reads: Read[] = [];
    const load = readLoad(instances, reader.token, 3, () => done, reads);
    // Log-in attempts from one IP throughout: that limit fails closed, so it may refuse more, never allow more.
    const attempts: string[] = [];
    const probing = (async () => {
      for (let i = 0; !done; i += 1) {
        const answer = await send(instances[i % 2] as TestInstance, aliasedLogIns(1, `failover-${i}`), { ip: '198.51.100.77' });
        attempts.push(String(codes(answer)[0]));
      }
    })();
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(reconnects).toBe(0);
      await cluster.kill(victim);
      // Taken over: a live node names another master for the slot (the others first need the node timeout to notice).
      // Between the two, no live node names a master for it: not yet.
      const promoted = () =>
        masterOfSlot(alive, slot).then(
          (port) => port !== victim,
          () => false,
        );
      await waitFor('replica promoted', promoted, 20_000);
      await waitClusterOk(alive);
      const write = await world.server.gql(SetFeatureFlagDocument, {
        token: owner.token,
        variables: { input: { organizationId: globalId('Organization', org.id), key: 'beta', enabled: false } },
      });
      ackAt = performance.now();
      expect(write.errors).toBeUndefined();
      expect(write.data?.setFeatureFlag.enabled).toBe(false);
      // Reads go on past the settle, until the cache serves again: a stale answer left in it would show then.
      await waitFor(
        'cache hits after the write',
        () => reads.filter((r) => r.sentAt > ackAt + SETTLE_MS && r.hit).length >= 10,
        20_000,
      );
    } finally {
      // Whatever failed, the load ends before the world closes under it.
      done = true;
      await Promise.allSettled([load, probing]);
    }
    await load;
    await probing;

    expect(reconnects).toBeGreaterThan(0);
    expect(reads.length).toBeGreaterThan(20);
    expect(reads.filter((r) => r.status !== 200 || r.errors !== undefined)).toEqual([]);
    expect(reads.filter((r) => r.beta === undefined)).toEqual([]);
    const after = reads.filter((r) => r.sentAt > ackAt);
    expect(after.filter((r) => r.hit).length).toBeGreaterThanOrEqual(10);
    expect(after.filter((r) => r.beta !== false)).toEqual([]);
    // A wrong password answers UNAUTHENTICATED when the limit let the attempt through, RATE_LIMITED when not.
    expect(attempts.length).toBeGreaterThan(AUTH_LIMIT + 2);
    expect(attempts.filter((code) => code === 'UNAUTHENTICATED').length).toBeLessThanOrEqual(AUTH_LIMIT);
    expect(attempts.filter((code) => code !== 'UNAUTHENTICATED' && code !== 'RATE_LIMITED')).toEqual([]);
  });
});
