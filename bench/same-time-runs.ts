// The side-by-side rounds of a full run (same-time.ts measures and renders
// them): the hit with bare, bare sending the hit's head and the one-GET
// ceiling; the hit on one Redis and on a cluster; the hit and Apollo's
// response cache. Each set starts the servers it needs beside one another.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { warmupOf } from './args.ts';
import { warmUp } from './cell.ts';
import { headOf } from './client.ts';
import { cloneDatabase } from './database.ts';
import { directWiring, withCleanup, withServer } from './lifecycle.ts';
import { machineBusyMicros } from './machine.ts';
import { workloadsFor } from './plan.ts';
import type { ServerProcess } from './process.ts';
import type { RedisTarget } from './redis-target.ts';
import { cellLoad, log, NOBODY, type Run, servicesOf, signIn, signInViewers, tokenOf, type Who } from './run-state.ts';
import {
  CLUSTER_SAME_TIME,
  measureSameTime,
  PEER_SAME_TIME,
  SAME_TIME_SERVERS,
  type SameTime,
  type SameTimeTarget,
} from './same-time.ts';
import { redisPrefix, SERVERS, type ServerConfig } from './servers.ts';
import { largestOrg, tokenRotation } from './viewers.ts';
import type { Workload } from './workloads.ts';

/** A server taking part in the rounds: its load as its own cell would send it (the many users' tokens in turn), and its CPU time. */
function targetOf(id: string, config: ServerConfig, process: ServerProcess, workload: Workload, who: Who, run: Run) {
  const cell = cellLoad(config, process, workload, who, run);
  return {
    id,
    load: { ...cell.load, origin: process.origin, ...(cell.tokens ? { nextToken: tokenRotation(cell.tokens) } : {}) },
    cpuMicros: () => process.cpuMicros(),
    tokens: cell.tokens,
  };
}

/** The CPU every server of the rounds shares: the whole machine's, and that of the Redis deployments given. */
const sharedCpu = (...targets: RedisTarget[]) => ({
  machine: machineBusyMicros,
  redis: async () => (await Promise.all(targets.map((t) => t.stats.cpuMicros()))).reduce((sum, micros) => sum + micros, 0),
});

/** Measures one workload's rounds into `into`, logging its failed requests. */
async function roundsInto(into: SameTime[], workload: Workload, targets: SameTimeTarget[], redis: RedisTarget[]): Promise<void> {
  log(`  same-time rounds · ${workload.id}: ${targets.map((t) => t.id).join(', ')} in turn`);
  const result = await measureSameTime(workload.id, targets, { shared: sharedCpu(...redis) });
  into.push(result);
  if (result.errors > 0) log(`    ${result.errors} ERRORS: ${result.problems[0] ?? ''}`);
}

/**
 * The same-time rounds of each replayable read (same-time.ts): the bare
 * ceiling, bare sending the hit's head, and the one-GET ceiling started
 * beside the hit's own timed process, which the workloads above left warm.
 */
export async function benchSameTime(
  config: ServerConfig,
  timed: ServerProcess,
  who: Who,
  workloads: Workload[],
  into: SameTime[],
  run: Run,
): Promise<void> {
  const bare = SERVERS.find((s) => s.id === SAME_TIME_SERVERS.bare)!;
  const withHead: ServerConfig = { ...bare, id: SAME_TIME_SERVERS.head, name: "bare node:http with a hit's head" };
  const ceiling = SERVERS.find((s) => s.id === SAME_TIME_SERVERS.ceiling)!;
  const dir = await mkdtemp(join(tmpdir(), 'tg-same-time-'));
  const target = (server: ServerConfig, process: ServerProcess, workload: Workload, as: Who) =>
    targetOf(server.id, server, process, workload, as, run);
  await withCleanup(
    async () => {
      await rm(dir, { recursive: true, force: true });
      await run.redis.stats.deletePrefix(redisPrefix(ceiling));
    },
    async () => {
      for (const workload of workloadsFor(bare, workloads, false)) {
        const op = workload.sequence[0]!;
        const file = join(dir, `${workload.id}.json`);
        await writeFile(file, run.references.get(op.name)!.body);
        // The head the warm hit answers with now: a miss's would not be the head measured.
        const head = await headOf(timed.origin, op, tokenOf(op.sender, who), who.context);
        if (head['x-cache'] !== 'HIT')
          throw new Error(`same-time rounds: ${workload.id} is not a hit on ${config.id} (X-Cache: ${head['x-cache']})`);
        const headFile = join(dir, `${workload.id}.head.json`);
        await writeFile(headFile, JSON.stringify(head));
        const wiring = directWiring(servicesOf(run), null);
        await withServer(bare, wiring, { BARE_RESPONSE_FILE: file }, (bareServer) =>
          withServer(withHead, wiring, { BARE_RESPONSE_FILE: file, BARE_HEADERS_FILE: headFile }, (headServer) =>
            withServer(ceiling, wiring, { BARE_RESPONSE_FILE: file }, (ceilingServer) =>
              roundsInto(
                into,
                workload,
                [
                  target(bare, bareServer, workload, NOBODY),
                  target(withHead, headServer, workload, NOBODY),
                  target(ceiling, ceilingServer, workload, NOBODY),
                  target(config, timed, workload, who),
                ],
                [run.redis],
              ),
            ),
          ),
        );
      }
    },
  );
}

