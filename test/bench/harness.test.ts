import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  cellTiming,
  FIRST_CELL_EXTRA_WARMUP_SECONDS,
  parseBenchArgs,
  runKind,
  scalingTiming,
  viewerCount,
  warmupOf,
} from '../../bench/args.ts';
import { runOrder, workloadsFor } from '../../bench/plan.ts';
import { untilIdle } from '../../bench/process.ts';
import { commandDelta, parseCommandStats, RedisStats, totalCommands } from '../../bench/redis-stats.ts';
import { header, SERVERS, selectServers } from '../../bench/servers.ts';
import { seededAccounts, tokenRotation } from '../../bench/viewers.ts';
import {
  largestOrgPage,
  orgPage,
  orgPage10,
  orgPage100,
  READ_OPERATIONS,
  SCALING_WORKLOADS,
  selectWorkloads,
  senderOf,
  WORKLOADS,
  writeShare,
  type Workload,
} from '../../bench/workloads.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

describe('Redis command counts', () => {
  const info = [
    '# Commandstats',
    'cmdstat_get:calls=10,usec=5,usec_per_call=0.5,rejected_calls=0,failed_calls=0',
    'cmdstat_info:calls=3,usec=1',
    'cmdstat_evalsha:calls=2,usec=9',
    '',
  ].join('\r\n');

  it('parses INFO commandstats and takes deltas without the bench own INFO calls', () => {
    const before = parseCommandStats(info);
    expect(before).toEqual({ get: 10, info: 3, evalsha: 2 });
    const after = { get: 25, info: 9, evalsha: 2, mget: 4 };
    const delta = commandDelta(before, after);
    expect(delta).toEqual({ get: 15, mget: 4 });
    expect(totalCommands(delta)).toBe(19);
  });

  it('deletes only keys under its own bench: prefix', async () => {
    const stats = await RedisStats.connect(TEST_REDIS_URL);
    const redis = new Redis(TEST_REDIS_URL);
    const prefix = `bench:test-${randomBytes(4).toString('hex')}:`;
    const outside = `test-bench-outside-${randomBytes(4).toString('hex')}`;
    try {
      await redis.set(`${prefix}a`, '1', 'EX', 60);
      await redis.set(`${prefix}b`, '1', 'EX', 60);
      await redis.set(outside, '1', 'EX', 60);
      expect(await stats.deletePrefix(prefix)).toBe(2);
      expect(await redis.exists(`${prefix}a`, `${prefix}b`, outside)).toBe(1);
      await expect(stats.deletePrefix('tg:')).rejects.toThrow(/refusing/);
      const before = await stats.snapshot();
      await redis.get(`${prefix}nothing`);
      expect(commandDelta(before, await stats.snapshot())['get']).toBeGreaterThanOrEqual(1);
    } finally {
      await redis.del(outside);
      redis.disconnect();
      await stats.close();
    }
  });
});

