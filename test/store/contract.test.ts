import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import type { HotLookup, HotResult, Store, WindowResult } from '../../src/store/index.ts';
import { memoryStore, redisStore } from '../../src/store/index.ts';
import { createRedisClient } from '../../src/store/redis-client.ts';
import type { TagKeys } from '../../src/store/response-store.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

/**
 * One contract, two stores: every case runs against the memory store and
 * against a real Redis (its own key prefix), so the two versions cannot drift.
 * Time is waited on only where it must pass (expiry), by polling with a bound;
 * lower bounds on elapsed time are safe on a loaded machine (load only delays).
 */

const logger = createLogger({ LOG_LEVEL: 'warn', NODE_ENV: 'test' }, false);
const prefix = `test:contract:${randomBytes(6).toString('hex')}:`;

/** Clock slack between Node's Date.now() and Redis's TIME / PX (same host; ms truncation). */
const CLOCK_SLACK_MS = 50;

type Factory = () => Promise<Store>;

const factories: [string, Factory][] = [
  ['memory', async () => memoryStore()],
  [
    'redis',
    async () => redisStore(await createRedisClient({ url: TEST_REDIS_URL, keyPrefix: prefix, logger, commandTimeoutMs: 2_000 })),
  ],
];

let unique = 0;
/** A fresh key per use, so cases never share state. */
const fresh = (name: string) => {
  unique += 1;
  return `${name}:${unique}:${randomBytes(3).toString('hex')}`;
};

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until `done` holds on its answer, at most `withinMs`; answers
 * the last value and when the probe that satisfied `done` returned. Fails the
 * case if the bound passes first.
 */
async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  withinMs: number,
  everyMs = 25,
): Promise<{ value: T; at: number; tries: T[] }> {
  const deadline = Date.now() + withinMs;
  const tries: T[] = [];
  for (;;) {
    const value = await probe();
    const at = Date.now();
    tries.push(value);
    if (done(value)) return { value, at, tries };
    if (at > deadline) throw new Error(`condition not reached within ${withinMs} ms; last: ${JSON.stringify(value)}`);
    await pause(everyMs);
  }
}

const tag = (name: string): TagKeys => ({ set: `${name}:set`, seq: `${name}:seq` });

