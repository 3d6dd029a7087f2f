// Same-time ratios: the bare ceiling, the one-GET ceiling and tenant-graph's
// cache hit measured in alternation, a few seconds each, with all three
// servers up at once. On the shared 2-core machines here the machine's own
// speed changes within seconds: the bare server alone answered 21k, then
// 34k req/s in 3 s runs of one process a few seconds apart, and a hit 8.7k,
// then 15.4k. A ratio of two cells measured minutes apart carries that swing
// whole; within a round the servers meet the machine in nearly the same
// state, and the median of the rounds' ratios is the ratio the report gives.

import { failureCount, runLoad, type LoadOptions } from './load.ts';

/** Rounds per workload, and seconds per server in each (after one warm-up of as long per server). */
export const SAME_TIME_ROUNDS = 5;
export const SAME_TIME_SECONDS = 2;

/** The server ids a same-time measurement alternates: the two ceilings and the hit. */
export const SAME_TIME_SERVERS = { bare: 'bare', ceiling: 'bare-redis', hit: 'tg-both' } as const;

/** One server taking part: its id and its load, as its own cell would send it. */
export interface SameTimeTarget {
  id: string;
  load: Omit<LoadOptions, 'durationSeconds' | 'requests'>;
}

/** A workload's rounds: in each, every server's requests/s, by id. */
export interface SameTime {
  workload: string;
  rounds: Record<string, number>[];
  /** Requests that failed or answered errors, warm-ups included: any fails the run. */
  errors: number;
  problems: string[];
}

/** Warms each server up once, then measures them one after the other, `rounds` times. */
export async function measureSameTime(
  workload: string,
  targets: readonly SameTimeTarget[],
  rounds = SAME_TIME_ROUNDS,
  seconds = SAME_TIME_SECONDS,
): Promise<SameTime> {
  const result: SameTime = { workload, rounds: [], errors: 0, problems: [] };
  const once = async (target: SameTimeTarget) => {
    const load = await runLoad({ ...target.load, durationSeconds: seconds });
    result.errors += failureCount(load);
    result.problems.push(...load.problems.map((p) => `${target.id}: ${p}`));
    return load.requestsPerSecond;
  };
  for (const target of targets) await once(target);
  for (let r = 0; r < rounds; r++) {
    const round: Record<string, number> = {};
    for (const target of targets) round[target.id] = await once(target);
    result.rounds.push(round);
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

/** The report's section: per workload, the median of the rounds' ratios, and each round's hit × bare. */
export function renderSameTime(results: readonly SameTime[]): string[] {
  if (results.length === 0) return [];
  const { bare, ceiling, hit } = SAME_TIME_SERVERS;
  const fixed = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '—');
  return [
    '## Same-time ratios',
    '',
    `The three rows a hit is judged by, measured again in alternation: bare, bare + 1 Redis GET, tenant-graph (both caches), ${SAME_TIME_SECONDS} s each, ` +
      `${SAME_TIME_ROUNDS} rounds, all three servers up at once. On these machines the speed of the machine itself changes within seconds, ` +
      'so the table above, whose cells are minutes apart, can pair a fast moment of one server with a slow one of another; ' +
      'here each ratio is the median of the rounds’ ratios.',
    '',
    '| workload | bare req/s (median) | ceiling × bare | hit × bare | hit × ceiling | hit × bare, each round |',
    '|---|--:|--:|--:|--:|---|',
    ...results.map((r) => {
      const perRound = roundRatios(r.rounds, hit, bare);
      return (
        `| ${r.workload} | ${Math.round(median(r.rounds.flatMap((round) => (round[bare] === undefined ? [] : [round[bare]]))))} ` +
        `| ${fixed(median(roundRatios(r.rounds, ceiling, bare)))} | ${fixed(median(perRound))} ` +
        `| ${fixed(median(roundRatios(r.rounds, hit, ceiling)))} | ${perRound.map((x) => x.toFixed(2)).join(' ')} |`
      );
    }),
    ...results
      .filter((r) => r.errors > 0)
      .map((r) => `\n**${r.errors} failed requests** in ${r.workload}'s rounds: \`${(r.problems[0] ?? '').replace(/`/g, "'")}\``),
  ];
}
