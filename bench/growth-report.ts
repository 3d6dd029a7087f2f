// The report's "How cost grows" section: per server, a sentence computed
// from its scaling cells (what a returned row costs in CPU, whether rows not
// returned cost anything) and a table of req/s, p99 and CPU µs/req by page
// size and by connections; and a parser of that table for tests and scripts.

import {
  connectionsOf,
  costGrowth,
  pointAt,
  TOLERANCE,
  withinTolerance,
  type CostGrowth,
  type GrowthPoint,
  type ServerGrowth,
} from './growth.ts';
import type { ScalingQuery } from './workloads.ts';

/** The organizations the section names: acme's size, and the largest org's slug and size. */
export interface OrgSizes {
  acmeMembers: number;
  largest: { slug: string; members: number } | null;
}

const us = (n: number) => n.toFixed(0);
const percent = (ratio: number) => `${Math.abs((ratio - 1) * 100).toFixed(0)}%`;

/** The sentence of one server: what a returned row costs, and whether rows not returned do. */
export function growthSentence(growth: CostGrowth, orgs: OrgSizes): string {
  const { cpu, microsPerRow, onLine, unreturnedRatio } = growth;
  const at = `At ${growth.connections} connection${growth.connections === 1 ? '' : 's'}`;
  const rows =
    microsPerRow === null || cpu.acme10 === null || cpu.acme100 === null
      ? "the run lacks acme's first: 10 or first: 100, so no cost per returned row"
      : `each returned row costs ${microsPerRow.toFixed(2)} CPU µs (acme's page: ${us(cpu.acme10)} µs/req at first: 10, ` +
        `${us(cpu.acme100)} at first: 100` +
        (onLine === null || cpu.acme50 === null
          ? ')'
          : `; first: 50 at ${us(cpu.acme50)} is ${percent(onLine)} ${onLine >= 1 ? 'above' : 'below'} that line: ` +
            `${withinTolerance(onLine) ? 'linear (within' : 'not linear (beyond'} ±${TOLERANCE * 100}%))`);
  const largest = orgs.largest ? `the ${orgs.largest.members}-member ${orgs.largest.slug}` : 'the largest org';
  const unreturned =
    unreturnedRatio === null || cpu.largest50 === null || cpu.acme50 === null
      ? `the run lacks ${largest}'s or acme's first: 50, so no comparison of the rows not returned`
      : `${largest}'s first 50 costs ${unreturnedRatio.toFixed(2)}× acme's (${orgs.acmeMembers} members; ` +
        `${us(cpu.largest50)} vs ${us(cpu.acme50)} µs/req): ` +
        (withinTolerance(unreturnedRatio)
          ? `flat in the rows not returned (within ±${TOLERANCE * 100}%)`
          : `not flat in the rows not returned (${percent(unreturnedRatio)} ${unreturnedRatio > 1 ? 'more' : 'less'}, beyond ±${TOLERANCE * 100}%)`);
  return `${at}, ${rows}; ${unreturned}.`;
}

const QUERIES: { query: ScalingQuery; rows: number | null }[] = [
  { query: 'acme', rows: 10 },
  { query: 'acme', rows: 50 },
  { query: 'acme', rows: 100 },
  { query: 'largest', rows: 50 },
  { query: 'deep', rows: null },
];

const dash = '—';

/** A server's scaling cells as a Markdown table: a row per query and page size, req/s, p99 and CPU per connections. */
export function renderGrowthTable(points: readonly GrowthPoint[], orgs: OrgSizes): string[] {
  const connections = connectionsOf(points);
  const label = (query: ScalingQuery, rows: number | null) =>
    query === 'acme'
      ? `acme, first: ${rows}`
      : query === 'largest'
        ? `${orgs.largest?.slug ?? 'largest org'}${orgs.largest ? ` (${orgs.largest.members} members)` : ''}, first: ${rows}`
        : 'deep nested';
  const measures: { title: string; value: (p: GrowthPoint) => string }[] = [
    { title: 'req/s', value: (p) => Math.round(p.requestsPerSecond).toString() },
    { title: 'p99 ms', value: (p) => p.p99.toFixed(2) },
    { title: 'CPU µs/req', value: (p) => (p.cpuMicrosPerRequest === null ? dash : p.cpuMicrosPerRequest.toFixed(0)) },
  ];
  const header = ['query', 'rows', ...measures.flatMap((m) => connections.map((c) => `${m.title} @${c}c`))];
  const body = QUERIES.filter((q) => points.some((p) => p.query === q.query && p.rows === q.rows)).map((q) => [
    label(q.query, q.rows),
    q.rows === null ? dash : String(q.rows),
    ...measures.flatMap((m) =>
      connections.map((c) => {
        const point = pointAt(points, q.query, q.rows, c);
        return point ? m.value(point) : dash;
      }),
    ),
  ]);
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    row(header),
    `|---|${header
      .slice(1)
      .map(() => '--:')
      .join('|')}|`,
    ...body.map(row),
  ];
}

/** A growth table read back (cells as printed; "—" as null), so tests and scripts can check what the report says. */
export function parseGrowthTable(lines: readonly string[]): { query: string; values: Record<string, number | null> }[] {
  const split = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((s) => s.trim());
  const start = lines.findIndex((l) => l.startsWith('| query | rows |'));
  if (start < 0) throw new Error('no growth table found');
  const header = split(lines[start]!);
  const rows: { query: string; values: Record<string, number | null> }[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = split(line);
    const values: Record<string, number | null> = {};
    header.slice(1).forEach((title, i) => {
      const text = cells[i + 1]!;
      values[title] = text === dash ? null : Number(text);
    });
    rows.push({ query: cells[0]!, values });
  }
  return rows;
}

/**
 * The report's "How cost grows" section: what the cells are, the chart, and
 * per server its sentence and its table; nothing when the run has no scaling cell.
 */
export function renderGrowth(options: {
  growth: readonly ServerGrowth[];
  orgs: OrgSizes;
  timing: { warmupSeconds: number; durationSeconds: number } | undefined;
  chartFile: string | null;
}): string[] {
  const { growth, orgs } = options;
  if (growth.length === 0) return [];
  const largest = orgs.largest ? `${orgs.largest.slug} (the largest org, ${orgs.largest.members} members)` : 'the largest org';
  const lines = [
    '## How cost grows',
    '',
    `The scaling cells: acme's org page (${orgs.acmeMembers} members) with \`members(first: 10 | 50 | 100)\`, the same page with \`first: 50\` on ${largest}, read as its owner, and the deep query, each at ${connectionsOf(growth.flatMap((g) => g.points)).join(', ')} connections` +
      (options.timing
        ? `; each cell ${options.timing.warmupSeconds} s warm-up, then ${options.timing.durationSeconds} s measured.`
        : '.') +
      ` Cost should grow linearly with the rows returned and not at all with the rows not returned. A row's cost is the slope of CPU µs/req between first: 10 and first: 100; "flat" means within ±${TOLERANCE * 100}%.`,
  ];
  if (options.chartFile) lines.push('', `![req/s and p99 against rows returned and against connections](${options.chartFile})`);
  for (const server of growth) {
    lines.push('', `### ${server.server}`, '', growthSentence(costGrowth(server.points), orgs), '');
    lines.push(...renderGrowthTable(server.points, orgs));
  }
  return lines;
}
