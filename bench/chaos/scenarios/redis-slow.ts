// Redis slow: every reply held for 200 ms (a delaying proxy), under the same
// load. Below the command timeout, so Redis still answers; each request
// pays for its round trips, and p99 must stay bounded (no queue builds up,
// no request waits past the promised bound). Nothing fails, nothing is stale.

import { explainStale, recoveryAfter, type ScenarioContext, type ScenarioResult, sleep, withTraffic } from '../scenario.ts';
import { formatFailures, sentBetween, summarize } from '../summary.ts';
import { Traffic } from '../traffic.ts';

/**
 * The p99 promised while every Redis reply is 200 ms late. A request waits
 * for the hot path's lookup, the response lookup and the limiter's count
 * (about 600 ms at that delay), then its loaders wait at most
 * CACHE_REQUEST_WAIT_MS (500 ms) in all before reading Postgres: about 1.1 s
 * plus Postgres and queueing. Without that cap a miss made about nine late
 * round trips one after another, and p99 was about 3 s.
 */
export const SLOW_P99_BOUND_MS = 2_500;

export interface RedisSlowOptions {
  warmMs: number;
  slowMs: number;
  afterMs: number;
  /** Delay of every Redis reply. @default 200 */
  delayMs?: number;
  /** The p99 promised while Redis is slow. */
  p99BoundMs: number;
}

export async function redisSlow(ctx: ScenarioContext, options: RedisSlowOptions): Promise<ScenarioResult> {
  const { cluster } = ctx;
  const delayMs = options.delayMs ?? 200;
  const traffic = new Traffic(cluster.instances, ctx.cast, ctx.load, ctx.writer);
  let slowAt = 0;
  let restoredAt = 0;
  await withTraffic(traffic, async () => {
    ctx.log(`redis-slow: warm-up ${options.warmMs / 1000} s`);
    await sleep(options.warmMs);
    slowAt = traffic.now();
    cluster.slowRedis(delayMs);
    ctx.log(`redis-slow: every Redis reply ${delayMs} ms late for ${options.slowMs / 1000} s`);
    await sleep(options.slowMs);
    cluster.restoreRedis();
    restoredAt = traffic.now();
    ctx.log('redis-slow: Redis at full speed again');
    await sleep(options.afterMs);
  });
  explainStale(ctx, traffic);
  const samples = traffic.samples;
  const warm = summarize(samples, sentBetween(0, slowAt));
  const during = summarize(samples, sentBetween(slowAt, restoredAt));
  const after = summarize(samples, sentBetween(restoredAt, Number.POSITIVE_INFINITY));
  const all = summarize(samples);
  return {
    id: 'redis-slow',
    title: `Redis replies ${delayMs} ms late for ${options.slowMs / 1000} s`,
    phases: [
      { label: 'before', summary: warm },
      { label: `Redis +${delayMs} ms`, summary: during },
      { label: 'after', summary: after },
    ],
    recoveryMs: recoveryAfter(samples, restoredAt, Math.max(100, warm.p99 * 3)),
    checks: [
      {
        name: 'no request fails',
        ok: all.failed === 0,
        seen: `${all.failed} of ${all.requests} failed (${formatFailures(all.failures)})`,
      },
      {
        name: `p99 while slow stays under ${options.p99BoundMs} ms`,
        ok: during.p99 < options.p99BoundMs,
        seen: `p99 ${during.p99.toFixed(0)} ms, max ${during.max.toFixed(0)} ms (before: p99 ${warm.p99.toFixed(0)} ms)`,
      },
      {
        name: 'no stale answer',
        ok: all.stale === 0,
        seen: `${all.stale} stale${all.staleExamples[0] ? `: ${all.staleExamples[0]}` : ''}`,
      },
    ],
    skipped: traffic.skipped,
  };
}
