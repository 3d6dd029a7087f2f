import { describe, expect, it } from 'vitest';
import { parseBenchArgs, runKind } from '../../bench/args.ts';
import { onCluster, renderRedisComparison } from '../../bench/redis-compare.ts';
import { parseTable, renderTable, type Cell } from '../../bench/report.ts';

const cell = (serverId: string, workload: string, rps: number, more: Partial<Cell> = {}): Cell => ({
  serverId,
  server: 'tenant-graph (both caches)',
  workload,
  requests: rps * 3,
  requestsPerSecond: rps,
  p50: 1,
  p99: 4,
  errors: 0,
  sqlPerRequest: 0,
  redisPerRequest: 1,
  redisExecPerRequest: 6,
  peakRssBytes: 2 ** 28,
  hitRatio: 1,
  vsBare: null,
  vsPeer: null,
  sampled: 3,
  problems: [],
  ...more,
});

describe('tenant-graph on a cluster beside one Redis', () => {
  it('pairs each cluster cell with its single-Redis twin of the same workload and gives the ratio', () => {
    const cells = [
      cell('tg-both', 'page-load', 8000),
      cell('tg-both', 'org-page', 7000),
      onCluster(cell('tg-both', 'page-load', 6000, { redisPerRequest: null, redisExecPerRequest: 6.01, p99: 5 })),
      // A cluster cell without a twin (the single run skipped it) is left out.
      onCluster(cell('tg-both', 'deep', 100)),
    ];
    const lines = renderRedisComparison(cells);
    const rows = lines.filter((l) => l.startsWith('| tenant-graph'));
    expect(rows).toEqual([
      '| tenant-graph (both caches) | page-load | 8000 | 6000 | 0.75 | 4.00 | 5.00 | 1.00 | 6.00 | 6.01 | 100.0 |',
    ]);
    expect(renderRedisComparison(cells.slice(0, 2))).toEqual([]);
  });

  it("shows a cluster row apart in the main table, its uncounted Redis/req as '—', and reads it back", () => {
    const rows = parseTable(
      renderTable([cell('tg-both', 'page-load', 8000), onCluster(cell('tg-both', 'page-load', 6000, { redisPerRequest: null }))]),
    );
    expect(rows.map((r) => [r.server, r.redisPerRequest])).toEqual([
      ['tenant-graph (both caches)', 1],
      ['tenant-graph (both caches) [cluster]', null],
    ]);
  });

  it('takes --redis=single|cluster|both, single by default; anything but single is a custom run', () => {
    expect(parseBenchArgs([], {}).redis).toBe('single');
    expect(parseBenchArgs(['--redis=both'], {}).redis).toBe('both');
    expect(runKind(parseBenchArgs(['--redis=cluster'], {}))).toBe('custom');
    expect(() => parseBenchArgs(['--redis=sharded'], {})).toThrow(/single, cluster or both/);
  });
});
