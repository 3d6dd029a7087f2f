import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/cache/keys.ts';
import { createLogger } from '../../src/logger.ts';
import { clusterStore, redisStore, type Store } from '../../src/store/index.ts';
import { createClusterClient, createRedisClient } from '../../src/store/redis-client.ts';
import { unique } from '../helpers/fixtures.ts';
import { recordCalls } from '../helpers/redis-calls.ts';
import { TEST_REDIS_URL, testClusterNodes } from '../helpers/services.ts';

/**
 * A tag indexing thousands of answers (an organization every member's page
 * shows) is invalidated in bounded steps, so hits of other viewers never wait
 * behind one long call, and yet every answer is gone when invalidate()
 * resolves (the write answers only then). Counted from the calls Redis ran.
 */

const ANSWERS = 2_000;
/** The bound the issue sets on one call's work (the stores' CHUNK), fixed here so a larger CHUNK fails. */
const MAX_KEYS_PER_CALL = 500;
const VIEWERS = 40;
const logger = createLogger({ LOG_LEVEL: 'warn', NODE_ENV: 'test' }, false);
const prefix = `test:inv-scale:${randomBytes(6).toString('hex')}:`;
let client: Redis | Cluster;
let store: Store;

beforeAll(async () => {
  const nodes = testClusterNodes();
  if (nodes) {
    const cluster = await createClusterClient({ nodes, keyPrefix: prefix, logger, commandTimeoutMs: 5_000 });
    client = cluster;
    store = clusterStore(cluster, { clockSkewMs: 0 });
  } else {
    const redis = await createRedisClient({ url: TEST_REDIS_URL, keyPrefix: prefix, logger, commandTimeoutMs: 5_000 });
    client = redis;
    store = redisStore(redis);
  }
});
afterAll(async () => {
  await store?.close();
});

const seqKey = keys.responseSequence();
const isAnswer = (arg: string) => arg.startsWith(prefix) && arg.includes(':rc:');

/** Stores `n` answers under `tag` as the response cache does: a miss gives the start, the store indexes under the tag. */
async function storeAnswers(tag: ReturnType<typeof keys.responseTag>, n: number): Promise<string[]> {
  // Most in one viewer's slot, so a cluster too must split that slot's deletions; the rest spread out.
  const viewers = Array.from({ length: VIEWERS }, () => unique('viewer'));
  const heavy = unique('viewer');
  const answers = Array.from({ length: n }, (_, i) =>
    keys.response(unique('op'), i < (n * 3) / 4 ? heavy : (viewers[i % VIEWERS] as string)),
  );
  for (let i = 0; i < answers.length; i += 200) {
    const stored = await Promise.all(
      answers.slice(i, i + 200).map(async (key) => {
        const miss = await store.responses.get(key, seqKey);
        if (!('seq' in miss)) throw new Error(`expected a miss of ${key}`);
        return store.responses.set({ key, value: `{"data":{"k":"${key}"}}`, ttlSeconds: 60, tags: [tag], startSeq: miss.seq });
      }),
    );
    expect(stored.every(Boolean)).toBe(true);
  }
  return answers;
}

async function remaining(answers: readonly string[]): Promise<number> {
  const found = await Promise.all(answers.map((key) => client.exists(key)));
  return found.reduce((sum, n) => sum + n, 0);
}

describe('invalidating a tag that indexes thousands of answers', () => {
  it(`deletes all ${ANSWERS} before it resolves, in ${ANSWERS / MAX_KEYS_PER_CALL} or more calls of at most ${MAX_KEYS_PER_CALL} keys each`, async () => {
    const tag = keys.responseTag('Organization', unique('org'));
    const answers = await storeAnswers(tag, ANSWERS);
    expect(await remaining(answers)).toBe(ANSWERS);

    const { result, calls } = await recordCalls(client, () => store.responses.invalidate([tag], seqKey, 60));

    expect(result).toBe(ANSWERS);
    expect(await remaining(answers)).toBe(0);
    // Per call Redis ran, the answers it deleted (UNLINK or DEL, directly or inside a script).
    const deleting = calls
      .map((call) =>
        call.commands
          .filter(([name]) => name === 'unlink' || name === 'del')
          .reduce((sum, command) => sum + command.slice(1).filter(isAnswer).length, 0),
      )
      .filter((n) => n > 0);
    expect(deleting.reduce((sum, n) => sum + n, 0)).toBe(ANSWERS);
    expect(deleting.length).toBeGreaterThanOrEqual(ANSWERS / MAX_KEYS_PER_CALL);
    expect(Math.max(...deleting)).toBeLessThanOrEqual(MAX_KEYS_PER_CALL);
  });

  it('then refuses an execution that began before it, and stores under the tag again for one that began after', async () => {
    const tag = keys.responseTag('Organization', unique('org'));
    const answers = await storeAnswers(tag, 2 * MAX_KEYS_PER_CALL);
    const early = keys.response(unique('op'), unique('viewer'));
    const before = await store.responses.get(early, seqKey);
    if (!('seq' in before)) throw new Error('expected a miss');
    await store.responses.invalidate([tag], seqKey, 60);
    expect(await remaining(answers)).toBe(0);
    expect(await store.responses.set({ key: early, value: '{}', ttlSeconds: 60, tags: [tag], startSeq: before.seq })).toBe(false);
    const late = keys.response(unique('op'), unique('viewer'));
    const after = await store.responses.get(late, seqKey);
    if (!('seq' in after)) throw new Error('expected a miss');
    expect(await store.responses.set({ key: late, value: '{}', ttlSeconds: 60, tags: [tag], startSeq: after.seq })).toBe(true);
    expect(await store.responses.invalidate([tag], seqKey, 60)).toBe(1);
  });
});
