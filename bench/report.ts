// The results of a run: one row per server and workload, the table printed to
// the terminal and written to bench/results/<date>.md, and a parser of that
// table so the harness's tests (and anyone scripting) can read it back.

import { FIRST_CELL_EXTRA_WARMUP_SECONDS } from './args.ts';
import { growthOf } from './growth.ts';
import { renderGrowth, type OrgSizes } from './growth-report.ts';
import type { InvalidationFigures } from './invalidation.ts';
import { renderInvalidationAtScale } from './invalidation-report.ts';
import { BUSY, type MachineInfo } from './machine.ts';
import { renderRedisComparison } from './redis-compare.ts';
import type { ProfileRow } from './profile.ts';
import { renderClusterSameTime, renderPeerSameTime, renderSameTime, type SameTime } from './same-time.ts';
import type { ScalingPoint } from './workloads.ts';

/** One server × workload measurement. */
export interface Cell {
  serverId: string;
  server: string;
  workload: string;
  requests: number;
  requestsPerSecond: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** Non-2xx, transport errors, errored bodies and failed sampled checks. */
  errors: number;
  /** Statements per request, counted on the wire by the Postgres proxy; null for servers without a database. */
  sqlPerRequest: number | null;
  /** Redis commands per request the server sent, counted by the Redis proxy (exact, this server only); null on a cluster. */
  redisPerRequest: number | null;
  /** Redis commands executed per request, from INFO commandstats (includes commands run by scripts; server-wide). */
  redisExecPerRequest: number;
  peakRssBytes: number;
  /** The server process's CPU time (user + system, all threads) per measured request, µs. */
  cpuMicrosPerRequest?: number;
  /** Self time per request by place and by function, when the run profiles. */
  profile?: { places: ProfileRow[]; functions: ProfileRow[] };
  /** Share of the measured answers the server said came from its response cache; null when it does not say. */
  hitRatio: number | null;
  /** requests/s ÷ the bare server's on the same workload. */
  vsBare: number | null;
  /** requests/s ÷ the peer's on the same workload. */
  vsPeer: number | null;
  /** Responses fully compared with the reference (the rest got the cheap checks only). */
  sampled: number;
  /** The first problems seen, when errors > 0. */
  problems: string[];
  /** The invalidation-at-scale cell's own figures. */
  invalidation?: InvalidationFigures;
}

export interface RunSettings {
  /** full: the default run, whose report is committed; quick: the smoke run; custom: any other options. */
  kind: 'full' | 'quick' | 'custom';
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** The seconds of each scaling cell, when the run has any (their connections are their own). */
  scaling?: { warmupSeconds: number; durationSeconds: number };
}

export interface BenchReport {
  date: string;
  settings: RunSettings;
  machine: MachineInfo;
  cells: Cell[];
  /** Wall-clock time of the whole run. */
  totalSeconds: number;
  /** Workload id → description, in run order; the scaling cells with their place on the growth curves. */
  workloads: { id: string; title: string; scaling?: ScalingPoint }[];
  /** The organizations the scaling cells compare: acme, and the largest (null if no server's database was asked). */
  orgs: OrgSizes;
  /** The name of the peer the "× peer" column divides by. */
  peerName: string | null;
  /** Each server of the run and what a write invalidates in its caches (null: it has none). */
  invalidation: { server: string; invalidates: string | null }[];
  /** The same-time rounds of the hit and its two ceilings (same-time.ts); empty when the run had not all three. */
  sameTime?: SameTime[];
  /** The cluster's same-time rounds (`--redis=both`). */
  clusterSameTime?: SameTime[];
  /** The hit and Apollo's response cache, same time. */
  peerSameTime?: SameTime[];
}

/** Requests/s divided by the bare ceiling's and the peer's, per workload (filled in once every cell is in). */
export function withRatios(cells: Cell[], peerServerId: string | null): Cell[] {
  const rps = (serverId: string | null, workload: string) =>
    cells.find((c) => c.serverId === serverId && c.workload === workload)?.requestsPerSecond ?? null;
  return cells.map((cell) => {
    const bare = rps('bare', cell.workload);
    const peer = rps(peerServerId, cell.workload);
    return {
      ...cell,
      vsBare: bare ? cell.requestsPerSecond / bare : null,
      vsPeer: peer ? cell.requestsPerSecond / peer : null,
    };
  });
}

