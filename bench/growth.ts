// How cost grows, read from the scaling cells: each server's points (query,
// page size, connections, and what they measured), and the figures the
// report states from them: what a returned row costs, and whether rows not
// returned cost anything (the largest org's page against acme's, same size).

import type { ScalingPoint, ScalingQuery } from './workloads.ts';

/** A measured cell as this section reads it: report.ts's Cell has these fields, and more. */
export interface MeasuredCell {
  serverId: string;
  server: string;
  workload: string;
  requestsPerSecond: number;
  p99: number;
  cpuMicrosPerRequest?: number;
}

/** One scaling cell of one server: where it sits, and what it measured. */
export interface GrowthPoint extends ScalingPoint {
  requestsPerSecond: number;
  p99: number;
  cpuMicrosPerRequest: number | null;
}

/** A server's scaling cells. */
export interface ServerGrowth {
  serverId: string;
  server: string;
  points: GrowthPoint[];
}

/** How far a ratio may stray from 1 and still be called flat (or a point still on the line). */
export const TOLERANCE = 0.15;

/** The concurrency the sentence prefers: the bench's usual one. */
export const PREFERRED_CONNECTIONS = 10;

/** The scaling cells of a run grouped by server, servers in the order the cells list them. */
export function growthOf(
  cells: readonly MeasuredCell[],
  workloads: readonly { id: string; scaling?: ScalingPoint }[],
): ServerGrowth[] {
  const pointOf = new Map(workloads.flatMap((w) => (w.scaling ? [[w.id, w.scaling] as const] : [])));
  const servers = new Map<string, ServerGrowth>();
  for (const cell of cells) {
    const point = pointOf.get(cell.workload);
    if (!point) continue;
    let growth = servers.get(cell.serverId);
    if (!growth) {
      growth = { serverId: cell.serverId, server: cell.server, points: [] };
      servers.set(cell.serverId, growth);
    }
    growth.points.push({
      ...point,
      requestsPerSecond: cell.requestsPerSecond,
      p99: cell.p99,
      cpuMicrosPerRequest: cell.cpuMicrosPerRequest ?? null,
    });
  }
  return [...servers.values()];
}

/** The point of a query (and page size) at a concurrency, if the run measured it. */
export function pointAt(
  points: readonly GrowthPoint[],
  query: ScalingQuery,
  rows: number | null,
  connections: number,
): GrowthPoint | undefined {
  return points.find((p) => p.query === query && p.rows === rows && p.connections === connections);
}

/** The concurrencies a server's scaling cells ran at, ascending. */
export const connectionsOf = (points: readonly GrowthPoint[]) =>
  [...new Set(points.map((p) => p.connections))].sort((a, b) => a - b);

/** The CPU figures the sentence is computed from, at one concurrency; null where the run lacks the cell. */
export interface CostGrowth {
  connections: number;
  cpu: { acme10: number | null; acme50: number | null; acme100: number | null; largest50: number | null };
  /** CPU µs per returned row: the slope between acme's first: 10 and first: 100. */
  microsPerRow: number | null;
  /** acme's first: 50 over the straight line through first: 10 and first: 100 (1: on the line). */
  onLine: number | null;
  /** CPU(largest org, first: 50) / CPU(acme, first: 50): 1 when rows not returned cost nothing. */
  unreturnedRatio: number | null;
}

/**
 * The figures of the sentence, at the preferred concurrency if the run has
 * all four org-page cells there, else at the first concurrency that does.
 */
export function costGrowth(points: readonly GrowthPoint[]): CostGrowth {
  const cpuAt = (connections: number) => {
    const cpu = (query: ScalingQuery, rows: number) => pointAt(points, query, rows, connections)?.cpuMicrosPerRequest ?? null;
    return { acme10: cpu('acme', 10), acme50: cpu('acme', 50), acme100: cpu('acme', 100), largest50: cpu('largest', 50) };
  };
  const candidates = [PREFERRED_CONNECTIONS, ...connectionsOf(points).filter((c) => c !== PREFERRED_CONNECTIONS)];
  const connections =
    candidates.find((c) => Object.values(cpuAt(c)).every((v) => v !== null)) ??
    candidates.find((c) => points.some((p) => p.connections === c)) ??
    PREFERRED_CONNECTIONS;
  const cpu = cpuAt(connections);
  const microsPerRow = cpu.acme10 !== null && cpu.acme100 !== null ? (cpu.acme100 - cpu.acme10) / 90 : null;
  const line50 = microsPerRow !== null && cpu.acme10 !== null ? cpu.acme10 + 40 * microsPerRow : null;
  return {
    connections,
    cpu,
    microsPerRow,
    onLine: line50 !== null && line50 > 0 && cpu.acme50 !== null ? cpu.acme50 / line50 : null,
    unreturnedRatio: cpu.largest50 !== null && cpu.acme50 !== null && cpu.acme50 > 0 ? cpu.largest50 / cpu.acme50 : null,
  };
}

/** Whether a ratio is within TOLERANCE of 1. */
export const withinTolerance = (ratio: number) => Math.abs(ratio - 1) <= TOLERANCE;
