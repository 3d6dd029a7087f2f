// The command line of `npm run bench`, and how long each cell runs so the
// measured parts fit their time budget (4 minutes, or 24 s with --quick; the
// counted passes and server starts come on top).

import { parseArgs } from 'node:util';

export interface BenchArgs {
  quick: boolean;
  /** Write a CPU profile of each cell's measured part and add where the time went to the report. */
  profile: boolean;
  /** Server ids (see servers.ts), or undefined for the defaults. */
  servers: string[] | undefined;
  /** Workload ids, or undefined for all. */
  workloads: string[] | undefined;
  connections: number;
  /** Users the many-users workload signs in; undefined: the workload's own number (fewer with --quick). */
  viewers: number | undefined;
  /** Fixed warm-up/measure seconds per cell; undefined: derived from the budget. */
  warmupSeconds: number | undefined;
  durationSeconds: number | undefined;
  /** Where the admin connection goes (the bench creates tg_bench_* databases there) and which Redis to use. */
  databaseUrl: string;
  redisUrl: string;
  /** Where tenant-graph's cells run: the one Redis, a cluster the bench starts, or both side by side (peers: the one Redis). */
  redis: 'single' | 'cluster' | 'both';
}

export const USAGE = `npm run bench [-- options]

  --quick              a smoke run: a few minutes, report under bench/results/raw/
  --profile            a CPU profile of each cell's measured part (V8's sampler; costs some throughput, so the run is a custom one):
                       the report gains self time per request by package/file and by function
  --servers=a,b        server ids (bare, tg, tg-entity, tg-both, apollo, apollo-rc, mercurius, mercurius-cache, yoga-stock, ...) or "all"; default: the default set
  --workloads=a,b      page-load, org-page, deep, mixed, many-users, invalidate-100k (only when named), scaling (its 15 cells, or one by id: scale-org-50@10c);
                       default: all (the scaling cells on the servers configured for them: tg-entity, tg-both)
  --connections=N      concurrent connections per cell (default 10; the scaling cells fix theirs: 1, 10, 50)
  --viewers=N          users many-users signs in (sessions written to each server's database) and rotates through (default 500, quick 50)
  --warmup=S           warm-up seconds per cell (default 2, quick 0.3; scaling cells 1, quick 0.3)
  --redis=single|cluster|both
                       where tenant-graph's cells run: the one Redis (default), a 3-master Redis Cluster the bench starts on
                       loopback, or both, with a cluster/single comparison in the report; peers always use the one Redis
  --duration=S         measured seconds per cell (default: 10, less if the cells would not fit 4 minutes; quick 1-2;
                       scaling cells 2, quick 1)

  BENCH_DATABASE_URL   admin URL of PostgreSQL (default postgresql://postgres@127.0.0.1:5432/postgres)
  BENCH_REDIS_URL      Redis (default redis://127.0.0.1:6379); keys live under bench:*`;

export function parseBenchArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      servers: { type: 'string' },
      workloads: { type: 'string' },
      connections: { type: 'string' },
      viewers: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      redis: { type: 'string', default: 'single' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const list = (s: string | undefined) =>
    s
      ? s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : undefined;
  const positive = (name: string, s: string | undefined): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!(n > 0)) throw new Error(`--${name} must be a positive number`);
    return n;
  };
  return {
    // `npm run bench --quick` (without the `--` separator) reaches the script only as npm_config_quick.
    quick: values.quick || env['npm_config_quick'] === 'true',
    profile: values.profile,
    servers: list(values.servers),
    workloads: list(values.workloads),
    connections: positive('connections', values.connections) ?? 10,
    viewers: positive('viewers', values.viewers),
    warmupSeconds: positive('warmup', values.warmup),
    durationSeconds: positive('duration', values.duration),
    ...benchServices(env),
    redis: redisChoice(values.redis),
  };
}