describe('the run plan', () => {
  it('fits the full run in its budget and the quick one in a minute', () => {
    expect(cellTiming({ quick: false, warmupSeconds: undefined, durationSeconds: undefined }, 19)).toEqual({
      warmup: 2,
      duration: 10,
    });
    const crowded = cellTiming({ quick: false, warmupSeconds: undefined, durationSeconds: undefined }, 40);
    expect(40 * (crowded.warmup + crowded.duration)).toBeLessThanOrEqual(240);
    const quick = cellTiming({ quick: true, warmupSeconds: undefined, durationSeconds: undefined }, 17);
    expect(17 * (quick.warmup + quick.duration)).toBeLessThanOrEqual(30);
    expect(cellTiming({ quick: false, warmupSeconds: 1, durationSeconds: 3 }, 19)).toEqual({ warmup: 1, duration: 3 });
  });

  it("warms a server process's first cell longer, except in a quick run", () => {
    expect(warmupOf(2, true, { quick: false })).toBe(2 + FIRST_CELL_EXTRA_WARMUP_SECONDS);
    expect(FIRST_CELL_EXTRA_WARMUP_SECONDS).toBeGreaterThan(0);
    expect(warmupOf(2, false, { quick: false })).toBe(2);
    expect(warmupOf(0.3, true, { quick: true })).toBe(0.3);
  });

  it('reads its options, including `npm run bench --quick` without the separator', () => {
    expect(parseBenchArgs([], {}).quick).toBe(false);
    expect(parseBenchArgs([], { npm_config_quick: 'true' }).quick).toBe(true);
    const args = parseBenchArgs(['--servers=tg,apollo', '--duration=3'], {});
    expect(args).toMatchObject({ servers: ['tg', 'apollo'], durationSeconds: 3, connections: 10 });
    expect(runKind(args)).toBe('custom');
    expect(runKind(parseBenchArgs([], {}))).toBe('full');
    expect(() => parseBenchArgs(['--connections=0'], {})).toThrow(/positive/);
  });

  it('compares the bare ceilings (with and without one Redis GET), this server uncached and the Apollo peer by default, one peer row', () => {
    const ids = selectServers(undefined).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['bare', 'bare-redis', 'tg', 'apollo-rc']));
    expect(SERVERS.filter((s) => s.peer)).toHaveLength(1);
    expect(() => selectServers(['nope'])).toThrow(/unknown server/);
    expect(new Set(SERVERS.map((s) => s.id)).size).toBe(SERVERS.length);
  });

  it('compares the Mercurius peer (cached and uncached) and stock Yoga with envelop by default, each stating what a write invalidates', () => {
    const defaults = selectServers(undefined);
    expect(defaults.map((s) => s.id)).toEqual(expect.arrayContaining(['mercurius', 'mercurius-cache', 'yoga-stock']));
    const byId = (id: string) => SERVERS.find((s) => s.id === id)!;
    expect(byId('mercurius').env).toMatchObject({ CACHE: 'false' });
    expect(byId('mercurius-cache').env).toMatchObject({ CACHE: 'true' });
    expect(byId('mercurius-cache').invalidates).toMatch(/flags:<orgId>.*setFeatureFlag/);
    expect(byId('yoga-stock').invalidates).toMatch(/FeatureFlag:<id>/);
    expect(byId('apollo-rc').invalidates).toMatch(/^nothing/);
    const uncached = ['bare', 'bare-redis', 'tg', 'apollo', 'mercurius'];
    for (const s of SERVERS) expect(s.invalidates === null, s.id).toBe(uncached.includes(s.id));
  });

  it('counts response-cache hits from what each server says', () => {
    const byId = (id: string) => SERVERS.find((s) => s.id === id)!;
    expect(byId('tg-both').cacheHit!({ 'X-Cache': 'HIT' }, '{}')).toBe(true);
    expect(byId('tg-both').cacheHit!({ 'x-cache': 'MISS' }, '{}')).toBe(false);
    expect(byId('apollo-rc').cacheHit!({ age: '3' }, '{}')).toBe(true);
    expect(byId('apollo-rc').cacheHit!({}, '{}')).toBe(false);
    expect(byId('yoga-stock').cacheHit!({}, '{"data":{},"extensions":{"responseCache":{"hit":true}}}')).toBe(true);
    expect(byId('yoga-stock').cacheHit!({}, '{"data":{},"extensions":{"responseCache":{"hit":false,"didCache":true}}}')).toBe(
      false,
    );
    expect(header({ AGE: ['1', '2'] }, 'age')).toBe('1');
  });

  it('rotates many-users requests through distinct tokens, all of them before any repeats, across warm-up and measure', () => {
    const tokens = Array.from({ length: 500 }, (_, i) => `token-${i}`);
    const next = tokenRotation(tokens);
    const first = Array.from({ length: 500 }, next);
    expect(new Set(first).size).toBe(500);
    expect(next()).toBe('token-0');
    expect(() => tokenRotation([])).toThrow(/no tokens/);
  });

  it('signs in 500 generated seed users (not alice or bob) for many-users, fewer in a quick run', () => {
    const accounts = seededAccounts(500);
    expect(new Set(accounts.map((a) => a.email)).size).toBe(500);
    expect(
      accounts.every((a) => a.password === 'seed-password' && !a.email.startsWith('alice@') && !a.email.startsWith('bob@')),
    ).toBe(true);
    const many = WORKLOADS.find((w) => w.id === 'many-users')!;
    expect(viewerCount(many, { quick: false, viewers: undefined })).toBe(500);
    expect(viewerCount(many, { quick: true, viewers: undefined })).toBe(50);
    expect(viewerCount(many, { quick: true, viewers: 120 })).toBe(120);
    expect(viewerCount(WORKLOADS[0]!, { quick: false, viewers: 120 })).toBe(0);
  });

  it('has the five workloads of the issues, the mixed one with 5% writes', () => {
    expect(WORKLOADS.map((w) => w.id)).toEqual(['page-load', 'org-page', 'deep', 'mixed', 'many-users']);
    expect(writeShare(WORKLOADS.find((w) => w.id === 'mixed')!)).toBeCloseTo(0.05);
    expect(WORKLOADS.find((w) => w.id === 'deep')!.sequence[0]!.query).toContain(
      'organizations { members(first: 50) { edges { node { user { memberships { organization { featureFlags { key enabled } } } } } } } }',
    );
  });
});

