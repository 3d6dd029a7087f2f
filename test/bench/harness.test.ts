import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { cellTiming, parseBenchArgs, runKind, viewerCount } from '../../bench/args.ts';
import { commandDelta, parseCommandStats, RedisStats, totalCommands } from '../../bench/redis-stats.ts';
import { header, SERVERS, selectServers } from '../../bench/servers.ts';
import { seededAccounts, tokenRotation } from '../../bench/viewers.ts';
import { WORKLOADS, writeShare } from '../../bench/workloads.ts';
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

  it('reads its options, including `npm run bench --quick` without the separator', () => {
    expect(parseBenchArgs([], {}).quick).toBe(false);
    expect(parseBenchArgs([], { npm_config_quick: 'true' }).quick).toBe(true);
    const args = parseBenchArgs(['--servers=tg,apollo', '--duration=3'], {});
    expect(args).toMatchObject({ servers: ['tg', 'apollo'], durationSeconds: 3, connections: 10 });
    expect(runKind(args)).toBe('custom');
    expect(runKind(parseBenchArgs([], {}))).toBe('full');
    expect(() => parseBenchArgs(['--connections=0'], {})).toThrow(/positive/);
  });

  it('compares the bare ceiling, this server uncached and the Apollo peer by default, one peer row', () => {
    const ids = selectServers(undefined).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining(['bare', 'tg', 'apollo-rc']));
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
    const uncached = ['bare', 'tg', 'apollo', 'mercurius'];
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
