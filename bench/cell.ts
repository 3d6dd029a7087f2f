// One measured cell: a server already running, one workload, in two passes.
// The timed pass runs on a server wired straight to the services; then the
// counted pass runs through the counting proxies and keeps only what the
// server sent per request, from the same warm state. Each warms up, takes its counters,
// measures, takes them again: everything per request is a delta over a
// measured part only.

import { failureCount, runLoad, type LoadOptions } from './load.ts';
import { pgDelta, type PgCounter } from './pg-counter.ts';
import { type ProfileControl, selfTime } from './profile.ts';
import type { ServerProcess } from './process.ts';
import { sleep, untilIdle } from './process.ts';
import { commandDelta, totalCommands, type RedisStats } from './redis-stats.ts';
import type { RedisCounter } from './redis-counter.ts';
import type { Cell } from './report.ts';
import type { ServerConfig } from './servers.ts';
import { tokenRotation } from './viewers.ts';

/** What one cell's counted pass found: statements and commands per request, and the requests that failed there. */
export interface CellCounts {
  sqlPerRequest: number | null;
  /** Null on a cluster, where no proxy sees the server's commands. */
  redisPerRequest: number | null;
  errors: number;
  sampled: number;
  problems: string[];
}

interface LoadCellOptions {
  config: ServerConfig;
  process: ServerProcess;
  load: Omit<LoadOptions, 'origin' | 'durationSeconds' | 'nextToken'>;
  /** Tokens of many signed-in users, rotated through across the warm-up and the measured part. */
  tokens?: readonly string[];
  warmupSeconds: number;
  durationSeconds: number;
  /** Pause after the warm-up so its last in-flight requests finish before the counters are read (then until the server is idle). */
  settleMs: number;
}

const loadOf = (options: LoadCellOptions) => ({
  ...options.load,
  origin: options.process.origin,
  ...(options.tokens ? { nextToken: tokenRotation(options.tokens) } : {}),
});

/**
 * A cell's warm-up: its seconds, then, with many viewers, one more request per
 * viewer, so the measured part meets every viewer's cache entries the way a
 * server in steady use does, instead of each viewer's first, cold request
 * (a 2 s warm-up at a few thousand req/s does not reach all 500 viewers).
 */
export async function warmUp(load: Omit<LoadOptions, 'durationSeconds'>, seconds: number, tokens?: readonly string[]) {
  const warm = await runLoad({ ...load, durationSeconds: seconds });
  if (!tokens) return warm;
  const rotation = await runLoad({ ...load, durationSeconds: seconds, requests: tokens.length });
  // Only what the cell reads of a warm-up: its failures, its samples and its problems, summed.
  return {
    ...warm,
    non2xx: warm.non2xx + rotation.non2xx,
    transportErrors: warm.transportErrors + rotation.transportErrors,
    errorBodies: warm.errorBodies + rotation.errorBodies,
    sampleFailures: warm.sampleFailures + rotation.sampleFailures,
    sampled: warm.sampled + rotation.sampled,
    problems: [...warm.problems, ...rotation.problems],
  };
}

/**
 * The counted pass of a cell: the server talks to Postgres and Redis through
 * the counting proxies, and only what it sends per request is kept. Its
 * timing is not: the timed pass runs on a server without proxies. It
 * measures a number of requests rather than a time, about as many as the
 * warm-up's rate gives in durationSeconds: a timed window ends with requests
 * in flight whose commands are counted but not they, which at 50 connections
 * and a short window outweighed the requests themselves.
 */
export async function measureCounts(
  options: LoadCellOptions & { pg: PgCounter | null; redisCounter: RedisCounter | null },
): Promise<CellCounts> {
  const load = loadOf(options);
  const warm = await warmUp(load, options.warmupSeconds, options.tokens);
  await sleep(options.settleMs);
  await untilIdle(options.process);
  const pgBefore = options.pg?.counts();
  const sentBefore = options.redisCounter?.commands();
  const amount = Math.max(options.load.connections * 4, Math.round(warm.requestsPerSecond * options.durationSeconds));
  const result = await runLoad({ ...load, durationSeconds: options.durationSeconds, requests: amount });
  // Work a server does after answering (storing an answer, filling a cache) belongs to these requests too.
  await untilIdle(options.process);
  const sentAfter = options.redisCounter?.commands();
  const pgAfter = options.pg?.counts();
  const requests = Math.max(result.requests, 1);
  return {
    sqlPerRequest: pgBefore && pgAfter ? pgDelta(pgBefore, pgAfter).statements / requests : null,
    redisPerRequest: sentBefore === undefined || sentAfter === undefined ? null : (sentAfter - sentBefore) / requests,
    errors: failureCount(result) + failureCount(warm),
    sampled: warm.sampled + result.sampled,
    problems: [...warm.problems, ...result.problems],
  };
}

export interface CellOptions extends LoadCellOptions {
  redis: RedisStats;
  /** Profiles the measured part when given. */
  profiler?: ProfileControl;
  /** Runs beside the measured part (a write sent mid-cell), which waits for it too. */
  during?: (durationSeconds: number) => Promise<void>;
  /** Told each measured response's latency and arrival. */
  onLatency?: (latencyMs: number, arrivedAt: number) => void;
}

/** The timed pass of a cell, on a server wired straight to the services; its counts come from the counted pass (withCounts). */
export async function measureCell(options: CellOptions): Promise<Cell> {
  const { config, process: server, redis } = options;
  const load = loadOf(options);
  const warm = await warmUp(load, options.warmupSeconds, options.tokens);
  await sleep(options.settleMs);
  await untilIdle(options.process);

  const redisBefore = await redis.snapshot();
  await server.startRssWindow();
  await options.profiler?.start();
  const cpuBefore = await server.cpuMicros();
  const during = options.during?.(options.durationSeconds);
  const result = await runLoad({
    ...load,
    durationSeconds: options.durationSeconds,
    ...(options.onLatency ? { onLatency: options.onLatency } : {}),
  });
  await during;
  const cpuAfter = await server.cpuMicros();
  const profile = await options.profiler?.stop();
  const peakRssBytes = await server.endRssWindow();
  const redisAfter = await redis.snapshot();

  const requests = Math.max(result.requests, 1);
  // Server-wide, so read here, with one server running and no proxy to count through.
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
    // Counted by the counted pass (withCounts); a ceiling has none, and shows — rather than a count nobody made.
    sqlPerRequest: null,
    redisPerRequest: null,
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

/** A timed cell with what its counted pass found: the counts, and its requests' failures and samples too. */
export function withCounts(cell: Cell, counts: CellCounts): Cell {
  return {
    ...cell,
    sqlPerRequest: counts.sqlPerRequest,
    redisPerRequest: counts.redisPerRequest,
    errors: cell.errors + counts.errors,
    sampled: cell.sampled + counts.sampled,
    problems: [...cell.problems, ...counts.problems].slice(0, 5),
  };
}