describe('the scaling cells', () => {
  const ids = (workloads: readonly Workload[]) => workloads.map((w) => w.id);

  it('are each scaling read at 1, 10 and 50 connections, with ids unique among all workloads', () => {
    expect(ids(SCALING_WORKLOADS)).toEqual(
      ['org-10', 'org-50', 'org-100', 'largest-50', 'deep'].flatMap((read) => [1, 10, 50].map((c) => `scale-${read}@${c}c`)),
    );
    for (const w of SCALING_WORKLOADS) expect(w.connections, w.id).toBe(w.scaling?.connections);
    expect(SCALING_WORKLOADS.map((w) => w.scaling?.rows)).toEqual([
      10,
      10,
      10,
      50,
      50,
      50,
      100,
      100,
      100,
      50,
      50,
      50,
      null,
      null,
      null,
    ]);
    const all = ids(selectWorkloads(undefined));
    expect(new Set(all).size).toBe(all.length);
  });

  it('ask the same org page but for the page size and the name, the largest org as its owner', () => {
    const shape = (query: string) => query.replace(/^query \w+/, 'query X').replace(/first: \d+/, 'first: N');
    for (const op of [orgPage10, orgPage100, largestOrgPage]) expect(shape(op.query)).toBe(shape(orgPage.query));
    expect(orgPage10.query).toContain('members(first: 10)');
    expect(orgPage100.query).toContain('members(first: 100)');
    const ctx = { acmeId: 'a', largestOrgSlug: 'big-one' };
    expect(largestOrgPage.variables(0, ctx)).toEqual({ slug: 'big-one' });
    expect(orgPage.variables(0, ctx)).toEqual({ slug: 'acme' });
    const largest = SCALING_WORKLOADS.find((w) => w.scaling?.query === 'largest')!;
    expect(senderOf(largest)).toBe('largest-org-member');
    expect(senderOf(SCALING_WORKLOADS[0]!)).toBe('alice');
    expect(() => senderOf({ ...largest, sequence: [orgPage, largestOrgPage] })).toThrow(/mixes senders/);
    // Each is checked against a reference of its own.
    for (const w of SCALING_WORKLOADS) expect(READ_OPERATIONS, w.id).toContain(w.sequence[0]);
  });

  it('run by default after the other workloads, alone with --workloads=scaling, one by one by id', () => {
    expect(ids(selectWorkloads(undefined))).toEqual([...ids(WORKLOADS), ...ids(SCALING_WORKLOADS)]);
    expect(selectWorkloads(['scaling'])).toEqual(SCALING_WORKLOADS);
    expect(ids(selectWorkloads(['deep', 'scale-org-50@10c', 'scaling']))).toEqual([
      'deep',
      'scale-org-50@10c',
      ...ids(SCALING_WORKLOADS).filter((id) => id !== 'scale-org-50@10c'),
    ]);
    expect(() => selectWorkloads(['scale-org-7@1c'])).toThrow(/unknown workload/);
  });

  it('run on tg-entity and tg-both only, and --servers still filters', () => {
    const all = selectWorkloads(undefined);
    const withScaling = selectServers(['all']).filter((s) => workloadsFor(s, all, false).some((w) => w.scaling));
    expect(withScaling.map((s) => s.id)).toEqual(['tg-entity', 'tg-both']);
    expect(selectServers(['tg-entity']).flatMap((s) => ids(workloadsFor(s, selectWorkloads(['scaling']), true)))).toEqual(
      ids(SCALING_WORKLOADS),
    );
    expect(selectServers(['tg', 'apollo']).flatMap((s) => workloadsFor(s, selectWorkloads(['scaling']), false))).toEqual([]);
    // The ceiling still replays what it did.
    for (const id of ['bare', 'bare-redis']) {
      const bare = SERVERS.find((s) => s.id === id)!;
      expect(ids(workloadsFor(bare, all, false))).toEqual(['page-load', 'org-page', 'deep']);
      expect(ids(workloadsFor(bare, all, true))).toEqual(['page-load']);
    }
  });

  it("run before the mixed workload's writes, whose answers they must match byte for byte", () => {
    const order = ids(runOrder(selectWorkloads(undefined)));
    expect(order.indexOf('mixed')).toBeGreaterThan(order.indexOf('scale-deep@50c'));
    expect(order.slice(0, 3)).toEqual(['page-load', 'org-page', 'deep']);
    expect(order.at(-1)).toBe('many-users');
  });

  it('are short: two servers add about two minutes to the full run, less than 40 s to a quick one', () => {
    const full = scalingTiming({ quick: false, warmupSeconds: undefined, durationSeconds: undefined });
    expect(full).toEqual({ warmup: 1, duration: 2, counted: { warmupSeconds: 0.3, durationSeconds: 0.3 } });
    const seconds = (t: typeof full) => t.warmup + t.duration + t.counted.warmupSeconds + t.counted.durationSeconds;
    expect(2 * SCALING_WORKLOADS.length * seconds(full)).toBeLessThanOrEqual(120);
    const quick = scalingTiming({ quick: true, warmupSeconds: undefined, durationSeconds: undefined });
    expect(SCALING_WORKLOADS.length * seconds(quick)).toBeLessThanOrEqual(40);
    expect(scalingTiming({ quick: false, warmupSeconds: 0.2, durationSeconds: 5 })).toEqual({
      warmup: 0.2,
      duration: 5,
      counted: { warmupSeconds: 0.2, durationSeconds: 0.3 },
    });
  });
});

describe('settling between runs', () => {
  /** A server whose CPU time grows by each step in turn on every read, then stays put. */
  const server = (steps: number[]) => {
    let total = 0;
    let reads = 0;
    return {
      reads: () => reads,
      cpuMicros: async () => {
        total += steps[reads++] ?? 0;
        return total;
      },
    };
  };

  it('waits while the server still works off what the last run left in flight, and no longer', async () => {
    const busy = server([0, 40_000, 40_000, 5_000]);
    await untilIdle(busy, 3000, 1);
    expect(busy.reads()).toBe(4);
    const idle = server([0, 0]);
    await untilIdle(idle, 3000, 1);
    expect(idle.reads()).toBe(2);
  });

  it('gives up after its limit on a server that never idles', async () => {
    const forever = {
      cpuMicros: (() => {
        let t = 0;
        return async () => (t += 50_000);
      })(),
    };
    const waited = await untilIdle(forever, 30, 1);
    expect(waited).toBeGreaterThanOrEqual(30);
    expect(waited).toBeLessThan(1000);
  });
});
