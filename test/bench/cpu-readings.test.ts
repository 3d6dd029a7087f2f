import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { machineBusyMicros } from '../../bench/machine.ts';
import { parseCpuMicros, RedisStats } from '../../bench/redis-stats.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

// The same-time rounds divide these readings by the requests served between
// two of them: each must move with CPU actually spent, in µs.
describe('CPU readings of the same-time rounds', () => {
  const stats = RedisStats.connect(TEST_REDIS_URL);
  afterAll(async () => (await stats).close());

  it('reads the whole machine’s busy time, which grows by at least the CPU this process spends', async () => {
    const before = await machineBusyMicros();
    const cpuBefore = process.cpuUsage();
    const until = performance.now() + 300;
    while (performance.now() < until) Math.sqrt(Math.random());
    const spent = process.cpuUsage(cpuBefore);
    const after = await machineBusyMicros();
    expect(Number.isFinite(before)).toBe(true);
    // /proc/stat counts 10 ms ticks: allow two of them.
    expect(after - before).toBeGreaterThanOrEqual(spent.user + spent.system - 20_000);
    expect(after - before).toBeGreaterThan(200_000);
  });

  it('parses INFO cpu: user and system time of the main process, not of its children', () => {
    const info = [
      '# CPU',
      'used_cpu_sys:40.316618',
      'used_cpu_user:120.749648',
      'used_cpu_sys_children:7.000000',
      'used_cpu_user_children:9.000000',
      'used_cpu_sys_main_thread:40.315621',
      'used_cpu_user_main_thread:120.745646',
    ].join('\r\n');
    expect(parseCpuMicros(info)).toBe(161_066_266);
    expect(parseCpuMicros('# CPU\r\nused_cpu_user:1.5\r\n')).toBeNaN();
  });

  it('reads Redis’s CPU time, which grows as Redis works', async () => {
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const before = await (await stats).cpuMicros();
      // Many small commands: Redis works for them on its own CPU, without blocking other clients as one long script would.
      const pipeline = redis.pipeline();
      for (let i = 0; i < 30_000; i++) pipeline.ping();
      await pipeline.exec();
      const after = await (await stats).cpuMicros();
      expect(after - before).toBeGreaterThan(5_000);
    } finally {
      redis.disconnect();
    }
  });
});
