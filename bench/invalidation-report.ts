// The invalidation-at-scale cells' own table: the hits' latency while one
// write invalidates many cached answers, against the whole cell, and the
// write's own latency.

import type { Cell } from './report.ts';

/** The hits' p99 the issue sets while one write invalidates 100k answers. */
export const WINDOW_P99_TARGET_MS = 10;

const ms = (n: number) => n.toFixed(2);

/** One row per invalidation-at-scale cell (single Redis and cluster alike); empty when the run has none. */
export function renderInvalidationAtScale(cells: readonly Cell[]): string[] {
  const rows = cells.filter((c) => c.invalidation);
  if (rows.length === 0) return [];
  return [
    '## Invalidation at scale',
    '',
    `Hits of a viewer the write does not concern, while it runs (sent → answered), against the whole measured part; the target is a window p99 under ${WINDOW_P99_TARGET_MS} ms. The write answers only once every answer under its tags is gone; **left** counts the seeded answers the store still served afterwards.`,
    '',
    '| server | answers invalidated | write ms | hits in window | window p50 ms | window p99 ms | window max ms | cell p99 ms | cell max ms | left |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...rows.map((c) => {
      const f = c.invalidation!;
      return `| ${c.server} | ${f.answers} | ${ms(f.writeMs)} | ${f.window.requests} | ${ms(f.window.p50)} | ${ms(f.window.p99)} | ${ms(f.window.max)} | ${ms(c.p99)} | ${ms(f.cellMaxMs)} | ${f.remaining} |`;
    }),
  ];
}
