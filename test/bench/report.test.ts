import { describe, expect, it } from 'vitest';
import { renderChart } from '../../bench/chart.ts';
import { placeOf, selfTime } from '../../bench/profile.ts';
import { SCALING_WORKLOADS } from '../../bench/workloads.ts';
import {
  isScalingCell,
  parseTable,
  renderReport,
  renderTable,
  totalErrors,
  withRatios,
  type BenchReport,
  type Cell,
} from '../../bench/report.ts';

const cell = (serverId: string, server: string, workload: string, rps: number, more: Partial<Cell> = {}): Cell => ({
  serverId,
  server,
  workload,
  requests: Math.round(rps * 10),
  requestsPerSecond: rps,
  p50: 1.234,
  p99: 12.5,
  errors: 0,
  sqlPerRequest: serverId === 'bare' ? null : 5.0312,
  redisPerRequest: 0.004,
  redisExecPerRequest: 2.5,
  peakRssBytes: 123.4 * 2 ** 20,
  hitRatio: null,
  vsBare: null,
  vsPeer: null,
  sampled: 7,
  problems: [],
  ...more,
});

const cells = withRatios(
  [
    cell('bare', 'bare node:http (ceiling)', 'page-load', 12000, { cpuMicrosPerRequest: 51.4 }),
    cell('tg', 'tenant-graph (no cache)', 'page-load', 600),
    cell('apollo-rc', 'Apollo + response cache', 'page-load', 300, { hitRatio: 0.9876 }),
    cell('tg', 'tenant-graph (no cache)', 'mixed', 400),
    cell('apollo-rc', 'Apollo + response cache', 'mixed', 200),
  ],
  'apollo-rc',
);

const report = (rows: Cell[]): BenchReport => ({
  date: '2026-11-23',
  settings: { kind: 'full', connections: 10, warmupSeconds: 2, durationSeconds: 10 },
  machine: {
    cpuCount: 2,
    cpuModel: 'Test CPU',
    memoryGiB: 24,
    os: 'Linux 6',
    node: 'v20.20.2',
    postgres: 'PostgreSQL 15',
    redis: 'Redis 7',
    commit: 'abc1234',
    busyAtStart: 0.03,
  },
  cells: rows,
  totalSeconds: 201,
  workloads: [
    { id: 'page-load', title: 'the per-page-load query' },
    { id: 'mixed', title: 'mixed' },
  ],
  peerName: 'Apollo + response cache',
  orgs: { acmeMembers: 150, largest: { slug: 'big-org', members: 500 } },
  invalidation: [
    { server: 'tenant-graph (no cache)', invalidates: null },
    { server: 'Apollo + response cache', invalidates: 'nothing: TTL only' },
    { server: 'Mercurius + mercurius-cache', invalidates: 'flags:<orgId> on setFeatureFlag' },
  ],
});