/** The PostgreSQL (an admin URL) and the Redis every bench command uses: BENCH_DATABASE_URL and BENCH_REDIS_URL, or the local defaults. */
export function benchServices(env: NodeJS.ProcessEnv): { databaseUrl: string; redisUrl: string } {
  return {
    databaseUrl: env['BENCH_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    redisUrl: env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  };
}

function redisChoice(value: string | undefined): BenchArgs['redis'] {
  if (value === 'single' || value === 'cluster' || value === 'both') return value;
  throw new Error(`--redis must be single, cluster or both (got ${value})`);
}

/**
 * Seconds of warm-up and measurement per cell. The full run aims at 10 s
 * measured after 2 s of warm-up, shortened so all cells fit 240 s (servers
 * starting, the database and the counted passes take the rest); --quick aims
 * at 24 s for all cells (at least 1 s measured each).
 */
/** full: the default run, whose report is committed; quick; custom: anything chosen on the command line. */
export function runKind(args: BenchArgs): 'full' | 'quick' | 'custom' {
  if (args.quick) return 'quick';
  const chosen =
    args.profile ||
    args.servers ||
    args.workloads ||
    args.viewers !== undefined ||
    args.warmupSeconds !== undefined ||
    args.durationSeconds !== undefined ||
    args.redis !== 'single' ||
    args.connections !== 10;
  return chosen ? 'custom' : 'full';
}

/** Users a quick run rotates through in a many-users workload: its cells last a second or two, too short for 500 users' first misses to pass. */
export const QUICK_VIEWERS = 50;

/** How many users a workload rotates through in this run: 0 for single-user workloads. */
export function viewerCount(workload: { viewers?: number }, args: Pick<BenchArgs, 'quick' | 'viewers'>): number {
  if (!workload.viewers) return 0;
  return Math.floor(args.viewers ?? (args.quick ? Math.min(QUICK_VIEWERS, workload.viewers) : workload.viewers));
}

export function cellTiming(
  args: Pick<BenchArgs, 'quick' | 'warmupSeconds' | 'durationSeconds'>,
  cells: number,
): { warmup: number; duration: number } {
  const warmup = args.warmupSeconds ?? (args.quick ? 0.3 : 2);
  if (args.durationSeconds !== undefined) return { warmup, duration: args.durationSeconds };
  const budget = args.quick ? 24 : 240;
  const fit = Math.floor((budget / Math.max(cells, 1) - warmup) * 2) / 2;
  const duration = args.quick ? Math.min(2, Math.max(1, fit)) : Math.min(10, Math.max(3, fit));
  return { warmup, duration };
}

/**
 * Seconds of warm-up added to the first cell a server process measures. A
 * process's first seconds under load are still compiling its hot code: on
 * the 2-core machines here a tenant-graph hit cell measured first came out
 * 10-15% below the same cell measured third in the same process (5,149 vs
 * 5,680 req/s for deep, 5,898 vs 6,793 for page-load), so whichever
 * workload ran first was measured half cold. Every server gets it alike:
 * each bare ceiling runs one process per cell, so each of its cells is a
 * first; a quick run keeps its warm-up as it is.
 */
export const FIRST_CELL_EXTRA_WARMUP_SECONDS = 3;

/** The warm-up of a cell: the run's, plus FIRST_CELL_EXTRA_WARMUP_SECONDS when it is its process's first (not in a quick run). */
export function warmupOf(warmup: number, first: boolean, args: Pick<BenchArgs, 'quick'>): number {
  return first && !args.quick ? warmup + FIRST_CELL_EXTRA_WARMUP_SECONDS : warmup;
}

/** How long one cell runs: its timed pass, and its counted pass before it. */
export interface CellTiming {
  warmup: number;
  duration: number;
  counted: { warmupSeconds: number; durationSeconds: number };
}

/**
 * Seconds of each scaling cell. There are 15 per server, so each is short:
 * 1 s of warm-up and 2 s measured (0.3 s + 1 s with --quick), and a counted
 * pass of 0.3 s + 0.3 s (counts per request settle within a few dozen
 * requests), so the two default scaling servers add about two minutes.
 * --warmup and --duration set these cells as they set every other.
 */
export function scalingTiming(args: Pick<BenchArgs, 'quick' | 'warmupSeconds' | 'durationSeconds'>): CellTiming {
  const warmup = args.warmupSeconds ?? (args.quick ? 0.3 : 1);
  const duration = args.durationSeconds ?? (args.quick ? 1 : 2);
  const counted = 0.3;
  return {
    warmup,
    duration,
    counted: { warmupSeconds: Math.min(counted, warmup), durationSeconds: Math.min(counted, duration) },
  };
}

/**
 * Seconds of each cell's counted pass (through the counting proxies): the
 * same warm-up as the timed pass, so it counts the same warm state, and a
 * short measured part, since counts per request settle fast.
 */
export function countTiming(
  args: Pick<BenchArgs, 'quick'>,
  timing: { warmup: number; duration: number },
): { warmupSeconds: number; durationSeconds: number } {
  return { warmupSeconds: timing.warmup, durationSeconds: Math.min(args.quick ? 0.5 : 1.5, timing.duration) };
}