describe.each(factories)('store contract: %s', (kind, factory) => {
  let store: Store;

  beforeAll(async () => {
    store = await factory();
    await store.ping();
  });

  afterAll(async () => {
    await store?.close();
  });

  /** Runs `work` and answers its result and the round trips it made. */
  async function trips<T>(work: () => Promise<T>): Promise<{ result: T; trips: number }> {
    const before = store.roundTrips;
    const result = await work();
    return { result, trips: store.roundTrips - before };
  }

  it('builds the kind it was asked for', () => {
    expect(store.kind).toBe(kind);
  });

  describe('leases', () => {
    it('a miss takes a lease; a second reader sees it held with the first token', async () => {
      const key = fresh('lease');
      expect(await store.leases.readThrough([key], 'tok-a', 30_000)).toEqual([{ kind: 'leased' }]);
      expect(await store.leases.readThrough([key], 'tok-b', 30_000)).toEqual([{ kind: 'held', token: 'tok-a' }]);
      // Still a miss to plain readers.
      expect(await store.leases.mget([key])).toEqual([null]);
    });

    it("answers 'same' for a key holding the version the reader names, and the value for any other", async () => {
      const [kept, changed, bare, missing] = [fresh('ver'), fresh('ver'), fresh('ver'), fresh('ver')];
      for (const key of [kept, changed, bare]) await store.leases.readThrough([key], 'tok-a', 30_000);
      expect(
        await store.leases.fill(
          [
            { key: kept, value: 'tok-a\n{"n":1}', ttlSeconds: 60 },
            { key: changed, value: 'tok-a\n{"n":2}', ttlSeconds: 60 },
            { key: bare, value: '{"n":3}', ttlSeconds: 60 },
          ],
          'tok-a',
        ),
      ).toBe(3);
      // kept: named right; changed: a version the key only begins with; bare: no version line; missing: no value.
      expect(
        await store.leases.readThrough([kept, changed, bare, missing], 'tok-b', 30_000, ['tok-a', 'tok-', '{"n"', 'tok-a']),
      ).toEqual([
        { kind: 'same' },
        { kind: 'hit', value: 'tok-a\n{"n":2}' },
        { kind: 'hit', value: '{"n":3}' },
        { kind: 'leased' },
      ]);
      // Fewer versions than keys, or none: the rest are named by none.
      expect(await store.leases.readThrough([kept, changed], 'tok-c', 30_000, ['tok-a'])).toEqual([
        { kind: 'same' },
        { kind: 'hit', value: 'tok-a\n{"n":2}' },
      ]);
      expect(await store.leases.readThrough([kept], 'tok-c', 30_000)).toEqual([{ kind: 'hit', value: 'tok-a\n{"n":1}' }]);
    });

    it('a fill with the right token lands and releases the lease; the value is then a hit', async () => {
      const key = fresh('lease');
      await store.leases.readThrough([key], 'tok-a', 30_000);
      expect(await store.leases.fill([{ key, value: 'v1', ttlSeconds: 60 }], 'tok-a')).toBe(1);
      expect(await store.leases.readThrough([key], 'tok-b', 30_000)).toEqual([{ kind: 'hit', value: 'v1' }]);
      expect(await store.leases.mget([key])).toEqual(['v1']);
      // The lease was released with the fill: the same token cannot fill twice.
      expect(await store.leases.fill([{ key, value: 'v1-again', ttlSeconds: 60 }], 'tok-a')).toBe(0);
      expect(await store.leases.mget([key])).toEqual(['v1']);
      // The lease is gone: the holder cannot fill again after an invalidation...
      await store.leases.invalidate([key]);
      expect(await store.leases.fill([{ key, value: 'v2', ttlSeconds: 60 }], 'tok-a')).toBe(0);
      // ...and the next reader takes a fresh lease rather than seeing the old one held.
      expect(await store.leases.readThrough([key], 'tok-c', 30_000)).toEqual([{ kind: 'leased' }]);
    });

    it('a fill with a wrong token does not land (0) and leaves the lease to its holder', async () => {
      const key = fresh('lease');
      await store.leases.readThrough([key], 'tok-a', 30_000);
      expect(await store.leases.fill([{ key, value: 'stale', ttlSeconds: 60 }], 'tok-b')).toBe(0);
      expect(await store.leases.mget([key])).toEqual([null]);
      expect(await store.leases.readThrough([key], 'tok-c', 30_000)).toEqual([{ kind: 'held', token: 'tok-a' }]);
      expect(await store.leases.fill([{ key, value: 'fresh', ttlSeconds: 60 }], 'tok-a')).toBe(1);
      expect(await store.leases.mget([key])).toEqual(['fresh']);
    });

    it('a fill without any lease does not land', async () => {
      const key = fresh('lease');
      expect(await store.leases.fill([{ key, value: 'v', ttlSeconds: 60 }], 'tok-a')).toBe(0);
      expect(await store.leases.mget([key])).toEqual([null]);
    });

    it('batches answer per key, in key order, and fill counts only the entries whose lease is theirs', async () => {
      const [hit, mine, theirs] = [fresh('lease'), fresh('lease'), fresh('lease')];
      await store.leases.readThrough([hit], 'tok-x', 30_000);
      await store.leases.fill([{ key: hit, value: 'h', ttlSeconds: 60 }], 'tok-x');
      await store.leases.readThrough([theirs], 'tok-other', 30_000);
      expect(await store.leases.readThrough([hit, mine, theirs], 'tok-a', 30_000)).toEqual([
        { kind: 'hit', value: 'h' },
        { kind: 'leased' },
        { kind: 'held', token: 'tok-other' },
      ]);
      expect(
        await store.leases.fill(
          [
            { key: mine, value: 'm', ttlSeconds: 60 },
            { key: theirs, value: 't', ttlSeconds: 60 },
          ],
          'tok-a',
        ),
      ).toBe(1);
      expect(await store.leases.mget([hit, mine, theirs])).toEqual(['h', 'm', null]);
    });

    it('invalidate deletes value and lease, so an in-flight fill with the old token is refused', async () => {
      const [filled, inFlight] = [fresh('lease'), fresh('lease')];
      await store.leases.readThrough([filled], 'tok-a', 30_000);
      await store.leases.fill([{ key: filled, value: 'old', ttlSeconds: 60 }], 'tok-a');
      await store.leases.readThrough([inFlight], 'tok-b', 30_000);
      await store.leases.invalidate([filled, inFlight]);
      expect(await store.leases.mget([filled, inFlight])).toEqual([null, null]);
      expect(await store.leases.fill([{ key: inFlight, value: 'loaded-before-write', ttlSeconds: 60 }], 'tok-b')).toBe(0);
      expect(await store.leases.mget([inFlight])).toEqual([null]);
    });

    it('mget answers null for missing keys, in key order', async () => {
      const [present, missing] = [fresh('lease'), fresh('lease')];
      await store.leases.readThrough([present], 'tok-a', 30_000);
      await store.leases.fill([{ key: present, value: 'p', ttlSeconds: 60 }], 'tok-a');
      expect(await store.leases.mget([missing, present, missing])).toEqual([null, 'p', null]);
    });

    it('empty inputs make no round trip', async () => {
      expect(await trips(() => store.leases.readThrough([], 'tok', 1_000))).toEqual({ result: [], trips: 0 });
      expect(await trips(() => store.leases.fill([], 'tok'))).toEqual({ result: 0, trips: 0 });
      expect(await trips(() => store.leases.mget([]))).toEqual({ result: [], trips: 0 });
      expect(await trips(() => store.leases.invalidate([]))).toEqual({ result: undefined, trips: 0 });
    });

    it('a lease expires after leaseMs: another reader then takes it, and the first holder can no longer fill', async () => {
      const key = fresh('lease');
      const leaseMs = 200;
      const started = Date.now();
      expect(await store.leases.readThrough([key], 'tok-a', leaseMs)).toEqual([{ kind: 'leased' }]);
      const { at, tries } = await pollUntil(
        async () => (await store.leases.readThrough([key], 'tok-b', 30_000))[0],
        (result) => result?.kind === 'leased',
        3_000,
      );
      // Until it expired, every reader saw tok-a's lease.
      for (const earlier of tries.slice(0, -1)) expect(earlier).toEqual({ kind: 'held', token: 'tok-a' });
      // It did not expire early (a lower bound: load only makes it later).
      expect(at - started).toBeGreaterThanOrEqual(leaseMs - CLOCK_SLACK_MS);
      expect(await store.leases.fill([{ key, value: 'late', ttlSeconds: 60 }], 'tok-a')).toBe(0);
      expect(await store.leases.fill([{ key, value: 'b', ttlSeconds: 60 }], 'tok-b')).toBe(1);
      expect(await store.leases.mget([key])).toEqual(['b']);
    });

    it('a filled value expires after its ttl (whole seconds)', async () => {
      const key = fresh('lease');
      await store.leases.readThrough([key], 'tok-a', 30_000);
      const started = Date.now();
      expect(await store.leases.fill([{ key, value: 'short', ttlSeconds: 0.3 }], 'tok-a')).toBe(1);
      expect(await store.leases.mget([key])).toEqual(['short']);
      const { at } = await pollUntil(
        async () => (await store.leases.mget([key]))[0],
        (value) => value === null,
        3_000,
      );
      // 0.3 s rounds up to 1 s in both stores.
      expect(at - started).toBeGreaterThanOrEqual(1_000 - CLOCK_SLACK_MS);
    });
  });

  describe('responses', () => {
    it('get on a miss answers the current sequence: 0 at first, then one more per invalidation', async () => {
      const seqKey = fresh('seq');
      const key = fresh('resp');
      expect(await store.responses.get(key, seqKey)).toEqual({ seq: 0 });
      await store.responses.invalidate([tag(fresh('tag'))], seqKey, 60);
      expect(await store.responses.get(key, seqKey)).toEqual({ seq: 1 });
      await store.responses.invalidate([tag(fresh('tag')), tag(fresh('tag'))], seqKey, 60);
      expect(await store.responses.get(key, seqKey)).toEqual({ seq: 2 });
    });

    it('set stores and get answers the exact value', async () => {
      const seqKey = fresh('seq');
      const key = fresh('resp');
      const value = JSON.stringify({ data: { viewer: { id: 'u1', name: 'Zoë ✓ "quoted" \\ back' } } });
      expect(await store.responses.set({ key, value, ttlSeconds: 60, tags: [tag(fresh('tag'))], startSeq: 0 })).toBe(true);
      expect(await store.responses.get(key, seqKey)).toEqual({ value });
    });

    it('set is refused when a tag was invalidated after startSeq', async () => {
      const seqKey = fresh('seq');
      const key = fresh('resp');
      const t = tag(fresh('tag'));
      const start = await store.responses.get(key, seqKey);
      expect(start).toEqual({ seq: 0 });
      await store.responses.invalidate([t], seqKey, 60);
      expect(await store.responses.set({ key, value: 'stale', ttlSeconds: 60, tags: [tag(fresh('tag')), t], startSeq: 0 })).toBe(
        false,
      );
      expect(await store.responses.get(key, seqKey)).toEqual({ seq: 1 });
    });

    it('set with a startSeq at or after the invalidation is accepted', async () => {
      const seqKey = fresh('seq');
      const t = tag(fresh('tag'));
      await store.responses.invalidate([t], seqKey, 60);
      const after = await store.responses.get(fresh('resp'), seqKey);
      expect(after).toEqual({ seq: 1 });
      const [k1, k2] = [fresh('resp'), fresh('resp')];
      expect(await store.responses.set({ key: k1, value: 'at', ttlSeconds: 60, tags: [t], startSeq: 1 })).toBe(true);
      expect(await store.responses.set({ key: k2, value: 'after', ttlSeconds: 60, tags: [t], startSeq: 5 })).toBe(true);
      expect(await store.responses.get(k1, seqKey)).toEqual({ value: 'at' });
      expect(await store.responses.get(k2, seqKey)).toEqual({ value: 'after' });
    });

    it('invalidate deletes every response stored under the tags and answers how many', async () => {
      const seqKey = fresh('seq');
      const [t1, t2, other] = [tag(fresh('tag')), tag(fresh('tag')), tag(fresh('tag'))];
      const [a, b, c, kept] = [fresh('resp'), fresh('resp'), fresh('resp'), fresh('resp')];
      for (const [key, tags] of [
        [a, [t1]],
        [b, [t1]],
        [c, [t2]],
        [kept, [other]],
      ] as const) {
        expect(await store.responses.set({ key, value: key, ttlSeconds: 60, tags, startSeq: 0 })).toBe(true);
      }
      expect(await store.responses.invalidate([t1, t2], seqKey, 60)).toBe(3);
      for (const key of [a, b, c]) expect(await store.responses.get(key, seqKey)).toEqual({ seq: 1 });
      expect(await store.responses.get(kept, seqKey)).toEqual({ value: kept });
      // A second invalidation finds nothing left to delete.
      expect(await store.responses.invalidate([t1, t2], seqKey, 60)).toBe(0);
    });

    it('a response stored under two tags is deleted by invalidating either', async () => {
      for (const which of [0, 1] as const) {
        const seqKey = fresh('seq');
        const tags = [tag(fresh('tag')), tag(fresh('tag'))];
        const key = fresh('resp');
        expect(await store.responses.set({ key, value: 'both', ttlSeconds: 60, tags, startSeq: 0 })).toBe(true);
        expect(await store.responses.invalidate([tags[which]!], seqKey, 60)).toBe(1);
        expect(await store.responses.get(key, seqKey)).toEqual({ seq: 1 });
      }
    });

    it('a value with ttlSeconds 1 is gone after a second', async () => {
      const seqKey = fresh('seq');
      const key = fresh('resp');
      const started = Date.now();
      expect(await store.responses.set({ key, value: 'one-second', ttlSeconds: 1, tags: [tag(fresh('tag'))], startSeq: 0 })).toBe(
        true,
      );
      expect(await store.responses.get(key, seqKey)).toEqual({ value: 'one-second' });
      const { at } = await pollUntil(
        () => store.responses.get(key, seqKey),
        (r) => 'seq' in r,
        3_000,
      );
      expect(at - started).toBeGreaterThanOrEqual(1_000 - CLOCK_SLACK_MS);
    });

    it('TTLs round up alike: ttlSeconds 0.2 lives about a second in both, 1.2 about two', async () => {
      const seqKey = fresh('seq');
      const [short, longer] = [fresh('resp'), fresh('resp')];
      const started = Date.now();
      expect(
        await store.responses.set({ key: short, value: 'fraction', ttlSeconds: 0.2, tags: [tag(fresh('tag'))], startSeq: 0 }),
      ).toBe(true);
      expect(
        await store.responses.set({ key: longer, value: 'more', ttlSeconds: 1.2, tags: [tag(fresh('tag'))], startSeq: 0 }),
      ).toBe(true);
      expect(await store.responses.get(short, seqKey)).toEqual({ value: 'fraction' });
      const gone = await pollUntil(
        () => store.responses.get(short, seqKey),
        (r) => 'seq' in r,
        2_500,
      );
      // Gone no earlier than the whole second it was rounded up to (not after 200 ms).
      expect(gone.at - started).toBeGreaterThanOrEqual(1_000 - CLOCK_SLACK_MS);
      // 1.2 s rounds up to 2 s (not down to 1 s).
      const goneToo = await pollUntil(
        () => store.responses.get(longer, seqKey),
        (r) => 'seq' in r,
        3_500,
      );
      expect(goneToo.at - started).toBeGreaterThanOrEqual(2_000 - CLOCK_SLACK_MS);
    });

    it('an expired tag marker no longer refuses a set', async () => {
      const seqKey = fresh('seq');
      const t = tag(fresh('tag'));
      await store.responses.invalidate([t], seqKey, 1);
      expect(await store.responses.set({ key: fresh('resp'), value: 'x', ttlSeconds: 60, tags: [t], startSeq: 0 })).toBe(false);
      await pollUntil(
        () => store.responses.set({ key: fresh('resp'), value: 'x', ttlSeconds: 60, tags: [t], startSeq: 0 }),
        (stored) => stored,
        3_000,
      );
    });
  });

  describe('documents (APQ registrations)', () => {
    it('get answers null until set, then the exact text, in one round trip each', async () => {
      const key = fresh('apq');
      const text = 'query Q($a: Int) { f(a: $a) } # ünïcode';
      expect(await trips(() => store.documents.get(key))).toEqual({ result: null, trips: 1 });
      expect((await trips(() => store.documents.set(key, text, 60))).trips).toBe(1);
      expect(await trips(() => store.documents.get(key))).toEqual({ result: text, trips: 1 });
    });

    it('a registration expires after its ttl (whole seconds)', async () => {
      const key = fresh('apq');
      const stored = Date.now();
      await store.documents.set(key, '{ a }', 0.2);
      const gone = await pollUntil(
        () => store.documents.get(key),
        (value) => value === null,
        3_000,
      );
      // Rounded up to a whole second, as both stores feed EX.
      expect(gone.at - stored).toBeGreaterThanOrEqual(1_000 - CLOCK_SLACK_MS);
    });
  });

  describe('windows', () => {
    it('sliding log: limit calls allowed, counting down, then refused', async () => {
      const key = fresh('sw');
      const limit = 3;
      const windowMs = 60_000;
      const results: WindowResult[] = [];
      for (let i = 0; i < limit; i += 1) results.push(await store.windows.slidingWindowHit(key, limit, windowMs, `m${i}`));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true]);
      expect(results.map((r) => r.remaining)).toEqual([2, 1, 0]);
      for (const r of results) {
        expect(r.retryMs).toBe(0);
        expect(r.resetMs).toBeGreaterThan(0);
        expect(r.resetMs).toBeLessThanOrEqual(windowMs);
      }
      const refused = await store.windows.slidingWindowHit(key, limit, windowMs, 'm-over');
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.retryMs).toBeGreaterThan(0);
      expect(refused.retryMs).toBeLessThanOrEqual(windowMs);
      expect(refused.resetMs).toBeGreaterThan(0);
      expect(refused.resetMs).toBeLessThanOrEqual(windowMs);
      // A refused call is not counted: still refused, still 0 remaining.
      expect(await store.windows.slidingWindowHit(key, limit, windowMs, 'm-over-2')).toMatchObject({
        allowed: false,
        remaining: 0,
      });
    });

    it('sliding log: the window slides: the oldest call leaves while a later one still counts', async () => {
      const key = fresh('sw');
      const windowMs = 2_000;
      const t0 = Date.now();
      expect(await store.windows.slidingWindowHit(key, 2, windowMs, 'first')).toMatchObject({ allowed: true, remaining: 1 });
      // Time must pass between the two calls: half a window.
      while (Date.now() < t0 + windowMs / 2) await pause(25);
      const t1 = Date.now();
      expect(await store.windows.slidingWindowHit(key, 2, windowMs, 'second')).toMatchObject({ allowed: true, remaining: 0 });
      let n = 0;
      const { value, at } = await pollUntil(
        () => store.windows.slidingWindowHit(key, 2, windowMs, `poll-${++n}`),
        (r) => r.allowed,
        4_000,
      );
      expect(at - t0).toBeGreaterThanOrEqual(windowMs - CLOCK_SLACK_MS);
      // Admitted when the first call left, while the second (half a window later) still counted;
      // the bound leaves the poll half a window (1 s) of slack.
      expect(at).toBeLessThan(t1 + windowMs);
      expect(value.remaining).toBe(0);
    });

    it('sliding log: allowed again once the oldest call leaves the window', async () => {
      const key = fresh('sw');
      const windowMs = 400;
      const started = Date.now();
      expect((await store.windows.slidingWindowHit(key, 1, windowMs, 'first')).allowed).toBe(true);
      let n = 0;
      const { value } = await pollUntil(
        () => store.windows.slidingWindowHit(key, 1, windowMs, `retry-${++n}`),
        (r) => r.allowed,
        3_000,
      );
      expect(value.remaining).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(windowMs - CLOCK_SLACK_MS);
    });

    it('gcra: limit calls at once, counting down, then refused with retryMs about windowMs/limit, allowed again after it', async () => {
      const key = fresh('gcra');
      const limit = 5;
      const windowMs = 5_000;
      const interval = windowMs / limit;
      const results: WindowResult[] = [];
      for (let i = 0; i < limit; i += 1) results.push(await store.windows.gcraHit(key, limit, windowMs));
      expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true]);
      expect(results.map((r) => r.remaining)).toEqual([4, 3, 2, 1, 0]);
      for (const r of results) expect(r.retryMs).toBe(0);
      const refusedAt = Date.now();
      const refused = await store.windows.gcraHit(key, limit, windowMs);
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.retryMs).toBeGreaterThan(0);
      expect(refused.retryMs).toBeLessThanOrEqual(interval + 1);
      expect(refused.resetMs).toBeGreaterThan(0);
      expect(refused.resetMs).toBeLessThanOrEqual(windowMs + 1);
      const { value, at, tries } = await pollUntil(
        () => store.windows.gcraHit(key, limit, windowMs),
        (r) => r.allowed,
        4_000,
      );
      for (const earlier of tries.slice(0, -1)) expect(earlier.allowed).toBe(false);
      expect(value.remaining).toBe(0);
      expect(at - refusedAt).toBeGreaterThanOrEqual(refused.retryMs - CLOCK_SLACK_MS);
    });

    it('different keys are independent', async () => {
      const [a, b] = [fresh('gcra'), fresh('gcra')];
      expect((await store.windows.gcraHit(a, 1, 60_000)).allowed).toBe(true);
      expect((await store.windows.gcraHit(a, 1, 60_000)).allowed).toBe(false);
      expect(await store.windows.gcraHit(b, 1, 60_000)).toMatchObject({ allowed: true, remaining: 0 });
      const [sa, sb] = [fresh('sw'), fresh('sw')];
      expect((await store.windows.slidingWindowHit(sa, 1, 60_000, 'x')).allowed).toBe(true);
      expect((await store.windows.slidingWindowHit(sa, 1, 60_000, 'y')).allowed).toBe(false);
      expect(await store.windows.slidingWindowHit(sb, 1, 60_000, 'z')).toMatchObject({ allowed: true, remaining: 0 });
    });
  });

  describe('hot lookup', () => {
    const hour = 3_600_000;

    /** A session as the entity cache stores it. */
    const sessionJson = (userId: string, expiresAt: Date) =>
      JSON.stringify({
        id: fresh('sess'),
        tokenHash: randomBytes(16).toString('hex'),
        userId,
        expiresAt: expiresAt.toISOString(),
        createdAt: new Date(Date.now() - hour).toISOString(),
      });

    /** Caches a value through the public API: a read that takes the lease, then its fill. */
    async function cacheValue(key: string, value: string): Promise<void> {
      const token = fresh('tok');
      expect(await store.leases.readThrough([key], token, 30_000)).toEqual([{ kind: 'leased' }]);
      expect(await store.leases.fill([{ key, value, ttlSeconds: 300 }], token)).toBe(1);
    }

    function request(overrides: Partial<HotLookup> = {}): HotLookup {
      const viewer = fresh('viewer');
      return {
        sessionKey: `${viewer}:session`,
        budgetKey: `${viewer}:budget`,
        responseKey: `${viewer}:response`,
        userId: 'user-1',
        nowIso: new Date().toISOString(),
        budget: { limit: 3, windowMs: 60_000 },
        knownEtag: '',
        ...overrides,
      };
    }

    /** Looks up, asserting it is exactly one round trip. */
    async function lookup(req: HotLookup): Promise<HotResult> {
      const { result, trips: made } = await trips(() => store.hot.lookup(req));
      expect(made).toBe(1);
      return result;
    }

    it("is 'unknown' when the session key is missing", async () => {
      const req = request();
      expect(await lookup(req)).toEqual({ kind: 'unknown' });
    });

    it("is 'unknown' when the session key holds 'null' (a cached absence)", async () => {
      const req = request();
      await cacheValue(req.sessionKey, 'null');
      expect(await lookup(req)).toEqual({ kind: 'unknown' });
    });

    it("is 'unknown' when the session belongs to another user", async () => {
      const req = request();
      await cacheValue(req.sessionKey, sessionJson('user-2', new Date(Date.now() + hour)));
      expect(await lookup(req)).toEqual({ kind: 'unknown' });
    });

    it("is 'unknown' when the session's expiresAt is not after now", async () => {
      const now = new Date();
      const past = request({ nowIso: now.toISOString() });
      await cacheValue(past.sessionKey, sessionJson('user-1', new Date(now.getTime() - 1_000)));
      expect(await lookup(past)).toEqual({ kind: 'unknown' });
      const equal = request({ nowIso: now.toISOString() });
      await cacheValue(equal.sessionKey, sessionJson('user-1', now));
      expect(await lookup(equal)).toEqual({ kind: 'unknown' });
    });

    it('an unknown lookup counts nothing against the budget', async () => {
      const req = request({ budget: { limit: 1, windowMs: 60_000 } });
      await cacheValue(req.sessionKey, sessionJson('user-2', new Date(Date.now() + hour)));
      expect(await lookup(req)).toEqual({ kind: 'unknown' });
      expect(await lookup(req)).toEqual({ kind: 'unknown' });
      expect(await store.windows.gcraHit(req.budgetKey, 1, 60_000)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('with a valid session: counted, budget counting down, stored null on a miss, then the stored bytes', async () => {
      const seqKey = fresh('seq');
      const req = request({ budget: { limit: 3, windowMs: 60_000 } });
      await cacheValue(req.sessionKey, sessionJson('user-1', new Date(Date.now() + hour)));

      const first = await lookup(req);
      expect(first).toMatchObject({ kind: 'counted', stored: null, budget: { allowed: true, remaining: 2, retryMs: 0 } });

      const value = JSON.stringify({ data: { viewer: { id: 'user-1', note: 'bytes ✓' } } });
      expect(
        await store.responses.set({ key: req.responseKey, value, ttlSeconds: 60, tags: [tag(fresh('tag'))], startSeq: 0 }),
      ).toBe(true);
      const second = await lookup(req);
      expect(second.kind).toBe('counted');
      if (second.kind !== 'counted') return;
      expect(second.budget).toMatchObject({ allowed: true, remaining: 1, retryMs: 0 });
      expect(Buffer.isBuffer(second.stored)).toBe(true);
      expect(second.stored).toEqual(Buffer.from(value));

      const third = await lookup(req);
      expect(third).toMatchObject({ kind: 'counted', budget: { allowed: true, remaining: 0 } });
      expect(third.kind === 'counted' && third.stored).toEqual(Buffer.from(value));

      // Over budget: refused, and no stored answer handed out.
      const over = await lookup(req);
      expect(over.kind).toBe('counted');
      if (over.kind !== 'counted') return;
      expect(over.stored).toBeNull();
      expect(over.budget?.allowed).toBe(false);
      expect(over.budget?.remaining).toBe(0);
      expect(over.budget?.retryMs).toBeGreaterThan(0);
      expect(over.budget?.retryMs).toBeLessThanOrEqual(60_000 / 3 + 1);
      // The answer is still stored; only the budget refused it.
      expect(await store.responses.get(req.responseKey, seqKey)).toEqual({ value });
    });

    it('the budget it counts is the same GCRA the windows store keeps', async () => {
      const req = request({ budget: { limit: 2, windowMs: 60_000 } });
      await cacheValue(req.sessionKey, sessionJson('user-1', new Date(Date.now() + hour)));
      expect(await store.windows.gcraHit(req.budgetKey, 2, 60_000)).toMatchObject({ allowed: true, remaining: 1 });
      expect(await lookup(req)).toMatchObject({ kind: 'counted', budget: { allowed: true, remaining: 0 } });
      expect(await lookup(req)).toMatchObject({ kind: 'counted', budget: { allowed: false }, stored: null });
    });

    it('with budget null (rate limits off): budget null, nothing counted, the stored answer returned', async () => {
      const req = request({ budget: null });
      await cacheValue(req.sessionKey, sessionJson('user-1', new Date(Date.now() + hour)));
      expect(await lookup(req)).toEqual({ kind: 'counted', budget: null, stored: null });
      const value = '{"data":{"ok":true}}';
      expect(
        await store.responses.set({ key: req.responseKey, value, ttlSeconds: 60, tags: [tag(fresh('tag'))], startSeq: 0 }),
      ).toBe(true);
      for (let i = 0; i < 3; i += 1)
        expect(await lookup(req)).toEqual({ kind: 'counted', budget: null, stored: Buffer.from(value) });
      // Nothing was counted under the budget key.
      expect(await store.windows.gcraHit(req.budgetKey, 1, 60_000)).toMatchObject({ allowed: true, remaining: 0 });
    });

    describe('with a known ETag', () => {
      const etag = '"AAAAAAAAAAAAAAAAAAAAAAAAAAA"';
      const stored = `${etag}\n{"data":{"n":1}}`;
      async function storedAnswer(overrides: Partial<HotLookup>) {
        const req = request(overrides);
        await cacheValue(req.sessionKey, sessionJson('user-1', new Date(Date.now() + hour)));
        expect(
          await store.responses.set({
            key: req.responseKey,
            value: stored,
            ttlSeconds: 60,
            tags: [tag(fresh('tag'))],
            startSeq: 0,
          }),
        ).toBe(true);
        return req;
      }

      it("answers 'known' instead of the bytes when the stored answer carries it, and still counts the budget", async () => {
        const req = await storedAnswer({ knownEtag: etag, budget: { limit: 2, windowMs: 60_000 } });
        expect(await lookup(req)).toMatchObject({ kind: 'counted', budget: { allowed: true, remaining: 1 }, stored: 'known' });
        expect(await lookup(req)).toMatchObject({ kind: 'counted', budget: { allowed: true, remaining: 0 }, stored: 'known' });
        expect(await lookup(req)).toMatchObject({ kind: 'counted', budget: { allowed: false }, stored: null });
      });

      it('sends the bytes when the stored answer carries another ETag, or one the known ETag only begins', async () => {
        for (const knownEtag of ['"BAAAAAAAAAAAAAAAAAAAAAAAAAA"', '"AAAAAAAAAAAAAAAAAAAAAAAAAA', etag.slice(0, 5)]) {
          const req = await storedAnswer({ knownEtag, budget: null });
          expect(await lookup(req)).toEqual({ kind: 'counted', budget: null, stored: Buffer.from(stored) });
        }
      });

      it('is a miss, not known, once the answer is invalidated', async () => {
        const t = tag(fresh('tag'));
        const req = request({ knownEtag: etag, budget: null });
        await cacheValue(req.sessionKey, sessionJson('user-1', new Date(Date.now() + hour)));
        expect(await store.responses.set({ key: req.responseKey, value: stored, ttlSeconds: 60, tags: [t], startSeq: 0 })).toBe(
          true,
        );
        expect(await lookup(req)).toEqual({ kind: 'counted', budget: null, stored: 'known' });
        await store.responses.invalidate([t], fresh('seq'), 60);
        expect(await lookup(req)).toEqual({ kind: 'counted', budget: null, stored: null });
      });
    });
  });

  describe('round trips', () => {
    it('every method that does work counts exactly one', async () => {
      const [key, other] = [fresh('rt'), fresh('rt')];
      const seqKey = fresh('seq');
      const t = tag(fresh('tag'));
      const one = async (name: string, work: () => Promise<unknown>) => {
        const { trips: made } = await trips(work);
        expect(made, name).toBe(1);
      };
      await one('leases.readThrough', () => store.leases.readThrough([key, other], 'tok', 30_000));
      await one('leases.fill', () =>
        store.leases.fill(
          [
            { key, value: 'v', ttlSeconds: 60 },
            { key: other, value: 'w', ttlSeconds: 60 },
          ],
          'tok',
        ),
      );
      await one('leases.mget', () => store.leases.mget([key, other, fresh('rt')]));
      await one('leases.invalidate', () => store.leases.invalidate([key, other]));
      await one('responses.get (miss)', () => store.responses.get(key, seqKey));
      await one('responses.set', () =>
        store.responses.set({ key, value: 'r', ttlSeconds: 60, tags: [t, tag(fresh('tag'))], startSeq: 0 }),
      );
      await one('responses.get (hit)', () => store.responses.get(key, seqKey));
      await one('responses.invalidate', () => store.responses.invalidate([t, tag(fresh('tag'))], seqKey, 60));
      await one('responses.set (refused)', () =>
        store.responses.set({ key, value: 'r', ttlSeconds: 60, tags: [t], startSeq: 0 }),
      );
      await one('windows.slidingWindowHit', () => store.windows.slidingWindowHit(fresh('sw'), 2, 60_000, 'm'));
      await one('windows.gcraHit', () => store.windows.gcraHit(fresh('gcra'), 2, 60_000));
    });

    it('empty invalidations make no round trip', async () => {
      expect(await trips(() => store.responses.invalidate([], fresh('seq'), 60))).toEqual({ result: 0, trips: 0 });
    });

    it('ping is one round trip to Redis and none in memory', async () => {
      const { trips: made } = await trips(() => store.ping());
      expect(made).toBe(kind === 'redis' ? 1 : 0);
    });
  });
});
