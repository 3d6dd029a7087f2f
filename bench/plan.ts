// Which cells a server runs, and in which order: the bare ceiling only
// replays, the scaling cells run only on the servers configured for them,
// and reads checked against the references run before any write.

import type { ServerConfig } from './servers.ts';
import type { Workload } from './workloads.ts';

/**
 * The bare server only replays single-read workloads (only the per-page-load
 * one in a quick run, which is a smoke check); the scaling cells run only on
 * servers with `scaling`, the invalidation-at-scale cell only on tenant-graph
 * with a response cache; everything else runs them all.
 */
export function workloadsFor(
  config: Pick<ServerConfig, 'kind' | 'scaling' | 'cacheHit'>,
  workloads: Workload[],
  quick: boolean,
): Workload[] {
  const scaled = config.scaling ? workloads : workloads.filter((w) => !w.scaling);
  // Invalidating cached answers means something only to tenant-graph with its response cache.
  const caches = config.kind === 'tenant-graph' && config.cacheHit !== undefined;
  const own = caches ? scaled : scaled.filter((w) => !w.invalidateAtScale);
  if (config.kind !== 'bare') return own;
  const replayable = own.filter((w) => w.check === 'exact' && w.sequence.length === 1);
  return quick ? replayable.slice(0, 1) : replayable;
}

/**
 * The order a server runs its workloads in: those whose answers must equal
 * the references (recorded on the seeded rows) first, then the others in
 * the order given, since the mixed workload's writes change what acme's page
 * shows (a flag, alice's name) for every later read of that server.
 */
export function runOrder(workloads: readonly Workload[]): Workload[] {
  return [...workloads.filter((w) => w.check === 'exact'), ...workloads.filter((w) => w.check !== 'exact')];
}
