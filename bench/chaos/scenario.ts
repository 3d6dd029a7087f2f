// What every scenario gets and gives back.

import type { Cast } from './cast.ts';
import type { Cluster } from './cluster.ts';
import type { PrefixAudit } from './redis-audit.ts';
import type { Summary } from './summary.ts';
import type { Sample, Traffic, TrafficOptions, WriterState } from './traffic.ts';

/** The world a scenario runs in. */
export interface ScenarioContext {
  cluster: Cluster;
  cast: Cast;
  /** The writes of every scenario so far: one per cluster, since each scenario starts from where the last left the data. */
  writer: WriterState;
  audit: PrefixAudit;
  /** The load every scenario drives (its writer included). */
  load: Omit<TrafficOptions, 'writeEveryMs'> & { writeEveryMs: number };
  /** One progress line. */
  log: (line: string) => void;
}

/** One row of the report: a part of the scenario and its figures. */
export interface Phase {
  label: string;
  summary: Summary;
}

/** A scenario's outcome: its phases' figures, recovery, and named checks with what was seen. */
export interface ScenarioResult {
  id: string;
  title: string;
  phases: Phase[];
  /** ms from the end of the fault until every answer was right and fast again; null when it never was. */
  recoveryMs: number | null;
  /** What the scenario promises, each with whether it held and what was seen. */
  checks: { name: string; ok: boolean; seen: string }[];
  /** Reads the load did not send because too many were unanswered. */
  skipped: number;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * ms from `restoredAt` to the start of the first sample after which every
 * sample (sent after `restoredAt`) was ok and faster than `normalMs`: how long
 * the instances took to be themselves again. Null when the last one was not.
 */
export function recoveryAfter(samples: readonly Sample[], restoredAt: number, normalMs: number): number | null {
  const after = samples.filter((s) => s.start >= restoredAt).sort((a, b) => a.start - b.start);
  if (after.length === 0) return null;
  let lastBad = -1;
  after.forEach((s, i) => {
    if (s.outcome !== 'ok' || s.stale.length > 0 || s.ms > normalMs) lastBad = i;
  });
  if (lastBad === after.length - 1) return null;
  return Math.max(0, after[lastBad + 1]!.start - restoredAt);
}

/** Logs the first stale answers and the writes to what they showed, to tell a race from a lost invalidation. */
export function explainStale(ctx: Pick<ScenarioContext, 'log'>, traffic: Traffic): void {
  const stale = traffic.samples.filter((s) => s.stale.length > 0).sort((x, y) => x.start - y.start);
  if (stale.length === 0) return;
  for (const s of stale.slice(0, 5)) {
    ctx.log(
      `  stale: ${s.op} on ${s.instance} (${s.role}), sent ${s.start.toFixed(0)} ms, answered ${s.end.toFixed(0)} ms, ${s.hit ? 'cache hit' : 'executed'}: ${s.stale[0]}`,
    );
  }
  const first = stale[0]!;
  const target = first.stale[0]!.split(': ')[0]!;
  const at = (abs: number) => abs - traffic.epochMs;
  for (const w of traffic.ledger.history(target)) {
    if (at(w.startedAt) > first.end + 1_000 || at(w.startedAt) < first.start - 3_000) continue;
    const acked = w.ackedAt === null ? 'not yet' : `${at(w.ackedAt).toFixed(0)} ms`;
    ctx.log(`  write to ${target}: ${JSON.stringify(w.value)} sent ${at(w.startedAt).toFixed(0)} ms, acknowledged ${acked}`);
  }
}

/** Starts the load, runs `body`, and always stops the load (waiting for every answer). */
export async function withTraffic<T>(traffic: Traffic, body: () => Promise<T>): Promise<T> {
  traffic.start();
  try {
    return await body();
  } finally {
    await traffic.stop();
    traffic.close();
  }
}
