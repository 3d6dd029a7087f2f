// Same-time ratios: the bare ceiling, the one-GET ceiling and tenant-graph's
// cache hit measured in alternation, a few seconds each, with all three
// servers up at once. On the shared 2-core machines here the machine's own
// speed changes within seconds: the bare server alone answered 21k, then
// 34k req/s in 3 s runs of one process a few seconds apart, and a hit 8.7k,
// then 15.4k. A ratio of two cells measured minutes apart carries that swing
// whole; within a round the servers meet the machine in nearly the same
// state, and the median of the rounds' ratios is the ratio the report gives.
//
// Beside the rates, each slot reads what a request cost in CPU: the whole
// machine's busy time (every core and process: the load generator, the
// kernel, Redis), the server process's and Redis's. On a machine whose cores
// the server, Redis and the load generator share, a row's rate follows what
// a request costs the machine, not the server alone.

import { failureCount, runLoad, type LoadOptions } from './load.ts';

/** Rounds per workload, and seconds per server in each (after one warm-up of as long per server). */
export const SAME_TIME_ROUNDS = 5;
export const SAME_TIME_SECONDS = 2;

/**
 * The server ids a same-time measurement alternates: the bare ceiling, the
 * same server sending the hit's head as well (`head`: bare.ts with the head a
 * hit answered, recorded just before), the one-GET ceiling and the hit.
 */
export const SAME_TIME_SERVERS = { bare: 'bare', head: 'bare-head', ceiling: 'bare-redis', hit: 'tg-both' } as const;

/** One server taking part: its id, its load as its own cell would send it, and its process's CPU time so far (µs). */
export interface SameTimeTarget {
  id: string;
  load: Omit<LoadOptions, 'durationSeconds' | 'requests'>;
  cpuMicros?: () => Promise<number>;
}

/** CPU time so far, in µs, of what every server shares: the whole machine, and Redis. */
export interface SharedCpu {
  machine(): Promise<number>;
  redis(): Promise<number>;
}

/** What one request cost in a server's slot of a round, CPU µs: the whole machine, the server process, Redis. */
export interface CpuPerRequest {
  machine: number;
  server: number;
  redis: number;
}

/** A workload's rounds: in each, every server's requests/s, by id. */
export interface SameTime {
  workload: string;
  rounds: Record<string, number>[];
  /** Per round, what a request cost in each server's slot (only with SharedCpu given). */
  cpu: Record<string, CpuPerRequest>[];
  /** Requests that failed or answered errors, warm-ups included: any fails the run. */
  errors: number;
  problems: string[];
}

/** How many rounds of how long, and (to read CPU per request) the machine's and Redis's CPU time. */
export interface SameTimeOptions {
  /** @default SAME_TIME_ROUNDS */
  rounds?: number;
  /** @default SAME_TIME_SECONDS */
  seconds?: number;
  /** Without it, no CPU is read. */
  shared?: SharedCpu;
}

/** Warms each server up once, then measures them one after the other, `rounds` times. */
export async function measureSameTime(
  workload: string,
  targets: readonly SameTimeTarget[],
  { rounds = SAME_TIME_ROUNDS, seconds = SAME_TIME_SECONDS, shared }: SameTimeOptions = {},
): Promise<SameTime> {
  const result: SameTime = { workload, rounds: [], cpu: [], errors: 0, problems: [] };
  const nothing = () => Promise.resolve(Number.NaN);
  const readings = (target: SameTimeTarget) =>
    Promise.all([shared?.machine() ?? nothing(), (target.cpuMicros ?? nothing)(), shared?.redis() ?? nothing()]);
  const once = async (target: SameTimeTarget) => {
    const before = await readings(target);
    const load = await runLoad({ ...target.load, durationSeconds: seconds });
    const after = await readings(target);
    result.errors += failureCount(load);
    result.problems.push(...load.problems.map((p) => `${target.id}: ${p}`));
    const per = (i: number) => (after[i]! - before[i]!) / Math.max(1, load.requests);
    return { rate: load.requestsPerSecond, cpu: { machine: per(0), server: per(1), redis: per(2) } };
  };
  for (const target of targets) await once(target);
  for (let r = 0; r < rounds; r++) {
    const round: Record<string, number> = {};
    const cpu: Record<string, CpuPerRequest> = {};
    for (const target of targets) {
      const slot = await once(target);
      round[target.id] = slot.rate;
      cpu[target.id] = slot.cpu;
    }
    result.rounds.push(round);
    if (shared) result.cpu.push(cpu);
  }
  result.problems = result.problems.slice(0, 5);
  return result;
}

