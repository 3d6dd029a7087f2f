import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { cellTiming, parseBenchArgs, runKind } from '../../bench/args.ts';
import { commandDelta, parseCommandStats, RedisStats, totalCommands } from '../../bench/redis-stats.ts';
import { SERVERS, selectServers } from '../../bench/servers.ts';
import { WORKLOADS, writeShare } from '../../bench/workloads.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

describe('Redis command counts', () => {
  const info = ['# Commandstats', 'cmdstat_get:calls=10,usec=5,usec_per_call=0.5,rejected_calls=0,failed_calls=0', 'cmdstat_info:calls=3,usec=1', 'cmdstat_evalsha:calls=2,usec=9', ''].join('\r\n');

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
    expect(cellTiming({ quick: false, warmupSeconds: undefined, durationSeconds: undefined }, 19)).toEqual({ warmup: 2, duration: 10 });
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

  it('has the four workloads of the issue, the mixed one with 5% writes', () => {
    expect(WORKLOADS.map((w) => w.id)).toEqual(['page-load', 'org-page', 'deep', 'mixed']);
    expect(writeShare(WORKLOADS.find((w) => w.id === 'mixed')!)).toBeCloseTo(0.05);
    expect(WORKLOADS.find((w) => w.id === 'deep')!.sequence[0]!.query).toContain(
      'organizations { members(first: 50) { edges { node { user { memberships { organization { featureFlags { key enabled } } } } } } } }',
    );
  });
});
