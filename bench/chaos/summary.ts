// The figures of a set of samples, as the report and the tests read them.

import { percentile } from '../load.ts';
import type { Sample } from './traffic.ts';

/** Requests, failures by kind, latency and stale answers of some samples. */
export interface Summary {
  requests: number;
  /** Failed requests by outcome (a code, 'HTTP 500', 'timeout', ...); 'ok' never appears. */
  failures: Record<string, number>;
  failed: number;
  p50: number;
  p99: number;
  max: number;
  stale: number;
  /** The first stale answers, for the report. */
  staleExamples: string[];
  /** Answers that carried something like a stack trace. */
  stacks: number;
}

/** Summarizes `samples` (optionally only those `where` accepts). */
export function summarize(samples: readonly Sample[], where: (s: Sample) => boolean = () => true): Summary {
  const chosen = samples.filter(where);
  const failures: Record<string, number> = {};
  let failed = 0;
  let stale = 0;
  let stacks = 0;
  const staleExamples: string[] = [];
  for (const s of chosen) {
    if (s.outcome !== 'ok') {
      failures[s.outcome] = (failures[s.outcome] ?? 0) + 1;
      failed += 1;
    }
    if (s.stale.length > 0) {
      stale += 1;
      if (staleExamples.length < 5)
        staleExamples.push(`${s.op} on ${s.instance} at ${(s.start / 1000).toFixed(3)} s: ${s.stale[0]}`);
    }
    if (s.stack) stacks += 1;
  }
  const sorted = Float64Array.from(chosen.map((s) => s.ms)).sort();
  return {
    requests: chosen.length,
    failures,
    failed,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : 0,
    stale,
    staleExamples,
    stacks,
  };
}

/** Samples sent within [from, to) ms. */
export const sentBetween = (from: number, to: number) => (s: Sample) => s.start >= from && s.start < to;

/** "SERVICE_UNAVAILABLE 12, timeout 1", or "none". */
export function formatFailures(failures: Record<string, number>): string {
  const entries = Object.entries(failures).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([kind, n]) => `${kind} ${n}`).join(', ');
}
