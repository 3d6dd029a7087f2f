// What one `npm run bench` carries from cell to cell, and what every part of
// it asks of a server: the expected answers, who sends the requests, the load
// of a cell, signing in. run.ts drives the cells with it, same-time-runs.ts
// the side-by-side rounds.

import { viewerCount, type BenchArgs, type CellTiming } from './args.ts';
import type { Expectation } from './check.ts';
import { logInAlice, workloadContext, type Reference } from './client.ts';
import type { ServerProcess } from './process.ts';
import type { RedisTarget } from './redis-target.ts';
import type { Cell } from './report.ts';
import type { SameTime } from './same-time.ts';
import type { ServerConfig } from './servers.ts';
import { issueSessions, seededAccounts, type LargestOrg } from './viewers.ts';
import { senderOf, type Operation, type Sender, type Workload, type WorkloadContext } from './workloads.ts';

export const log = (line: string) => console.log(line);

/** What a sampled response must be: same bytes from tenant-graph and the replaying ceiling, same data from peers. */
export function expectation(
  config: ServerConfig,
  workload: Workload,
  op: Operation,
  references: Map<string, Reference>,
): Expectation {
  if (op.kind === 'write') return { mode: 'ok' };
  if (workload.check === 'template') {
    if (!workload.template) throw new Error(`${workload.id} has no template to check against`);
    return { mode: 'template', template: workload.template };
  }
  const reference = references.get(op.name);
  if (!reference) throw new Error(`no reference response for ${op.name}`);
  if (workload.check === 'shape') return { mode: 'shape', data: reference.data };
  return config.kind === 'peer' ? { mode: 'data', data: reference.data } : { mode: 'bytes', body: reference.body };
}

export interface Run {
  args: BenchArgs;
  /** The Redis the current server runs on. */
  redis: RedisTarget;
  /** The seconds of each workload's cells, and of each scaling cell. */
  timing: CellTiming;
  scalingTiming: CellTiming;
  references: Map<string, Reference>;
  /** The organization the scaling cells compare acme with, once a server's database has been asked. */
  largestOrg: Omit<LargestOrg, 'owner'> | null;
  cells: Cell[];
  /** Where profiled servers write their profiles; undefined without --profile. */
  profileDir: string | undefined;
  /** The same-time rounds (same-time.ts), once measured; null when this run does not measure them. */
  sameTime: SameTime[] | null;
  /** The cluster's same-time rounds (`--redis=both`), once measured; null when this run does not measure them. */
  clusterSameTime: SameTime[] | null;
  /** The hit's same-time rounds with Apollo's response cache, once measured; null when this run does not measure them. */
  peerSameTime: SameTime[] | null;
}

export const timingOf = (run: Run, workload: Workload) => (workload.scaling ? run.scalingTiming : run.timing);

/** The services a server of this run gets: the run's database server and the current Redis. */
export const servicesOf = (run: Run) => ({ databaseUrl: run.args.databaseUrl, ...run.redis.services });

/** Alice's token and the ids the workloads name, from this server process. */
export async function signIn(
  server: ServerProcess,
  largestOrgSlug: string,
): Promise<{ token: string; context: WorkloadContext }> {
  const token = await logInAlice(server.origin);
  return { token, context: await workloadContext(server.origin, token, largestOrgSlug) };
}

/** Signs in as many seeded users as the workloads rotate through (none for most runs), in the server's own database. */
export async function signInViewers(
  config: ServerConfig,
  databaseUrl: string,
  workloads: Workload[],
  args: BenchArgs,
): Promise<string[]> {
  const count = Math.max(0, ...workloads.map((w) => viewerCount(w, args)));
  if (count === 0) return [];
  const tokens = await issueSessions(databaseUrl, seededAccounts(count));
  log(`  ${config.name}: signed in ${count} users`);
  return tokens;
}

/** Who a cell's requests come from: alice, the largest org's owner, or (many-users) the signed-in viewers in turn. */
export interface Who {
  token?: string;
  largestOrgToken?: string;
  viewers?: readonly string[];
  context: WorkloadContext;
}

/** No one signed in: for the ceilings, which answer every request alike. */
export const NOBODY: Who = { context: { acmeId: '', largestOrgSlug: '' } };

export const tokenOf = (sender: Sender | undefined, who: Who) =>
  sender === 'largest-org-member' ? who.largestOrgToken : who.token;

/** The load of one cell, shared by its counted and its timed pass. */
export function cellLoad(config: ServerConfig, server: ServerProcess, workload: Workload, who: Who, run: Run) {
  const tokens = workload.viewers && who.viewers ? who.viewers.slice(0, viewerCount(workload, run.args)) : undefined;
  const token = tokenOf(senderOf(workload), who);
  return {
    config,
    process: server,
    ...(tokens ? { tokens } : {}),
    load: {
      ...(token ? { token } : {}),
      ...(config.cacheHit ? { cacheHit: config.cacheHit } : {}),
      workload,
      context: who.context,
      connections: workload.connections ?? run.args.connections,
      expect: (op: Operation) => expectation(config, workload, op, run.references),
    },
    settleMs: run.args.quick ? 50 : 250,
  };
}