/** The middle value (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `of`'s requests/s over `over`'s, round by round (rounds missing either are left out). */
export function roundRatios(rounds: readonly Record<string, number>[], of: string, over: string): number[] {
  return rounds.flatMap((round) => {
    const a = round[of];
    const b = round[over];
    return a !== undefined && b !== undefined && b > 0 ? [a / b] : [];
  });
}

/** `of`'s CPU per request over `over`'s on the machine, round by round: the rate ratio CPU alone would give is its inverse. */
function machineRatios(cpu: readonly Record<string, CpuPerRequest>[], of: string, over: string): number[] {
  return cpu.flatMap((round) => {
    const a = round[of]?.machine;
    const b = round[over]?.machine;
    return a !== undefined && b !== undefined && a > 0 && Number.isFinite(a) && Number.isFinite(b) ? [b / a] : [];
  });
}

const fixed = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '—');

/** A row's median requests/s over the rounds. */
const medianRate = (r: SameTime, id: string) =>
  Math.round(median(r.rounds.flatMap((round) => (round[id] === undefined ? [] : [round[id]]))));

/** A line for each workload whose rounds had failed requests: any fails the run. */
const failures = (results: readonly SameTime[]) =>
  results
    .filter((r) => r.errors > 0)
    .map((r) => `\n**${r.errors} failed requests** in ${r.workload}'s rounds: \`${(r.problems[0] ?? '').replace(/`/g, "'")}\``);

/**
 * A section of the report: its title and lead, a row per workload (the
 * workload, `cells`, then each round's ratio), the failed requests, and the
 * CPU table of `ids` against `base`. Empty without results.
 */
function section(
  results: readonly SameTime[],
  text: { title: string; lead: string; columns: string[] },
  row: (r: SameTime) => { cells: (string | number)[]; rounds: number[] },
  cpu: { ids: readonly string[]; base: string },
): string[] {
  if (results.length === 0) return [];
  const { title, lead, columns } = text;
  return [
    `## ${title}`,
    '',
    lead,
    '',
    `| workload | ${columns.join(' | ')} |`,
    `|---|${columns.map((_, i) => (i === columns.length - 1 ? '---|' : '--:|')).join('')}`,
    ...results.map((r) => {
      const { cells, rounds } = row(r);
      return `| ${r.workload} | ${[...cells, rounds.map((x) => x.toFixed(2)).join(' ')].join(' | ')} |`;
    }),
    ...failures(results),
    ...renderCpuTable(results, cpu.ids, cpu.base),
  ];
}

/** The report's section: per workload, the median of the rounds' ratios, each round's hit × bare, and what a request cost the machine. */
export function renderSameTime(results: readonly SameTime[]): string[] {
  const { bare, head, ceiling, hit } = SAME_TIME_SERVERS;
  const ratio = (r: SameTime, of: string, over: string) => fixed(median(roundRatios(r.rounds, of, over)));
  return section(
    results,
    {
      title: 'Same-time ratios',
      lead:
        `The rows a hit is judged by, measured again in alternation: bare, bare sending the hit's head too (the header lines a hit answered with, ` +
        `recorded just before), bare + 1 Redis GET, tenant-graph (both caches), ${SAME_TIME_SECONDS} s each, ` +
        `${SAME_TIME_ROUNDS} rounds, all the servers up at once. On these machines the speed of the machine itself changes within seconds, ` +
        'so the table above, whose cells are minutes apart, can pair a fast moment of one server with a slow one of another; ' +
        'here each ratio is the median of the rounds’ ratios.',
      columns: [
        'bare req/s (median)',
        "bare with the hit's head × bare",
        'ceiling × bare',
        'hit × bare',
        "hit × bare with the hit's head",
        'hit × ceiling',
        'hit × bare, each round',
      ],
    },
    (r) => {
      const perRound = roundRatios(r.rounds, hit, bare);
      return {
        cells: [
          medianRate(r, bare),
          ratio(r, head, bare),
          ratio(r, ceiling, bare),
          fixed(median(perRound)),
          ratio(r, hit, head),
          ratio(r, hit, ceiling),
        ],
        rounds: perRound,
      };
    },
    { ids: Object.values(SAME_TIME_SERVERS), base: bare },
  );
}

/**
 * What a request cost each row in the rounds, medians: the whole machine, the
 * server process, Redis, the rest; and `machine × base`, the rate ratio CPU
 * per request alone would give against the `base` row. Empty without readings.
 */
