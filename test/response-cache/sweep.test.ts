import { afterEach, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/response-cache.ts';
import { loadEnv } from '../../src/env.ts';
import { createLogger } from '../../src/logger.ts';
import { SafeStore } from '../../src/store/fail-soft.ts';
import { memoryStore, type Store } from '../../src/store/index.ts';

// The pending map of executions in flight, and its sweep: an execution older than
// the age limit (60 s) is forgotten once the map is large (1,000 entries), and its
// result is then refused. Time is an injected clock: nothing waits a minute.

const logger = createLogger(loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
const AGE_LIMIT_MS = 60_000;
const SWEEP_AT = 1_000;

let inner: Store | undefined;
afterEach(async () => {
  await inner?.close();
  inner = undefined;
});

function cacheWithClock() {
  const clock = { now: 5_000_000 };
  inner = memoryStore();
  const cache = new ResponseCache(new SafeStore(inner, logger), 600, { now: () => clock.now });
  return { clock, cache };
}

/** Begins `n` executions (a miss each), as envelop does before executing. */
async function beginMany(cache: ResponseCache, prefix: string, n: number) {
  for (let i = 0; i < n; i++) expect(await cache.get(`${prefix}${i}`)).toBeNull();
}

const result = (label: string) => ({ data: { label } });

describe('the pending-entry age limit', () => {
  it('drops executions older than the limit at the next sweep, so their results are refused; a young one still stores', async () => {
    const { clock, cache } = cacheWithClock();
    await beginMany(cache, 'old-', SWEEP_AT);
    expect(cache.pendingCount).toBe(SWEEP_AT);

    clock.now += AGE_LIMIT_MS + 1;
    // The next miss sweeps: every entry past the limit goes, the new one stays.
    expect(await cache.get('young')).toBeNull();
    expect(cache.pendingCount).toBe(1);

    await cache.set('old-0', result('old'), [{ typename: 'User', id: 'u1' }], 60_000);
    await cache.set('young', result('young'), [{ typename: 'User', id: 'u1' }], 60_000);
    expect(cache.stats).toMatchObject({ stored: 1, refused: 1 });
    expect(await cache.get('old-0')).toBeNull();
    expect(await cache.get('young')).toEqual(result('young'));
  });

  it('keeps executions younger than the limit through a sweep (the age is what drops them)', async () => {
    const { clock, cache } = cacheWithClock();
    await beginMany(cache, 'recent-', SWEEP_AT);
    clock.now += AGE_LIMIT_MS - 1;
    expect(await cache.get('another')).toBeNull();
    expect(cache.pendingCount).toBe(SWEEP_AT + 1);

    await cache.set('recent-0', result('recent'), [{ typename: 'User', id: 'u2' }], 60_000);
    expect(cache.stats).toMatchObject({ stored: 1, refused: 0 });
    expect(await cache.get('recent-0')).toEqual(result('recent'));
  });

  it('sweeps from expect() too: entries noted before execution age out the same way', async () => {
    const { clock, cache } = cacheWithClock();
    for (let i = 0; i < SWEEP_AT; i++) cache.expect(`noted-${i}`, []);
    clock.now += AGE_LIMIT_MS + 1;
    cache.expect('fresh', []);
    expect(cache.pendingCount).toBe(1);
  });

  it('stays bounded: with the clock moving on, the map never holds more than the sweep size plus the young entries', async () => {
    const { clock, cache } = cacheWithClock();
    // Executions that never finish (their set() never comes): only the sweep frees them.
    for (let round = 0; round < 3; round++) {
      await beginMany(cache, `leak-${round}-`, SWEEP_AT);
      clock.now += AGE_LIMIT_MS + 1;
    }
    expect(await cache.get('last')).toBeNull();
    expect(cache.pendingCount).toBe(1);
  });
});
