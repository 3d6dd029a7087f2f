import { afterEach, describe, expect, it } from 'vitest';
import { ResponseCache } from '../../src/cache/response-cache.ts';
import { loadEnv } from '../../src/env.ts';
import { createLogger } from '../../src/logger.ts';
import { type RequestScope, requestScope } from '../../src/request-scope.ts';
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

let requests = 0;
/** Runs `work` as one request does: inside a request scope of its own. */
const as = <T>(scope: RequestScope, work: () => Promise<T>) => requestScope.run(scope, work);
const newRequest = (): RequestScope => ({ id: `r${++requests}`, operation: null, cacheable: true, servedHot: false });

const KEY = 'org-page-of-alice';
const FLAG = [{ typename: 'Organization', id: 'org-1' }];
const answer = (enabled: boolean) => ({ data: { organization: { flag: enabled } } });

describe('pending lookups are per request', () => {
  it("stores a request's answer against its own lookup: one begun before a write is refused after it", async () => {
    inner = memoryStore();
    const cache = new ResponseCache(new SafeStore(inner, logger), 600);
    const [a, b, c] = [newRequest(), newRequest(), newRequest()];

    expect(await as(a, () => cache.get(KEY))).toBeNull();
    expect(await as(c, () => cache.get(KEY))).toBeNull();
    await as(c, () => cache.set(KEY, answer(false), FLAG, 60_000));
    await cache.invalidateTags(FLAG);
    expect(await as(b, () => cache.get(KEY))).toBeNull();

    // A read the old value before the write; its store must be refused.
    await as(a, () => cache.set(KEY, answer(false), FLAG, 60_000));
    expect(await cache.get(KEY)).toBeNull();

    // B executed after the write: its answer is stored.
    await as(b, () => cache.set(KEY, answer(true), FLAG, 60_000));
    expect(await cache.get(KEY)).toEqual(answer(true));
    expect(cache.stats).toMatchObject({ stored: 2, refused: 1 });
  });
});