describe('the results table', () => {
  it('computes ratios against the bare ceiling and the peer, per workload', () => {
    const tg = cells.find((c) => c.serverId === 'tg' && c.workload === 'page-load')!;
    expect(tg.vsBare).toBeCloseTo(0.05);
    expect(tg.vsPeer).toBeCloseTo(2);
    // No bare run of the mixed workload: no ratio, not a zero.
    expect(cells.find((c) => c.serverId === 'tg' && c.workload === 'mixed')!.vsBare).toBeNull();
  });

  it('reads back what it printed', () => {
    const rows = parseTable(renderTable(cells));
    expect(rows).toHaveLength(cells.length);
    expect(rows[0]).toEqual({
      server: 'bare node:http (ceiling)',
      workload: 'page-load',
      requestsPerSecond: 12000,
      p50: 1.23,
      p99: 12.5,
      errors: 0,
      sqlPerRequest: null,
      redisPerRequest: 0,
      redisExecPerRequest: 2.5,
      cpuMicrosPerRequest: 51,
      hitPercent: null,
      peakRssMB: 123,
      vsBare: 1,
      vsPeer: 40,
    });
    expect(rows[1]).toMatchObject({ server: 'tenant-graph (no cache)', sqlPerRequest: 5.03, vsBare: 0.05, vsPeer: 2 });
    // A cell measured without the server's CPU time prints a dash, read back as null.
    expect(rows[1]?.cpuMicrosPerRequest).toBeNull();
    expect(rows[3]).toMatchObject({ workload: 'mixed', vsBare: null });
    expect(rows[2]).toMatchObject({ server: 'Apollo + response cache', hitPercent: 98.8 });
  });

  it('lists what a write invalidates for each server with a cache, and only those', () => {
    const markdown = renderReport(report(cells), 'x.svg');
    const section = markdown.slice(markdown.indexOf('## What a write invalidates'), markdown.indexOf('## Workloads'));
    expect(section).toContain('- **Apollo + response cache**: nothing: TTL only');
    expect(section).toContain('- **Mercurius + mercurius-cache**: flags:<orgId> on setFeatureFlag');
    expect(section).not.toContain('tenant-graph (no cache)');
    expect(renderReport({ ...report(cells), invalidation: [] }, 'x.svg')).toContain('No server of this run caches anything.');
  });

  it('reads the table back out of the whole Markdown report', () => {
    const markdown = renderReport(report(cells), '2026-11-23.svg');
    expect(markdown).toContain('![requests/s and p99 latency');
    expect(markdown).toContain('2 × Test CPU');
    expect(markdown).toMatch(/without errors, and all 35 sampled responses matched/);
    expect(parseTable(markdown).map((r) => r.errors)).toEqual([0, 0, 0, 0, 0]);
  });

  it('shows failures in the report and its table, so a failed run cannot pass for a good one', () => {
    const failed = cells.map((c) =>
      c.serverId === 'tg' && c.workload === 'mixed' ? { ...c, errors: 3, problems: ['SetFeatureFlag: HTTP 500: boom'] } : c,
    );
    expect(totalErrors(failed)).toBe(3);
    const markdown = renderReport(report(failed), 'x.svg');
    expect(markdown).toContain('**3 failed requests** in tenant-graph (no cache) · mixed');
    expect(markdown).toContain('SetFeatureFlag: HTTP 500: boom');
    expect(totalErrors(parseTable(markdown))).toBe(3);
  });

  it('refuses text without its table', () => {
    expect(() => parseTable('# nothing here')).toThrow(/no results table/);
  });
});

describe('the scaling cells in the report', () => {
  const scaling = SCALING_WORKLOADS.map((w, i) =>
    cell('tg-entity', 'tenant-graph (entity cache)', w.id, 100 * (i + 1), { cpuMicrosPerRequest: 200 + i }),
  );
  const withScaling = (): BenchReport => {
    const base = report(withRatios([...cells, ...scaling], 'apollo-rc'));
    return {
      ...base,
      settings: { ...base.settings, scaling: { warmupSeconds: 1, durationSeconds: 2 } },
      workloads: [...base.workloads, ...SCALING_WORKLOADS.map((w) => ({ id: w.id, title: w.title, scaling: w.scaling! }))],
    };
  };

  it('are rows of the main table, each with its own id, read back like the others', () => {
    const rows = parseTable(renderTable(withScaling().cells));
    expect(rows).toHaveLength(cells.length + SCALING_WORKLOADS.length);
    const scaled = rows.filter((r) => r.workload.startsWith('scale-'));
    expect(scaled.map((r) => r.workload)).toEqual(SCALING_WORKLOADS.map((w) => w.id));
    expect(scaled[4]).toMatchObject({
      workload: 'scale-org-50@10c',
      requestsPerSecond: 500,
      cpuMicrosPerRequest: 204,
      vsBare: null,
    });
  });

  it('get a "How cost grows" section with its chart, between the table and the invalidation', () => {
    const markdown = renderReport(withScaling(), '2026-12-02.svg', '2026-12-02-scaling.svg');
    const section = markdown.slice(markdown.indexOf('## How cost grows'), markdown.indexOf('## What a write invalidates'));
    expect(section).toContain('![req/s and p99 against rows returned and against connections](2026-12-02-scaling.svg)');
    expect(section).toContain('### tenant-graph (entity cache)');
    expect(section).toContain('with `first: 50` on big-org (the largest org, 500 members)');
    // At 10 connections: CPU 201 at first: 10, 207 at first: 100, so (207 - 201) / 90 per row.
    expect(section).toContain('each returned row costs 0.07 CPU µs');
    expect(section).toContain("the 500-member big-org's first 50 costs 1.03× acme's");
    expect(markdown).toContain('(the scaling cells: see How cost grows)');
    expect(parseTable(markdown)).toHaveLength(cells.length + SCALING_WORKLOADS.length);
  });

  it('leave the report as it was when the run has none, and the main chart out when it has nothing else', () => {
    const markdown = renderReport(report(cells), 'x.svg');
    expect(markdown).not.toContain('How cost grows');
    expect(markdown).toContain('](x.svg)');
    const scalingOnly = { ...withScaling(), cells: scaling };
    expect(renderReport(scalingOnly, null, 'y-scaling.svg')).not.toContain('![requests/s and p99 latency');
    expect(scaling.every((c) => isScalingCell(scalingOnly, c))).toBe(true);
    expect(cells.some((c) => isScalingCell(scalingOnly, c))).toBe(false);
  });
});