/** Whether the run failed: any request failed or any response carried errors. */
export function totalErrors(cells: readonly Pick<Cell, 'errors'>[]): number {
  return cells.reduce((sum, c) => sum + c.errors, 0);
}

// ---------------------------------------------------------------------------
// The table

const COLUMNS = [
  'server',
  'workload',
  'req/s',
  'p50 ms',
  'p99 ms',
  'errors',
  'SQL/req',
  'Redis/req',
  'Redis exec/req',
  'CPU µs/req',
  'hit %',
  'peak RSS MB',
  '× bare',
  '× peer',
] as const;

const MB = 1024 * 1024;
const dash = '—';
const fixed = (n: number | null, digits: number) => (n === null ? dash : n.toFixed(digits));

/** The table as Markdown (readable in a terminal too). */
export function renderTable(cells: readonly Cell[]): string {
  const rows = cells.map((c) => [
    c.server,
    c.workload,
    String(Math.round(c.requestsPerSecond)),
    fixed(c.p50, 2),
    fixed(c.p99, 2),
    String(c.errors),
    fixed(c.sqlPerRequest, 2),
    fixed(c.redisPerRequest, 2),
    fixed(c.redisExecPerRequest, 2),
    c.cpuMicrosPerRequest === undefined ? dash : fixed(c.cpuMicrosPerRequest, 0),
    c.hitRatio === null ? dash : (c.hitRatio * 100).toFixed(1),
    fixed(c.peakRssBytes / MB, 0),
    c.vsBare === null ? dash : `${c.vsBare.toFixed(3)}`,
    c.vsPeer === null ? dash : `${c.vsPeer.toFixed(2)}`,
  ]);
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((r) => r[i]!.length)));
  const numeric = (i: number) => i >= 2;
  const line = (cellsOfRow: readonly string[]) =>
    `| ${cellsOfRow.map((text, i) => (numeric(i) ? text.padStart(widths[i]!) : text.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w + 1)}:` : `${'-'.repeat(w + 2)}`)).join('|')}|`;
  return [line(COLUMNS), rule, ...rows.map(line)].join('\n');
}

/** A row of the table read back: numbers as printed (rounded), null for "—". */
export interface ParsedRow {
  server: string;
  workload: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  sqlPerRequest: number | null;
  redisPerRequest: number | null;
  redisExecPerRequest: number;
  cpuMicrosPerRequest: number | null;
  hitPercent: number | null;
  peakRssMB: number;
  vsBare: number | null;
  vsPeer: number | null;
}

/** Reads the table of renderTable (alone or inside a report) back into rows. */
export function parseTable(text: string): ParsedRow[] {
  const lines = text.split('\n').map((l) => l.trim());
  const header = lines.findIndex((l) => l.startsWith('|') && splitRow(l).join('|') === COLUMNS.join('|'));
  if (header < 0) throw new Error('no results table found');
  const rows: ParsedRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const f = splitRow(line);
    if (f.length !== COLUMNS.length) throw new Error(`malformed row: ${line}`);
    const num = (s: string) => {
      const n = Number(s);
      if (!Number.isFinite(n)) throw new Error(`not a number: ${s} in ${line}`);
      return n;
    };
    const maybe = (s: string) => (s === dash ? null : num(s));
    rows.push({
      server: f[0]!,
      workload: f[1]!,
      requestsPerSecond: num(f[2]!),
      p50: num(f[3]!),
      p99: num(f[4]!),
      errors: num(f[5]!),
      sqlPerRequest: maybe(f[6]!),
      redisPerRequest: maybe(f[7]!),
      redisExecPerRequest: num(f[8]!),
      cpuMicrosPerRequest: maybe(f[9]!),
      hitPercent: maybe(f[10]!),
      peakRssMB: num(f[11]!),
      vsBare: maybe(f[12]!),
      vsPeer: maybe(f[13]!),
    });
  }
  return rows;
}

function splitRow(line: string): string[] {
  return line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((s) => s.trim());
}

// ---------------------------------------------------------------------------
// The report

/** One line per server with a cache: what a write makes it drop. */
export function renderInvalidation(servers: BenchReport['invalidation']): string[] {
  const cached = servers.filter((s) => s.invalidates !== null);
  if (cached.length === 0) return ['No server of this run caches anything.'];
  return cached.map((s) => `- **${s.server}**: ${s.invalidates}`);
}

/** The cells of the scaling workloads, which the growth section and its chart show instead of the main chart. */
export function isScalingCell(report: Pick<BenchReport, 'workloads'>, cell: Pick<Cell, 'workload'>): boolean {
  return report.workloads.some((w) => w.id === cell.workload && w.scaling);
}

/**
 * The whole Markdown report; `chartFile` is the main SVG's name beside it,
 * `growthChartFile` the scaling cells' (null: not written, so not linked).
 */
export function renderReport(report: BenchReport, chartFile: string | null, growthChartFile: string | null = null): string {
  const { machine, settings } = report;
  const failures = report.cells.filter((c) => c.errors > 0);
  const lines = [
    `# Benchmark ${report.date}${settings.kind === 'full' ? '' : ` (${settings.kind})`}`,
    '',
    `\`npm run bench${settings.kind === 'quick' ? ' -- --quick' : settings.kind === 'custom' ? ' -- …' : ''}\` on ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}; ` +
      `Node ${machine.node}, ${machine.postgres}, ${machine.redis}; commit ${machine.commit}. ` +
      `Each cell: ${settings.connections} connections, ${settings.warmupSeconds} s warm-up` +
      (settings.kind === 'quick'
        ? ''
        : ` (${FIRST_CELL_EXTRA_WARMUP_SECONDS} s more in the first cell of each server process: its code is still compiling)`) +
      `, then ${settings.durationSeconds} s measured` +
      (settings.scaling ? ' (the scaling cells: see How cost grows); ' : '; ') +
      `whole run ${Math.round(report.totalSeconds)} s. CPUs busy just before the run: ${Math.round(machine.busyAtStart * 100)}%` +
      (machine.busyAtStart >= BUSY ? ' (**other work was running: every figure is lower than on an idle machine**).' : '.'),
    '',
    failures.length === 0
      ? `All ${report.cells.reduce((n, c) => n + c.requests, 0)} measured requests answered 2xx without errors, and all ` +
        `${report.cells.reduce((n, c) => n + c.sampled, 0)} sampled responses matched the reference.`
      : `**${totalErrors(report.cells)} failed requests** in ${failures.map((c) => `${c.server} · ${c.workload}`).join(', ')}.`,
    '',
    renderTable(report.cells),
    ...(chartFile ? ['', `![requests/s and p99 latency per server and workload](${chartFile})`] : []),
    ...withBlankLine(renderSameTime(report.sameTime ?? [])),
    ...withBlankLine(renderPeerSameTime(report.peerSameTime ?? [])),
    ...withBlankLine(renderRedisComparison(report.cells)),
    ...withBlankLine(renderClusterSameTime(report.clusterSameTime ?? [])),
    ...withBlankLine(renderInvalidationAtScale(report.cells)),
    ...withBlankLine(
      renderGrowth({
        growth: growthOf(report.cells, report.workloads),
        orgs: report.orgs,
        timing: settings.scaling,
        chartFile: growthChartFile,
      }),
    ),
    '',
    '## What a write invalidates',
    '',
    ...renderInvalidation(report.invalidation),
    '',
    '## Workloads (as alice, OWNER of acme, on the seeded data, unless said otherwise)',
    '',
    ...report.workloads.map((w) => `- **${w.id}**: ${w.title}`),
    '',
    '## How to read it',
    '',
    `- **× bare**: requests/s over the bare node:http server's, which answers the same bytes without doing any GraphQL: the ceiling for a Node server here (itself bounded by the load generator sharing the cores). The **bare node:http + 1 Redis GET** row is that server fetching the same bytes from Redis with one ioredis GET per request: the ceiling of any cache hit that asks Redis anything (a session, a budget, the answer), so its × bare bounds every hit row's. **× peer**: over ${report.peerName ?? 'the peer'}'s on the same workload.`,
    '- tenant-graph runs as deployed, rate limits included (one Redis script per operation), with budgets raised so the one benchmark user is never refused; the peers have no rate limiting.',
    '- **SQL/req**: statements (`Q` and `E` protocol messages) the server sent to PostgreSQL, counted by a TCP proxy in front of it, so every server is counted the same way and nothing else on the machine is. **Redis/req**: commands the server sent to Redis, counted the same way by a proxy (an `EVALSHA` is one). **Redis exec/req**: `INFO commandstats` deltas: what Redis executed, including the commands Lua scripts run, but server-wide, so anything else using this Redis during the cell shows up too (servers that send nothing, like the bare one, show that background).',
    "- **hit %**: the share of the measured answers the server itself said came from its response cache, counted by the bench on every answer: tenant-graph's `X-Cache: HIT` header, Apollo's `Age` header (set on cache hits only), the stock Yoga peer's `extensions.responseCache.hit` (envelop's `includeExtensionMetadata`). mercurius-cache caches per resolver, so no answer is a whole hit: — there, and in servers without a response cache. In **many-users** every request is the next of 500 users, so this is the real per-viewer hit ratio, not one hot key's.",
    "- **CPU µs/req**: the server process's CPU time (user + system, every thread: GC and I/O included) over the measured part, from `/proc/<pid>/stat`, per request. It is what a request costs, whatever the load generator beside it takes.",
    "- **peak RSS**: the server process's high-water mark during the measured part of the cell (`VmHWM`, reset before it).",
    `- Load generator (autocannon, in the bench's process), server, PostgreSQL and Redis share the machine's ${machine.cpuCount} cores: absolute figures are lower than on dedicated hosts; compare rows with each other.`,
    "- Apollo's response cache has no invalidation: after a write its cached reads stay stale for up to their maxAge (60 s here), which the mixed workload's checks (shape only, since values change) do not penalise.",
  ];
  const profiled = report.cells.filter((c) => c.profile);
  if (profiled.length > 0) lines.push('', ...renderProfiles(profiled));
  if (failures.length > 0) {
    lines.push('', '## Problems', '');
    for (const c of failures)
      for (const p of c.problems) lines.push(`- ${c.server} · ${c.workload}: \`${p.replace(/`/g, "'")}\``);
  }
  return `${lines.join('\n')}\n`;
}

