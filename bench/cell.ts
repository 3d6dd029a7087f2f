// One measured cell: a server already running, one workload. Warm up, take
// the counters, measure, take the counters again; everything per request is
// a delta over the measured part only.

import { failureCount, runLoad, type LoadOptions } from './load.ts';
import { pgDelta, type PgCounter } from './pg-counter.ts';
import { type ProfileControl, selfTime } from './profile.ts';
import type { ServerProcess } from './process.ts';
import { sleep } from './process.ts';
import { commandDelta, totalCommands, type RedisStats } from './redis-stats.ts';
import type { RedisCounter } from './redis-counter.ts';
import type { Cell } from './report.ts';
import type { ServerConfig } from './servers.ts';
import { tokenRotation } from './viewers.ts';

export interface CellOptions {
  config: ServerConfig;
  process: ServerProcess;
  /** The server's Postgres proxy; null for servers without a database. */
  pg: PgCounter | null;
  /** The server's Redis proxy. */
  redisCounter: RedisCounter;
  redis: RedisStats;
  load: Omit<LoadOptions, 'origin' | 'durationSeconds' | 'nextToken'>;
  /** Tokens of many signed-in users, rotated through across the warm-up and the measured part. */
  tokens?: readonly string[];
  warmupSeconds: number;
  durationSeconds: number;
  /** Pause after the warm-up so its last in-flight requests finish before the counters are read. */
  settleMs: number;
  /** Profiles the measured part when given. */
  profiler?: ProfileControl;
}

export async function measureCell(options: CellOptions): Promise<Cell> {
  const { config, process: server, pg, redis } = options;
  const load = {
    ...options.load,
    origin: server.origin,
    ...(options.tokens ? { nextToken: tokenRotation(options.tokens) } : {}),
  };
  const warm = await runLoad({ ...load, durationSeconds: options.warmupSeconds });
  await sleep(options.settleMs);

  const pgBefore = pg?.counts();
  const sentBefore = options.redisCounter.commands();
  const redisBefore = await redis.snapshot();
  await server.startRssWindow();
  await options.profiler?.start();
  const cpuBefore = await server.cpuMicros();
  const result = await runLoad({ ...load, durationSeconds: options.durationSeconds });
  const cpuAfter = await server.cpuMicros();
  const profile = await options.profiler?.stop();
  const peakRssBytes = await server.endRssWindow();
  const redisAfter = await redis.snapshot();
  const sentAfter = options.redisCounter.commands();
  const pgAfter = pg?.counts();

  const requests = Math.max(result.requests, 1);
  const sql = pgBefore && pgAfter ? pgDelta(pgBefore, pgAfter).statements / requests : null;
  const redisExecuted = totalCommands(commandDelta(redisBefore, redisAfter)) / requests;
  // Warm-up requests are requests too: a failure there fails the run as well.
  const errors = failureCount(result) + failureCount(warm);
  return {
    serverId: config.id,
    server: config.name,
    workload: options.load.workload.id,
    requests: result.requests,
    requestsPerSecond: result.requestsPerSecond,
    p50: result.p50,
    p99: result.p99,
    errors,
    sqlPerRequest: sql,
    redisPerRequest: (sentAfter - sentBefore) / requests,
    redisExecPerRequest: redisExecuted,
    peakRssBytes,
    cpuMicrosPerRequest: (cpuAfter - cpuBefore) / requests,
    ...(profile
      ? { profile: { places: selfTime(profile, requests, 'place'), functions: selfTime(profile, requests, 'function') } }
      : {}),
    vsBare: null,
    vsPeer: null,
    hitRatio: result.cacheHits === null ? null : result.cacheHits / requests,
    sampled: warm.sampled + result.sampled,
    problems: [...warm.problems, ...result.problems].slice(0, 5),
  };
}
