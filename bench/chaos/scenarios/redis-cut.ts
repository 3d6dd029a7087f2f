// Redis cut for every instance (connections dropped, new ones refused), then
// restored, under load with writes throughout. Promised: no read fails, no
// request waits 1 s, and no answer is stale, during the cut (a read after an
// acknowledged write sees it, on both instances) and after it (writes made
// while Redis was gone are seen on both instances once it is back).

import { pageLoad } from '../operations.ts';
import { explainStale, recoveryAfter, type ScenarioContext, type ScenarioResult, sleep, withTraffic } from '../scenario.ts';
import { formatFailures, sentBetween, summarize } from '../summary.ts';
import { Traffic } from '../traffic.ts';

/** How long each part lasts. */
export interface RedisCutOptions {
  warmMs: number;
  cutMs: number;
  afterMs: number;
}

/** Promised bound on any request's wait. */
export const MAX_WAIT_MS = 1_000;

export async function redisCut(ctx: ScenarioContext, options: RedisCutOptions): Promise<ScenarioResult> {
  const { cluster } = ctx;
  const [a, b] = cluster.instances;
  if (!a || !b) throw new Error('the Redis cut needs two instances');
  const traffic = new Traffic(cluster.instances, ctx.cast, ctx.load, ctx.writer);
  let cutAt = 0;
  let restoredAt = 0;
  let lastWriteOnA = '';
  await withTraffic(traffic, async () => {
    ctx.log(
      `redis-cut: warm-up ${options.warmMs / 1000} s at ${ctx.load.rate} reads/s, a write every ${ctx.load.writeEveryMs} ms`,
    );
    await sleep(options.warmMs);
    cutAt = traffic.now();
    cluster.cutRedis();
    ctx.log(`redis-cut: Redis cut for ${options.cutMs / 1000} s`);
    // The last write of the cut lands on A; B must not serve what was cached before it once Redis is back.
    await sleep(Math.max(0, options.cutMs - 1_000));
    traffic.pauseWrites(true);
    const { sample, reader } = await traffic.writeOnce(a);
    lastWriteOnA = reader;
    ctx.log(`redis-cut: write on A during the cut: ${sample.outcome} in ${sample.ms.toFixed(0)} ms`);
    await sleep(Math.max(0, cutAt + options.cutMs - traffic.now()));
    cluster.restoreRedis();
    restoredAt = traffic.now();
    ctx.log('redis-cut: Redis restored; reading the cut-time write back on B, then A, every 50 ms');
    // The race that matters: B's client reconnects, A's outbox has not reached Redis yet.
    const until = restoredAt + 3_000;
    while (traffic.now() < until) {
      await Promise.all([traffic.send(b, pageLoad(lastWriteOnA), 'probe'), traffic.send(a, pageLoad(lastWriteOnA), 'probe')]);
      await sleep(50);
    }
    traffic.pauseWrites(false);
    await sleep(Math.max(0, restoredAt + options.afterMs - traffic.now()));
  });
  const samples = traffic.samples;
  explainStale(ctx, traffic);
  const warm = summarize(samples, sentBetween(0, cutAt));
  const during = summarize(samples, sentBetween(cutAt, restoredAt));
  const after = summarize(samples, sentBetween(restoredAt, Number.POSITIVE_INFINITY));
  const all = summarize(samples);
  const reads = summarize(samples, (s) => s.kind === 'read');
  const hitsBack = cluster.instances.map((i) => {
    const first = samples
      .filter((s) => s.instance === i.name && s.start >= restoredAt && s.hit)
      .sort((x, y) => x.start - y.start)[0];
    return first ? first.start - restoredAt : null;
  });
  const duringWrites = samples.filter((s) => s.role === 'write' && s.start >= cutAt && s.start < restoredAt);
  const readBacks = summarize(samples, (s) => s.role === 'read-back' && s.start >= cutAt && s.start < restoredAt);
  const probes = summarize(samples, (s) => s.role === 'probe');
  const recoveryMs = recoveryAfter(samples, restoredAt, Math.max(100, warm.p99 * 3));
  return {
    id: 'redis-cut',
    title: `Redis cut for ${options.cutMs / 1000} s, then restored`,
    phases: [
      { label: 'before', summary: warm },
      { label: 'Redis cut', summary: during },
      { label: 'after', summary: after },
    ],
    recoveryMs,
    checks: [
      {
        name: 'no read fails',
        ok: reads.failed === 0,
        seen: `${reads.failed} of ${reads.requests} reads failed (${formatFailures(reads.failures)})`,
      },
      {
        name: 'writes during the cut succeed',
        ok: duringWrites.length > 0 && duringWrites.every((s) => s.outcome === 'ok'),
        seen: `${duringWrites.filter((s) => s.outcome === 'ok').length} of ${duringWrites.length} ok`,
      },
      { name: `no request waits ${MAX_WAIT_MS} ms`, ok: all.max < MAX_WAIT_MS, seen: `max ${all.max.toFixed(0)} ms` },
      {
        name: 'no stale answer',
        ok: all.stale === 0,
        seen: `${all.stale} stale${all.staleExamples[0] ? `: ${all.staleExamples[0]}` : ''}`,
      },
      {
        name: 'a read after an acknowledged write sees it, on both instances, during the cut',
        ok: readBacks.requests > 0 && readBacks.stale === 0 && readBacks.failed === 0,
        seen: `${readBacks.requests} read-backs, ${readBacks.stale} stale, ${readBacks.failed} failed`,
      },
      {
        name: "the cut's last write (on A) is seen on B and A once Redis is back",
        ok: probes.requests > 0 && probes.stale === 0 && probes.failed === 0,
        seen: `${probes.requests} reads in the 3 s after the restore, ${probes.stale} stale`,
      },
      {
        name: 'cache hits resume on every instance',
        ok: hitsBack.every((ms) => ms !== null),
        seen: hitsBack
          .map((ms, i) => `${cluster.instances[i]!.name}: ${ms === null ? 'never' : `${ms.toFixed(0)} ms`}`)
          .join(', '),
      },
    ],
    skipped: traffic.skipped,
  };
}