const withBlankLine = (lines: string[]) => (lines.length > 0 ? ['', ...lines] : []);

/** Top rows of a self-time table, µs per request with the share of sampled time. */
export function renderProfileRows(rows: readonly ProfileRow[], top: number): string[] {
  return [
    '| where | µs/req | share |',
    '|---|--:|--:|',
    ...rows
      .slice(0, top)
      .map((r) => `| ${r.place.replace(/\|/g, '\\|')} | ${r.microsPerRequest.toFixed(1)} | ${(r.share * 100).toFixed(1)}% |`),
  ];
}

/** Where each profiled cell's time went: the top 20 by package or file, and the top 20 functions. */
function renderProfiles(cells: readonly Cell[]): string[] {
  const lines = [
    '## Where the time goes (V8 CPU profile of each measured part)',
    '',
    "Self time per request on the server's main thread, idle left out; `(garbage collector)` and `(program)` are V8's own work. The profiler's sampling costs some throughput, so a profiled run is never the committed one.",
  ];
  for (const c of cells) {
    if (!c.profile) continue;
    lines.push('', `### ${c.server} · ${c.workload}`, '');
    lines.push(...renderProfileRows(c.profile.places, 20), '', ...renderProfileRows(c.profile.functions, 20));
  }
  return lines;
}