describe('the chart', () => {
  it('draws a bar per cell in each of its two panels, with escaped names', () => {
    const svg = renderChart(withRatios([...cells, cell('x', 'a <weird> & name', 'page-load', 10)], null), 'title & more');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="16"/g)).toHaveLength((cells.length + 1) * 2);
    expect(svg).toContain('a &lt;weird&gt; &amp; name');
    expect(svg).not.toContain('<weird>');
    expect(svg).toContain('12,000');
  });
});

describe('where the time goes', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 3, 4, 6] },
      { id: 2, callFrame: { functionName: '(idle)', url: '' } },
      { id: 3, callFrame: { functionName: 'serve', url: 'file:///repo/src/http/hot-path.ts' }, children: [5] },
      { id: 4, callFrame: { functionName: 'parse', url: 'file:///repo/node_modules/@scope/pkg/lib/x.js' } },
      { id: 5, callFrame: { functionName: 'writev', url: '' } },
      { id: 6, callFrame: { functionName: '', url: 'file:///repo/bench/profiler-hook.ts' }, children: [7] },
      { id: 7, callFrame: { functionName: 'post', url: 'node:inspector' } },
    ],
    samples: [2, 3, 3, 4, 5, 7, 6],
    timeDeltas: [1000, 100, 100, 200, 400, 5000, 5000],
  };

  it('sums self time per place and per function, per request, leaving out idle and the profiler itself', () => {
    expect(selfTime(profile, 2, 'place')).toEqual([
      { place: '(native or generated)', microsPerRequest: 200, share: 0.5 },
      { place: 'src/http/hot-path.ts', microsPerRequest: 100, share: 0.25 },
      { place: '@scope/pkg', microsPerRequest: 100, share: 0.25 },
    ]);
    expect(selfTime(profile, 2, 'function').map((r) => r.place)).toEqual([
      'writev · (native or generated)',
      'serve · src/http/hot-path.ts',
      'parse · @scope/pkg',
    ]);
  });

  it('names places: packages (scoped too), our files, node modules, V8', () => {
    expect(placeOf('file:///a/node_modules/x/node_modules/ioredis/built/Redis.js', 'f')).toBe('ioredis');
    expect(placeOf('file:///a/node_modules/@envelop/core/cjs/x.js', 'f')).toBe('@envelop/core');
    expect(placeOf('file:///work/main/src/cache/keys.ts', 'f')).toBe('src/cache/keys.ts');
    expect(placeOf('node:_http_server', 'f')).toBe('node:_http_server');
    expect(placeOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(placeOf('', 'Hash')).toBe('(native or generated)');
  });
});
