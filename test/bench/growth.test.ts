import { describe, expect, it } from 'vitest';
import { costGrowth, growthOf, type GrowthPoint, type ServerGrowth } from '../../bench/growth.ts';
import { logDomain, renderGrowthChart } from '../../bench/growth-chart.ts';
import { growthSentence, parseGrowthTable, renderGrowth, renderGrowthTable } from '../../bench/growth-report.ts';
import { SCALING_WORKLOADS } from '../../bench/workloads.ts';

const orgs = { acmeMembers: 150, largest: { slug: 'big-org', members: 500 } };

/** Every scaling cell of one server: CPU µs/req from `cpu` (query, rows, connections), req/s and p99 made up. */
function pointsOf(cpu: (query: string, rows: number | null, connections: number) => number | null): GrowthPoint[] {
  return SCALING_WORKLOADS.map((w) => {
    const { query, rows, connections } = w.scaling!;
    return {
      query,
      rows,
      connections,
      requestsPerSecond: 1000 / connections,
      p99: connections * 1.5,
      cpuMicrosPerRequest: cpu(query, rows, connections),
    };
  });
}

/** 100 µs plus 2 µs a returned row at every concurrency; the largest org's page costs `largest` × acme's. */
const linear = (largest: number) => (query: string, rows: number | null) =>
  query === 'deep' ? 900 : (100 + 2 * (rows ?? 0)) * (query === 'largest' ? largest : 1);

