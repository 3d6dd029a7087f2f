import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { postTo, startBareRedis } from '../helpers/bare-redis.ts';
import { masterAddress, slotOf } from '../../src/store/slots.ts';

// The bench's hit ceiling on a cluster (`--redis=both`): its cluster/single
// ratio bounds the many viewers' hits only if its reads spread over the
// masters as theirs do.
describe('the bare + 1 Redis GET ceiling on a Redis Cluster', () => {
  const prefix = `bench:test-bare-redis-${randomBytes(4).toString('hex')}:`;
  const seeds = inject('redisCluster');
  const cluster = new Cluster(seeds.split(',').map((seed) => ({ host: '127.0.0.1', port: Number(seed.split(':')[1]) })));
  const answer = Buffer.from('{"data":{"viewer":{"name":"Alice"}}}');
  let ceiling: Awaited<ReturnType<typeof startBareRedis>>;

  beforeAll(async () => {
    ceiling = await startBareRedis(answer, { REDIS_CLUSTER_NODES: seeds, REDIS_KEY_PREFIX: prefix });
  });

  afterAll(async () => {
    await ceiling?.stop();
    await Promise.all(Array.from({ length: 500 }, (_, i) => cluster.del(`${prefix}{v:${i}}:answer`)));
    cluster.disconnect();
  });

  it('answers the stored bytes, its 500 keys spread over every master', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await postTo(ceiling.server);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).equals(answer)).toBe(true);
    }
    const stored = Array.from({ length: 500 }, (_, i) => `${prefix}{v:${i}}:answer`);
    const found = await Promise.all(stored.map((key) => cluster.exists(key)));
    expect(found.filter((n) => n === 1)).toHaveLength(500);
    const masters = new Set(stored.map((key) => masterAddress(cluster, slotOf(key))));
    expect(masters.size).toBe(3);
  });
});