function renderCpuTable(results: readonly SameTime[], ids: readonly string[], base: string): string[] {
  const withCpu = results.filter((r) => r.cpu.length > 0);
  if (withCpu.length === 0) return [];
  const micros = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
  return [
    '',
    '**What a request cost, in the same rounds** (CPU µs per request, medians of the rounds): the whole machine (every core busy: ' +
      'the server, Redis, the load generator, the kernel), the server process, Redis (INFO cpu), and the rest (machine − server − Redis). ' +
      `**machine × ${base}**: ${base}’s machine CPU per request over this row’s, the rate ratio that CPU per request alone would give.`,
    '',
    `| workload | row | machine | server | Redis | rest | machine × ${base} | req/s × ${base} |`,
    '|---|---|--:|--:|--:|--:|--:|--:|',
    ...withCpu.flatMap((r) =>
      ids
        .filter((id) => r.cpu.some((round) => round[id] !== undefined))
        .map((id) => {
          const field = (pick: (c: CpuPerRequest) => number) =>
            median(r.cpu.flatMap((round) => (round[id] === undefined ? [] : [pick(round[id])])));
          return (
            `| ${r.workload} | ${id} | ${micros(field((c) => c.machine))} | ${micros(field((c) => c.server))} ` +
            `| ${micros(field((c) => c.redis))} | ${micros(field((c) => c.machine - c.server - c.redis))} ` +
            `| ${fixed(median(machineRatios(r.cpu, id, base)))} | ${fixed(median(roundRatios(r.rounds, id, base)))} |`
          );
        }),
    ),
  ];
}

/** The rows of the cluster's same-time rounds: the hit and the one-GET ceiling, each on one Redis and on the cluster. */
export const CLUSTER_SAME_TIME = {
  hit: 'tg-both',
  hitCluster: 'tg-both@cluster',
  ceiling: 'bare-redis',
  ceilingCluster: 'bare-redis@cluster',
} as const;

/**
 * The report's section for `--redis=both`: per workload, the hit's and the
 * one-GET ceiling's cluster/single ratios as medians of rounds in which all
 * four take turns, each round's hit ratio, and what a request cost each.
 */
export function renderClusterSameTime(results: readonly SameTime[]): string[] {
  const { hit, hitCluster, ceiling, ceilingCluster } = CLUSTER_SAME_TIME;
  return section(
    results,
    {
      title: 'On a Redis Cluster against one Redis, same time',
      lead:
        `The hit (tenant-graph, both caches) and the one-GET ceiling, each on one Redis and on the cluster, all four up at once and taking turns, ` +
        `${SAME_TIME_SECONDS} s each, ${SAME_TIME_ROUNDS} rounds: each ratio is the median of the rounds’ ratios, so the machine’s own swings ` +
        'do not fall on one side (the table above compares cells minutes apart). The target: the hit on the cluster within 20% of one Redis.',
      columns: [
        'hit req/s, one Redis (median)',
        'hit cluster/single',
        'ceiling cluster/single',
        'hit cluster/single, each round',
      ],
    },
    (r) => {
      const perRound = roundRatios(r.rounds, hitCluster, hit);
      return {
        cells: [medianRate(r, hit), fixed(median(perRound)), fixed(median(roundRatios(r.rounds, ceilingCluster, ceiling)))],
        rounds: perRound,
      };
    },
    { ids: Object.values(CLUSTER_SAME_TIME), base: hit },
  );
}

/** The rows of the peer's same-time rounds: the hit, and Apollo Server with its response cache (the peer the report's × peer names). */
export const PEER_SAME_TIME = { hit: 'tg-both', peer: 'apollo-rc' } as const;

/**
 * The report's section for the hit against Apollo's response cache: per read
 * workload (many-users included), the medians of the rounds' hit × Apollo RC
 * (the target: 3 or more), each round's, and what a request cost each.
 */
export function renderPeerSameTime(results: readonly SameTime[]): string[] {
  const { hit, peer } = PEER_SAME_TIME;
  return section(
    results,
    {
      title: 'Against Apollo’s response cache, same time',
      lead:
        `The hit (tenant-graph, both caches) and Apollo Server 5 with its response cache, both up at once (each on a fresh database, ` +
        `the many users signed in on each) and taking turns on each read workload, ${SAME_TIME_SECONDS} s each, ${SAME_TIME_ROUNDS} rounds: ` +
        'each ratio is the median of the rounds’ ratios, so the machine’s own swings do not fall on one side (the table above compares ' +
        'cells minutes apart). The target: the hit at 3 × Apollo or more on every read workload.',
      columns: ['hit req/s (median)', 'Apollo RC req/s (median)', 'hit × Apollo RC', 'hit × Apollo RC, each round'],
    },
    (r) => {
      const perRound = roundRatios(r.rounds, hit, peer);
      return { cells: [medianRate(r, hit), medianRate(r, peer), fixed(median(perRound))], rounds: perRound };
    },
    { ids: Object.values(PEER_SAME_TIME), base: hit },
  );
}