describe('how cost grows', () => {
  it('groups the scaling cells by server and leaves the other cells out', () => {
    const cells = [
      {
        serverId: 'tg-entity',
        server: 'E',
        workload: 'scale-org-10@1c',
        requestsPerSecond: 500,
        p99: 3,
        cpuMicrosPerRequest: 120,
      },
      { serverId: 'tg-entity', server: 'E', workload: 'page-load', requestsPerSecond: 900, p99: 2 },
      { serverId: 'tg-both', server: 'B', workload: 'scale-deep@50c', requestsPerSecond: 4000, p99: 20 },
    ];
    const growth = growthOf(cells, SCALING_WORKLOADS);
    expect(growth).toEqual([
      {
        serverId: 'tg-entity',
        server: 'E',
        points: [{ query: 'acme', rows: 10, connections: 1, requestsPerSecond: 500, p99: 3, cpuMicrosPerRequest: 120 }],
      },
      {
        serverId: 'tg-both',
        server: 'B',
        points: [{ query: 'deep', rows: null, connections: 50, requestsPerSecond: 4000, p99: 20, cpuMicrosPerRequest: null }],
      },
    ]);
  });

  it('computes the CPU per returned row, the line through it, and the unreturned rows ratio, at 10 connections', () => {
    const growth = costGrowth(pointsOf((q, rows, c) => linear(1.05)(q, rows) * (c === 10 ? 1 : 3)));
    expect(growth.connections).toBe(10);
    expect(growth.cpu).toEqual({ acme10: 120, acme50: 200, acme100: 300, largest50: 210 });
    expect(growth.microsPerRow).toBeCloseTo(2);
    expect(growth.onLine).toBeCloseTo(1);
    expect(growth.unreturnedRatio).toBeCloseTo(1.05);
  });

  it('falls back to a concurrency that has all four org pages when 10 connections lacks one', () => {
    const points = pointsOf(linear(1)).filter((p) => !(p.connections === 10 && p.query === 'largest'));
    expect(costGrowth(points).connections).toBe(1);
  });

  it('says flat when the rows not returned cost within ±15%, from the numbers', () => {
    const sentence = growthSentence(costGrowth(pointsOf(linear(1.1))), orgs);
    expect(sentence).toMatch(
      /^At 10 connections, each returned row costs 2\.00 CPU µs \(acme's page: 120 µs\/req at first: 10, 300 at first: 100;/,
    );
    expect(sentence).toContain('first: 50 at 200 is 0% above that line: linear (within ±15%))');
    expect(sentence).toContain(
      "the 500-member big-org's first 50 costs 1.10× acme's (150 members; 220 vs 200 µs/req): flat in the rows not returned",
    );
  });

  it('says not flat when they cost more, and not linear when first: 50 leaves the line', () => {
    const sentence = growthSentence(costGrowth(pointsOf(linear(1.2))), orgs);
    expect(sentence).toContain("costs 1.20× acme's");
    expect(sentence).toContain('not flat in the rows not returned (20% more, beyond ±15%)');
    const bent = pointsOf((q, rows) => (q === 'acme' && rows === 50 ? 300 : linear(1)(q, rows)));
    expect(growthSentence(costGrowth(bent), orgs)).toContain(
      'first: 50 at 300 is 50% above that line: not linear (beyond ±15%))',
    );
    expect(growthSentence(costGrowth(pointsOf(linear(0.8))), orgs)).toContain('not flat in the rows not returned (20% less');
  });

  it('says what it cannot compute when cells are missing', () => {
    const onlyDeep = costGrowth(pointsOf(linear(1)).filter((p) => p.query === 'deep'));
    expect(onlyDeep).toMatchObject({ microsPerRow: null, onLine: null, unreturnedRatio: null });
    const sentence = growthSentence(onlyDeep, {
      acmeMembers: 150,
      largest: null,
    });
    expect(sentence).toContain('no cost per returned row');
    expect(sentence).toContain('no comparison of the rows not returned');
  });

  it('tables req/s, p99 and CPU by page size and by connections, and reads them back', () => {
    const table = renderGrowthTable(pointsOf(linear(1)), orgs);
    expect(table[0]).toBe(
      '| query | rows | req/s @1c | req/s @10c | req/s @50c | p99 ms @1c | p99 ms @10c | p99 ms @50c | CPU µs/req @1c | CPU µs/req @10c | CPU µs/req @50c |',
    );
    const rows = parseGrowthTable(table);
    expect(rows.map((r) => r.query)).toEqual([
      'acme, first: 10',
      'acme, first: 50',
      'acme, first: 100',
      'big-org (500 members), first: 50',
      'deep nested',
    ]);
    expect(rows[2]!.values).toEqual({
      rows: 100,
      'req/s @1c': 1000,
      'req/s @10c': 100,
      'req/s @50c': 20,
      'p99 ms @1c': 1.5,
      'p99 ms @10c': 15,
      'p99 ms @50c': 75,
      'CPU µs/req @1c': 300,
      'CPU µs/req @10c': 300,
      'CPU µs/req @50c': 300,
    });
    expect(rows[4]!.values['rows']).toBeNull();
    expect(() => parseGrowthTable(['nothing'])).toThrow(/no growth table/);
  });

  it('renders a section per server with its sentence, table and the chart, and nothing without scaling cells', () => {
    const growth: ServerGrowth[] = [
      { serverId: 'tg-entity', server: 'tenant-graph (entity cache)', points: pointsOf(linear(1)) },
      { serverId: 'tg-both', server: 'tenant-graph (both caches)', points: pointsOf(linear(1.5)) },
    ];
    const lines = renderGrowth({ growth, orgs, timing: { warmupSeconds: 1, durationSeconds: 2 }, chartFile: 'x-scaling.svg' });
    const text = lines.join('\n');
    expect(lines[0]).toBe('## How cost grows');
    expect(text).toContain('![req/s and p99 against rows returned and against connections](x-scaling.svg)');
    expect(text).toContain('each at 1, 10, 50 connections; each cell 1 s warm-up, then 2 s measured.');
    const entity = text.slice(text.indexOf('### tenant-graph (entity cache)'), text.indexOf('### tenant-graph (both caches)'));
    expect(entity).toContain('flat in the rows not returned (within');
    expect(parseGrowthTable(entity.split('\n'))).toHaveLength(5);
    expect(text.slice(text.indexOf('### tenant-graph (both caches)'))).toContain('not flat');
    expect(renderGrowth({ growth: [], orgs, timing: undefined, chartFile: null })).toEqual([]);
  });
});

describe('the growth chart', () => {
  const growth: ServerGrowth[] = [
    { serverId: 'tg-entity', server: 'a <weird> & name', points: pointsOf(linear(1)) },
    { serverId: 'tg-both', server: 'tenant-graph (both caches)', points: pointsOf(linear(1)) },
  ];

  it('draws req/s and p99 against rows and connections: a line per server and query, the largest org hollow', () => {
    const svg = renderGrowthChart(growth, 'title & more');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // Per measure: a rows line per server, and an acme and a deep line per server against connections.
    expect(svg.match(/<polyline /g)).toHaveLength(2 * (2 + 2 * 2));
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(2 * 2);
    expect(svg.match(/<circle [^>]*fill="#ffffff"/g)).toHaveLength(2 * 2);
    // 3 acme rows + 1 largest + 3 acme first: 50 + 3 deep, per server and measure.
    expect(svg.match(/<circle /g)).toHaveLength(2 * 2 * 10);
    expect(svg).toContain('a &lt;weird&gt; &amp; name');
    expect(svg).not.toContain('<weird>');
    expect(svg).toContain('title &amp; more');
    expect(svg).toContain('against rows returned');
    expect(svg).toContain('against connections');
  });

  it('puts its log axes on the 1-2-5 values around the data', () => {
    expect(logDomain([130, 4200])).toEqual([100, 5000]);
    expect(logDomain([0.31, 1.9])).toEqual([0.2, 2]);
    expect(logDomain([100])).toEqual([100, 200]);
    expect(logDomain([])).toEqual([1, 10]);
  });
});
