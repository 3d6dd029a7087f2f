import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  measureSameTime,
  median,
  renderClusterSameTime,
  renderPeerSameTime,
  renderSameTime,
  roundRatios,
  type SameTime,
} from '../../bench/same-time.ts';
import type { Operation, Workload } from '../../bench/workloads.ts';

const read: Operation = { name: 'Read', kind: 'read', query: 'query Read { viewer { name } }', variables: () => ({}) };
const workload: Workload = { id: 'page-load', title: 'test', sequence: [read], check: 'exact' };
const good = JSON.stringify({ data: { viewer: { name: 'alice' } } });

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server answering `good`, recording when each request came (ms since `since`). */
async function serve(arrivals: number[], since: number, body = good): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(performance.now() - since);
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

const loadOf = (origin: string) => ({
  origin,
  workload,
  context: { acmeId: '', largestOrgSlug: '' },
  expect: () => ({ mode: 'bytes' as const, body: good }),
  connections: 1,
});

describe('same-time ratios', () => {
  it('takes the median of the rounds, not of the rates', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    const rounds = [
      { bare: 100, hit: 50 },
      { bare: 200, hit: 60 },
      { bare: 100, hit: 40 },
    ];
    // The rounds' ratios are 0.5, 0.3, 0.4; the ratio of the median rates (50 / 100) would say 0.5.
    expect(median(roundRatios(rounds, 'hit', 'bare'))).toBeCloseTo(0.4);
    expect(roundRatios([{ bare: 100 }, { bare: 0, hit: 5 }], 'hit', 'bare')).toEqual([]);
  });

  it('alternates the servers within each round after warming each up', async () => {
    const since = performance.now();
    const a: number[] = [];
    const b: number[] = [];
    const result = await measureSameTime(
      'page-load',
      [
        { id: 'bare', load: loadOf(await serve(a, since)) },
        { id: 'tg-both', load: loadOf(await serve(b, since)) },
      ],
      { rounds: 3, seconds: 0.2 },
    );
    expect(result.errors).toBe(0);
    expect(result.rounds).toHaveLength(3);
    for (const round of result.rounds) expect(Object.keys(round)).toEqual(['bare', 'tg-both']);
    // Warm-up of each, then three rounds of each in turn: the servers' busy spells interleave, four each.
    const spells = (times: number[]) => times.filter((t, i) => i === 0 || t - times[i - 1]! > 100).length;
    expect(spells(a)).toBe(4);
    expect(spells(b)).toBe(4);
    expect(a[0]!).toBeLessThan(b[0]!);
    expect(b[0]!).toBeLessThan(a.at(-1)!);
  });

  it('counts a server answering other bytes as failed requests', async () => {
    const since = performance.now();
    const result = await measureSameTime(
      'page-load',
      [{ id: 'bare', load: loadOf(await serve([], since, JSON.stringify({ data: { viewer: { name: 'bob' } } }))) }],
      { rounds: 1, seconds: 0.2 },
    );
    expect(result.errors).toBeGreaterThan(0);
    expect(renderSameTime([result]).join('\n')).toMatch(/failed requests\*\* in page-load/);
  });

  it('renders each workload with its medians and every round', () => {
    const result: SameTime = {
      workload: 'deep',
      rounds: [
        { bare: 1000, 'bare-head': 800, 'bare-redis': 600, 'tg-both': 500 },
        { bare: 2000, 'bare-head': 1000, 'bare-redis': 700, 'tg-both': 800 },
        { bare: 1000, 'bare-head': 700, 'bare-redis': 500, 'tg-both': 450 },
      ],
      cpu: [],
      errors: 0,
      problems: [],
    };
    const lines = renderSameTime([result]);
    const row = lines.find((line) => line.startsWith('| deep'));
    // head × bare 0.8 0.5 0.7; hit × head 0.625 0.8 0.643; hit × ceiling 0.833 1.143 0.9.
    expect(row).toBe('| deep | 1000 | 0.700 | 0.500 | 0.450 | 0.643 | 0.900 | 0.50 0.40 0.45 |');
    // Without CPU readings there is no CPU table.
    expect(lines.join('\n')).not.toContain('What a request cost');
    expect(renderSameTime([])).toEqual([]);
  });

  it('renders what a request cost each row, medians of the rounds, and the rate ratio CPU alone would give', () => {
    const cpu = (machine: number, server: number, redis: number) => ({ machine, server, redis });
    const result: SameTime = {
      workload: 'page-load',
      rounds: [
        { bare: 1000, 'tg-both': 400 },
        { bare: 1000, 'tg-both': 450 },
        { bare: 1000, 'tg-both': 500 },
      ],
      cpu: [
        { bare: cpu(40, 18, 0), 'tg-both': cpu(100, 47, 20) },
        { bare: cpu(44, 20, 0), 'tg-both': cpu(110, 50, 22) },
        { bare: cpu(38, 17, 1), 'tg-both': cpu(90, 45, 18) },
      ],
      errors: 0,
      problems: [],
    };
    const lines = renderSameTime([result]);
    // The rounds' machine ratios bare/hit: 0.4, 0.4, 0.422; the rest is machine - server - Redis, per round, then the median.
    expect(lines).toContain('| page-load | tg-both | 100.0 | 47.0 | 20.0 | 33.0 | 0.400 | 0.450 |');
    expect(lines).toContain('| page-load | bare | 40.0 | 18.0 | 0.0 | 22.0 | 1.000 | 1.000 |');
    // Rows without a slot in the rounds are left out.
    expect(lines.some((line) => line.includes('| bare-redis |'))).toBe(false);
  });

  it('reads the CPU each slot cost per request: the machine, the server, Redis', async () => {
    const since = performance.now();
    const a: number[] = [];
    const b: number[] = [];
    // Counters that move with the requests served, as CPU time does: 10 µs of machine, 3 of Redis a request; a server's own 5 or 7.
    const served = () => a.length + b.length;
    const result = await measureSameTime(
      'page-load',
      [
        { id: 'bare', load: loadOf(await serve(a, since)), cpuMicros: async () => a.length * 5 },
        { id: 'tg-both', load: loadOf(await serve(b, since)), cpuMicros: async () => b.length * 7 },
      ],
      { rounds: 2, seconds: 0.2, shared: { machine: async () => served() * 10, redis: async () => served() * 3 } },
    );
    expect(result.errors).toBe(0);
    expect(result.cpu).toHaveLength(2);
    for (const round of result.cpu) {
      expect(round['bare']!.machine).toBeCloseTo(10, 0);
      expect(round['bare']!.redis).toBeCloseTo(3, 0);
      expect(round['bare']!.server).toBeCloseTo(5, 0);
      // Only the slot's own server counts: the other's requests were outside its window.
      expect(round['tg-both']!.server).toBeCloseTo(7, 0);
      expect(round['tg-both']!.machine).toBeCloseTo(10, 0);
    }
  });

  it('renders the cluster rounds: the hit and the ceiling cluster/single, medians of the rounds, CPU against the hit on one Redis', () => {
    const cpu = (machine: number) => ({ machine, server: machine / 2, redis: machine / 4 });
    const result: SameTime = {
      workload: 'page-load',
      rounds: [
        { 'tg-both': 1000, 'tg-both@cluster': 900, 'bare-redis': 2000, 'bare-redis@cluster': 1000 },
        { 'tg-both': 1000, 'tg-both@cluster': 700, 'bare-redis': 2000, 'bare-redis@cluster': 1800 },
        { 'tg-both': 2000, 'tg-both@cluster': 1600, 'bare-redis': 2000, 'bare-redis@cluster': 1600 },
      ],
      cpu: [
        { 'tg-both': cpu(100), 'tg-both@cluster': cpu(110) },
        { 'tg-both': cpu(100), 'tg-both@cluster': cpu(125) },
        { 'tg-both': cpu(100), 'tg-both@cluster': cpu(120) },
      ],
      errors: 0,
      problems: [],
    };
    const lines = renderClusterSameTime([result]);
    // Hit ratios 0.9 0.7 0.8 (the ratio of the median rates, 900 / 1000, would say 0.9); the ceiling's 0.5 0.9 0.8.
    expect(lines).toContain('| page-load | 1000 | 0.800 | 0.800 | 0.90 0.70 0.80 |');
    expect(lines).toContain('| page-load | tg-both@cluster | 120.0 | 60.0 | 30.0 | 30.0 | 0.833 | 0.800 |');
    expect(lines.join('\n')).toContain('machine × tg-both');
    expect(lines).toContain(
      '| workload | hit req/s, one Redis (median) | hit cluster/single | ceiling cluster/single | hit cluster/single, each round |',
    );
    expect(lines).toContain('|---|--:|--:|--:|---|');
    expect(renderClusterSameTime([])).toEqual([]);
  });

  it('renders the rounds against Apollo: the median of the rounds’ hit × Apollo RC and every round', () => {
    const result: SameTime = {
      workload: 'many-users',
      rounds: [
        { 'tg-both': 9000, 'apollo-rc': 3000 },
        { 'tg-both': 12000, 'apollo-rc': 3000 },
        { 'tg-both': 14000, 'apollo-rc': 4000 },
      ],
      cpu: [],
      errors: 0,
      problems: [],
    };
    // Rounds 3.0, 4.0, 3.5: the median 3.5 (the median rates would say 12000 / 3000 = 4).
    expect(renderPeerSameTime([result])).toContain('| many-users | 12000 | 3000 | 3.500 | 3.00 4.00 3.50 |');
    expect(renderPeerSameTime([])).toEqual([]);
  });
});