/**
 * The cluster's same-time rounds (`--redis=both`): tenant-graph (both caches)
 * on one Redis and on the cluster, on one fresh database, and the one-GET
 * ceiling on each, all four up at once, taking turns on each replayable read.
 * Cells minutes apart gave page-load cluster/single 1.06 in one run and 0.69
 * in another; side by side, both meet the machine's same moments.
 */
export async function benchClusterSameTime(
  run: Run,
  single: RedisTarget,
  cluster: RedisTarget,
  workloads: Workload[],
  into: SameTime[],
): Promise<void> {
  const hit = SERVERS.find((s) => s.id === CLUSTER_SAME_TIME.hit)!;
  const ceiling = SERVERS.find((s) => s.id === CLUSTER_SAME_TIME.ceiling)!;
  const db = await cloneDatabase(run.args.databaseUrl, 'cluster-same-time');
  const dir = await mkdtemp(join(tmpdir(), 'tg-cluster-same-time-'));
  const on = (target: RedisTarget, database: string | null) =>
    directWiring({ databaseUrl: run.args.databaseUrl, ...target.services }, database);
  log('same-time rounds on the Redis Cluster against one Redis');
  await withCleanup(
    async () => {
      await rm(dir, { recursive: true, force: true });
      for (const target of [single, cluster])
        for (const config of [hit, ceiling]) await target.stats.deletePrefix(redisPrefix(config));
      await db.drop();
    },
    () =>
      withServer(hit, on(single, db.url), {}, (hitSingle) =>
        withServer(hit, on(cluster, db.url), {}, async (hitCluster) => {
          const largest = await largestOrg(db.url);
          const who = async (server: ServerProcess) => signIn(server, largest.slug);
          const [whoSingle, whoCluster] = [await who(hitSingle), await who(hitCluster)];
          const target = (id: string, config: ServerConfig, process: ServerProcess, workload: Workload, as: Who) =>
            targetOf(id, config, process, workload, as, run);
          for (const workload of workloadsFor(ceiling, workloads, false)) {
            const file = join(dir, `${workload.id}.json`);
            await writeFile(file, run.references.get(workload.sequence[0]!.name)!.body);
            await withServer(ceiling, on(single, null), { BARE_RESPONSE_FILE: file }, (ceilingSingle) =>
              withServer(ceiling, on(cluster, null), { BARE_RESPONSE_FILE: file }, (ceilingCluster) =>
                roundsInto(
                  into,
                  workload,
                  [
                    target(CLUSTER_SAME_TIME.hit, hit, hitSingle, workload, whoSingle),
                    target(CLUSTER_SAME_TIME.hitCluster, hit, hitCluster, workload, whoCluster),
                    target(CLUSTER_SAME_TIME.ceiling, ceiling, ceilingSingle, workload, NOBODY),
                    target(CLUSTER_SAME_TIME.ceilingCluster, ceiling, ceilingCluster, workload, NOBODY),
                  ],
                  [single, cluster],
                ),
              ),
            );
          }
        }),
      ),
  );
}

/**
 * The hit's same-time rounds with Apollo's response cache: tenant-graph (both
 * caches) and Apollo, each on a fresh database with alice and the many users
 * signed in, both up at once, taking turns on each read workload. In the full
 * run at 0793914 the cells minutes apart put many-users at 2.996 × Apollo,
 * with Apollo's cells caught in a faster phase of the machine than the hit's
 * (its page-load at 3,176 req/s there, 1,426 the run before).
 */
export async function benchPeerSameTime(run: Run, workloads: Workload[], into: SameTime[]): Promise<void> {
  const [hit, peer] = [PEER_SAME_TIME.hit, PEER_SAME_TIME.peer].map((id) => SERVERS.find((s) => s.id === id)!) as [
    ServerConfig,
    ServerConfig,
  ];
  const reads = workloads.filter((w) => !w.scaling && !w.invalidateAtScale && w.sequence.every((op) => op.kind === 'read'));
  if (reads.length === 0) return;
  log('same-time rounds of the hit and Apollo’s response cache');
  /** A server on a fresh database of its own, alice and the many users signed in there. */
  const up = async (config: ServerConfig, use: (server: ServerProcess, who: Who) => Promise<void>) => {
    const db = await cloneDatabase(run.args.databaseUrl, `${config.id}-st`);
    await withCleanup(
      async () => {
        await run.redis.stats.deletePrefix(redisPrefix(config));
        await db.drop();
      },
      () =>
        withServer(config, directWiring(servicesOf(run), db.url), {}, async (server) => {
          const largest = await largestOrg(db.url);
          const viewers = await signInViewers(config, db.url, reads, run.args);
          await use(server, { ...(await signIn(server, largest.slug)), viewers });
        }),
    );
  };
  await up(hit, (hitServer, hitWho) =>
    up(peer, async (peerServer, peerWho) => {
      const target = (config: ServerConfig, process: ServerProcess, workload: Workload, who: Who) =>
        targetOf(config.id, config, process, workload, who, run);
      for (const [index, workload] of reads.entries()) {
        const targets = [target(hit, hitServer, workload, hitWho), target(peer, peerServer, workload, peerWho)];
        // As a cell's warm-up: longer for a process's first, and one request per viewer, so no viewer meets a cold cache.
        for (const t of targets) await warmUp(t.load, warmupOf(run.timing.warmup, index === 0, run.args), t.tokens);
        await roundsInto(into, workload, targets, [run.redis]);
      }
    }),
  );
}
