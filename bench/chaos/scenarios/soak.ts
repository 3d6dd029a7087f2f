// The soak: the mixed load for minutes with no fault, sampling each
// instance's RSS and what the key prefix holds in Redis, to see both level
// off; then every key under the prefix is checked for a TTL.

import { explainStale, type ScenarioContext, type ScenarioResult, sleep, withTraffic } from '../scenario.ts';
import { formatFailures, summarize } from '../summary.ts';
import { Traffic } from '../traffic.ts';

/** One sample of the soak's memory figures. */
export interface MemoryPoint {
  /** s since the soak began. */
  t: number;
  /** RSS of each instance, in bytes, by instance name. */
  rss: Record<string, number>;
  redisKeys: number;
  /** MEMORY USAGE summed over the prefix, in bytes. */
  redisBytes: number;
  /** The whole Redis server's used_memory (other users included). */
  redisUsedMemory: number;
}

export interface SoakOptions {
  durationMs: number;
  /** A memory sample every this many ms. */
  sampleEveryMs: number;
}

/** What the soak adds to a scenario's result. */
export interface SoakResult extends ScenarioResult {
  memory: MemoryPoint[];
  /** Keys under the prefix whose TTL was -1 at the end. */
  keysWithoutTtl: string[];
  /** How much each figure grew over the second half of the soak, as a share of its value at the half (0.05: 5%). */
  secondHalfGrowth: Record<string, number>;
}

/** Growth of `values` from the middle of the run to its end, each end averaged over a fifth of the samples to smooth GC sawtooth. */
export function secondHalfGrowth(values: readonly number[]): number {
  if (values.length < 4) return 0;
  const span = Math.max(1, Math.floor(values.length / 5));
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mid = Math.floor(values.length / 2);
  const atMid = mean(values.slice(Math.max(0, mid - Math.floor(span / 2)), mid - Math.floor(span / 2) + span));
  const atEnd = mean(values.slice(-span));
  return atMid === 0 ? 0 : (atEnd - atMid) / atMid;
}

export async function soak(ctx: ScenarioContext, options: SoakOptions): Promise<SoakResult> {
  const { cluster, audit } = ctx;
  const traffic = new Traffic(cluster.instances, ctx.cast, ctx.load, ctx.writer);
  const memory: MemoryPoint[] = [];
  const sample = async (t: number) => {
    const rss: Record<string, number> = {};
    for (const instance of cluster.instances) rss[instance.name] = await instance.rss();
    const redis = await audit.memory();
    memory.push({ t, rss, redisKeys: redis.keys, redisBytes: redis.bytes, redisUsedMemory: redis.usedMemory });
  };
  const minutes = options.durationMs / 60_000;
  ctx.log(
    `soak: ${minutes >= 1 ? `${minutes} min` : `${options.durationMs / 1000} s`} of the mixed load, memory sampled every ${options.sampleEveryMs / 1000} s`,
  );
  await withTraffic(traffic, async () => {
    const began = traffic.now();
    let nextLog = began + 60_000;
    await sample(0);
    while (traffic.now() - began < options.durationMs) {
      await sleep(Math.min(options.sampleEveryMs, Math.max(0, began + options.durationMs - traffic.now())));
      await sample((traffic.now() - began) / 1000);
      if (traffic.now() >= nextLog) {
        nextLog += 60_000;
        const last = memory.at(-1)!;
        const rss = Object.entries(last.rss).map(([name, bytes]) => `${name} ${(bytes / 2 ** 20).toFixed(0)} MB`);
        ctx.log(
          `soak: ${last.t.toFixed(0)} s, RSS ${rss.join(', ')}, Redis ${last.redisKeys} keys ${(last.redisBytes / 1024).toFixed(0)} KB`,
        );
      }
    }
  });
  explainStale(ctx, traffic);
  const keysWithoutTtl = await audit.keysWithoutTtl();
  const all = summarize(traffic.samples);
  const growth: Record<string, number> = {};
  for (const instance of cluster.instances)
    growth[`RSS ${instance.name}`] = secondHalfGrowth(memory.map((m) => m.rss[instance.name] ?? 0));
  growth['Redis bytes under the prefix'] = secondHalfGrowth(memory.map((m) => m.redisBytes));
  growth['Redis keys under the prefix'] = secondHalfGrowth(memory.map((m) => m.redisKeys));
  return {
    id: 'soak',
    title: `Soak: ${minutes >= 1 ? `${minutes} minutes` : `${options.durationMs / 1000} s`} of the mixed load`,
    phases: [{ label: 'soak', summary: all }],
    recoveryMs: null,
    checks: [
      {
        name: 'no request fails',
        ok: all.failed === 0,
        seen: `${all.failed} of ${all.requests} failed (${formatFailures(all.failures)})`,
      },
      {
        name: 'no stale answer',
        ok: all.stale === 0,
        seen: `${all.stale} stale${all.staleExamples[0] ? `: ${all.staleExamples[0]}` : ''}`,
      },
      {
        name: 'every key under the prefix has a TTL',
        ok: keysWithoutTtl.length === 0,
        seen:
          keysWithoutTtl.length === 0 ? 'none at -1' : `${keysWithoutTtl.length} at -1: ${keysWithoutTtl.slice(0, 5).join(', ')}`,
      },
      {
        name: 'memory figures sampled',
        ok: memory.length >= 2 && memory.every((m) => Object.values(m.rss).every((r) => r > 0)),
        seen: `${memory.length} samples`,
      },
    ],
    skipped: traffic.skipped,
    memory,
    keysWithoutTtl,
    secondHalfGrowth: growth,
  };
}
