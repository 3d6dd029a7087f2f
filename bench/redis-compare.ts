// tenant-graph on a Redis Cluster beside the same cells on one Redis, in the
// same run: the cluster's rows carry `@cluster` in their id, and the
// comparison puts each next to its single-Redis twin.

import type { Cell } from './report.ts';

const CLUSTER_SUFFIX = '@cluster';

/** A cell measured on the cluster, named apart from its single-Redis twin. */
export function onCluster(cell: Cell): Cell {
  return { ...cell, serverId: `${cell.serverId}${CLUSTER_SUFFIX}`, server: `${cell.server} [cluster]` };
}

const fixed = (n: number | null | undefined, digits: number) => (n === null || n === undefined ? '—' : n.toFixed(digits));

/**
 * The cluster/single table: throughput and its ratio (the target: within
 * 20%), p99, and Redis commands per request on each (sent, counted by the
 * proxy on one Redis only; executed, from commandstats summed over the
 * masters). Empty when the run has no cluster cell with a twin.
 */
export function renderRedisComparison(cells: readonly Cell[]): string[] {
  const pairs = cells
    .filter((c) => c.serverId.endsWith(CLUSTER_SUFFIX))
    .map((cluster) => ({
      cluster,
      single: cells.find((c) => `${c.serverId}${CLUSTER_SUFFIX}` === cluster.serverId && c.workload === cluster.workload),
    }))
    .filter((p): p is { cluster: Cell; single: Cell } => p.single !== undefined);
  if (pairs.length === 0) return [];
  return [
    '## On a Redis Cluster (3 masters) against one Redis, same run',
    '',
    '| server | workload | req/s single | req/s cluster | cluster/single | p99 ms single | p99 ms cluster | Redis/req single | Redis exec/req single | Redis exec/req cluster | hit % cluster |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
    ...pairs
      .map(({ single, cluster }) =>
        [
          single.server,
          single.workload,
          Math.round(single.requestsPerSecond),
          Math.round(cluster.requestsPerSecond),
          fixed(cluster.requestsPerSecond / single.requestsPerSecond, 2),
          fixed(single.p99, 2),
          fixed(cluster.p99, 2),
          fixed(single.redisPerRequest, 2),
          fixed(single.redisExecPerRequest, 2),
          fixed(cluster.redisExecPerRequest, 2),
          cluster.hitRatio === null ? '—' : (cluster.hitRatio * 100).toFixed(1),
        ].join(' | '),
      )
      .map((row) => `| ${row} |`),
  ];
}
