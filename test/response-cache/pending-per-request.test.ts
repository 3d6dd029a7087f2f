import { afterEach, describe, expect, it } from 'vitest';
import { executionKey, ResponseCache } from '../../src/cache/response-cache.ts';
import { loadEnv } from '../../src/env.ts';
import { createLogger } from '../../src/logger.ts';
import { SafeStore } from '../../src/store/fail-soft.ts';
import { memoryStore, type Store } from '../../src/store/index.ts';

// Found by `npm run chaos` (org pages showing a flag's old value for seconds
// after its write was acknowledged, under load): three requests for one key,
// interleaved as under load. A began before a write; C, identical, stored its
// answer (before the write: fine); the write invalidated it; B looked up after
// the write. A's store must be judged by A's own lookup, not by B's, or A's
// pre-write answer is stored as fresh and served until the next write.

const logger = createLogger(loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
let inner: Store | undefined;
afterEach(async () => {
  await inner?.close();
  inner = undefined;
});

const KEY = 'org-page-of-alice';
const FLAG = [{ typename: 'Organization', id: 'org-1' }];
const answer = (enabled: boolean) => ({ data: { organization: { flag: enabled } } });

describe('pending lookups are per request (per execution key)', () => {
  it("stores a request's answer against its own lookup: one begun before a write is refused after it", async () => {
    inner = memoryStore();
    const cache = new ResponseCache(new SafeStore(inner, logger), 600);
    // Each request passes the cache its own key for the same stored answer, as the plugin does.
    const [a, b, c] = [executionKey(KEY), executionKey(KEY), executionKey(KEY)];

    expect(await cache.get(a)).toBeNull();
    expect(await cache.get(c)).toBeNull();
    await cache.set(c, answer(false), FLAG, 60_000);
    await cache.invalidateTags(FLAG);
    expect(await cache.get(b)).toBeNull();

    // A read the old value before the write; its store must be refused.
    await cache.set(a, answer(false), FLAG, 60_000);
    expect(await cache.get(executionKey(KEY))).toBeNull();

    // B executed after the write: its answer is stored.
    await cache.set(b, answer(true), FLAG, 60_000);
    expect(await cache.get(executionKey(KEY))).toEqual(answer(true));
    expect(cache.stats).toMatchObject({ stored: 2, refused: 1 });
  });
});
