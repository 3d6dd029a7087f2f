// `npm run bench`: prepares the seeded database, then for each server under
// test starts two processes of it on its own fresh copy of the database, one
// behind counting proxies (what it sends per request), one wired straight to
// Postgres and Redis (its speed), and runs every workload through both. Prints one table, writes the report, and exits non-zero
// if any request failed or any response carried errors.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_ORGANIZATIONS } from '../prisma/seed.ts';
import {
  cellTiming,
  countTiming,
  parseBenchArgs,
  runKind,
  scalingTiming,
  viewerCount,
  warmupOf,
  type BenchArgs,
  type CellTiming,
} from './args.ts';
import { type CellCounts, measureCell, measureCounts, warmUp, withCounts } from './cell.ts';
import { ProfileControl } from './profile.ts';
import type { Expectation } from './check.ts';
import { headOf, logInAlice, post, recordReference, workloadContext, type Reference } from './client.ts';
import { InvalidationProbe, type InvalidationFigures, seedAnswers, stillServed, tagOf } from './invalidation.ts';
import { renderInvalidationAtScale } from './invalidation-report.ts';
import { cloneDatabase, dropLeftoverClones, ensureTemplate, postgresVersion } from './database.ts';
import { BUSY, cpuBusy, describeMachine, machineBusyMicros } from './machine.ts';
import { directWiring, stopEverything, untilUndone, withCleanup, withServer, withWiring } from './lifecycle.ts';
import { runOrder, workloadsFor } from './plan.ts';
import type { ServerProcess } from './process.ts';
import { publish } from './publish.ts';
import { benchCluster, singleRedis, type RedisTarget } from './redis-target.ts';
import { onCluster, renderRedisComparison } from './redis-compare.ts';
import { renderTable, totalErrors, withRatios, type BenchReport, type Cell } from './report.ts';
import {
  CLUSTER_SAME_TIME,
  measureSameTime,
  renderClusterSameTime,
  PEER_SAME_TIME,
  renderPeerSameTime,
  renderSameTime,
  SAME_TIME_SERVERS,
  type SameTime,
} from './same-time.ts';
import { redisPrefix, selectServers, SERVERS, type ServerConfig } from './servers.ts';
import { issueSessions, largestOrg, seededAccounts, tokenRotation, type LargestOrg } from './viewers.ts';
import {
  READ_OPERATIONS,
  SCALING_CONNECTIONS,
  selectWorkloads,
  senderOf,
  type InvalidationAtScale,
  type Operation,
  type Sender,
  type Workload,
  type WorkloadContext,
} from './workloads.ts';

const log = (line: string) => console.log(line);

/** What a sampled response must be: same bytes from tenant-graph and the replaying ceiling, same data from peers. */
function expectation(config: ServerConfig, workload: Workload, op: Operation, references: Map<string, Reference>): Expectation {
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

interface Run {
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

/** A folder of its own for each profiled server process; undefined without --profile. */
const profileDirFor = async (run: Run) => (run.profileDir ? mkdtemp(join(run.profileDir, 'server-')) : undefined);
const profilerFor = (server: ServerProcess, dir: string | undefined) => (dir ? new ProfileControl(server, dir) : undefined);
const timingOf = (run: Run, workload: Workload) => (workload.scaling ? run.scalingTiming : run.timing);

/**
 * Runs a database-backed server (tenant-graph or a peer) through its
 * workloads with two processes of it up at once, on the same database and
 * Redis keys, like two instances: one behind the counting proxies (the
 * counted pass; it records the reference first if none yet) and one wired
 * straight to the services (the timed pass). Each workload runs its timed
 * pass, then its counted pass, so writes happen in workload order as before.
 */
async function benchDatabaseServer(config: ServerConfig, workloads: Workload[], run: Run, measure: boolean): Promise<void> {
  const db = await cloneDatabase(run.args.databaseUrl, config.id);
  await withCleanup(
    () => db.drop(),
    async () => {
      // Its owner signs in like the many users: a session written to this server's database.
      const largest = await largestOrg(db.url);
      const [largestOrgToken] = await issueSessions(db.url, [largest.owner]);
      run.largestOrg ??= { slug: largest.slug, members: largest.members };
      await withWiring(servicesOf(run), db.url, (wiring) =>
        withServer(config, wiring, {}, async (counted) => {
          const who = { ...(await signIn(counted, largest.slug)), largestOrgToken };
          if (run.references.size === 0) {
            for (const op of READ_OPERATIONS)
              run.references.set(op.name, await recordReference(counted.origin, tokenOf(op.sender, who), op, who.context));
            log(`  reference responses recorded from ${config.name}`);
          }
          if (!measure) return;
          const viewers = await signInViewers(config, db.url, workloads, run.args);
          const profileDir = await profileDirFor(run);
          await withServer(
            config,
            directWiring(servicesOf(run), db.url),
            {},
            async (timed) => {
              const profiler = profilerFor(timed, profileDir);
              const timedWho = { ...(await signIn(timed, largest.slug)), largestOrgToken, viewers };
              const ordered = runOrder(workloads);
              // After the reads checked byte for byte and before any write changes what they answer (runOrder).
              const sameTimeAt = ordered.findIndex((w) => w.check !== 'exact');
              const sameTime = async () => {
                if (run.sameTime && config.id === SAME_TIME_SERVERS.hit && run.redis.kind === 'single')
                  await benchSameTime(config, timed, timedWho, workloads, run.sameTime, run);
              };
              for (const [index, workload] of ordered.entries()) {
                if (index === sameTimeAt) await sameTime();
                // Timed first, so the counted pass meets the caches as warm as the timed pass left them.
                const count = () =>
                  measureCounts({
                    ...cellLoad(config, counted, workload, { ...who, viewers }, run),
                    ...timingOf(run, workload).counted,
                    pg: wiring.pg,
                    redisCounter: wiring.redisCounter,
                  });
                await benchCell(config, timed, workload, timedWho, count, run, profiler, index === 0);
              }
              if (sameTimeAt < 0) await sameTime();
            },
            profileDir,
          );
        }),
      );
    },
  );
  await run.redis.stats.deletePrefix(redisPrefix(config));
}

/** The services a server of this run gets: the run's database server and the current Redis. */
const servicesOf = (run: Run) => ({ databaseUrl: run.args.databaseUrl, ...run.redis.services });

/** Alice's token and the ids the workloads name, from this server process. */
async function signIn(server: ServerProcess, largestOrgSlug: string): Promise<{ token: string; context: WorkloadContext }> {
  const token = await logInAlice(server.origin);
  return { token, context: await workloadContext(server.origin, token, largestOrgSlug) };
}

/** Signs in as many seeded users as the workloads rotate through (none for most runs), in the server's own database. */
async function signInViewers(
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

/**
 * The ceilings: one bare server per read workload, replaying the reference
 * bytes (bare-redis fetches them from Redis first, under its prefix). Neither
 * uses Postgres nor anything worth counting, so they have no counted pass.
 */
async function benchBare(config: ServerConfig, workloads: Workload[], run: Run): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tg-bench-'));
  await withCleanup(
    async () => {
      await rm(dir, { recursive: true, force: true });
      await run.redis.stats.deletePrefix(redisPrefix(config));
    },
    async () => {
      for (const workload of workloads) {
        const file = join(dir, `${workload.id}.json`);
        await writeFile(file, run.references.get(workload.sequence[0]!.name)!.body);
        const profileDir = await profileDirFor(run);
        await withServer(
          config,
          directWiring(servicesOf(run), null),
          { BARE_RESPONSE_FILE: file },
          async (server) =>
            benchCell(
              config,
              server,
              workload,
              { context: { acmeId: '', largestOrgSlug: '' } },
              null,
              run,
              profilerFor(server, profileDir),
              true,
            ),
          profileDir,
        );
      }
    },
  );
}

/**
 * The same-time rounds of each replayable read (same-time.ts): the bare
 * ceiling, bare sending the hit's head, and the one-GET ceiling started
 * beside the hit's own timed process, which the workloads above left warm.
 */
async function benchSameTime(
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
  const nobody = { context: { acmeId: '', largestOrgSlug: '' } };
  const target = (server: ServerConfig, process: ServerProcess, workload: Workload, as: Who) => ({
    id: server.id,
    load: { ...cellLoad(server, process, workload, as, run).load, origin: process.origin },
    cpuMicros: () => process.cpuMicros(),
  });
  const shared = { machine: machineBusyMicros, redis: () => run.redis.stats.cpuMicros() };
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
            withServer(ceiling, wiring, { BARE_RESPONSE_FILE: file }, async (ceilingServer) => {
              log(`  same-time rounds · ${workload.id}: ${bare.id}, ${withHead.id}, ${ceiling.id}, ${config.id} in turn`);
              const result = await measureSameTime(
                workload.id,
                [
                  target(bare, bareServer, workload, nobody),
                  target(withHead, headServer, workload, nobody),
                  target(ceiling, ceilingServer, workload, nobody),
                  target(config, timed, workload, who),
                ],
                undefined,
                undefined,
                shared,
              );
              into.push(result);
              if (result.errors > 0) log(`    ${result.errors} ERRORS: ${result.problems[0] ?? ''}`);
            }),
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
async function benchClusterSameTime(
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
  const shared = {
    machine: machineBusyMicros,
    redis: async () => (await single.stats.cpuMicros()) + (await cluster.stats.cpuMicros()),
  };
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
          const nobody = { context: { acmeId: '', largestOrgSlug: '' } };
          const target = (id: string, config: ServerConfig, process: ServerProcess, workload: Workload, as: Who) => ({
            id,
            load: { ...cellLoad(config, process, workload, as, run).load, origin: process.origin },
            cpuMicros: () => process.cpuMicros(),
          });
          for (const workload of workloadsFor(ceiling, workloads, false)) {
            const file = join(dir, `${workload.id}.json`);
            await writeFile(file, run.references.get(workload.sequence[0]!.name)!.body);
            await withServer(ceiling, on(single, null), { BARE_RESPONSE_FILE: file }, (ceilingSingle) =>
              withServer(ceiling, on(cluster, null), { BARE_RESPONSE_FILE: file }, async (ceilingCluster) => {
                log(`  same-time rounds · ${workload.id}: ${Object.values(CLUSTER_SAME_TIME).join(', ')} in turn`);
                const result = await measureSameTime(
                  workload.id,
                  [
                    target(CLUSTER_SAME_TIME.hit, hit, hitSingle, workload, whoSingle),
                    target(CLUSTER_SAME_TIME.hitCluster, hit, hitCluster, workload, whoCluster),
                    target(CLUSTER_SAME_TIME.ceiling, ceiling, ceilingSingle, workload, nobody),
                    target(CLUSTER_SAME_TIME.ceilingCluster, ceiling, ceilingCluster, workload, nobody),
                  ],
                  undefined,
                  undefined,
                  shared,
                );
                into.push(result);
                if (result.errors > 0) log(`    ${result.errors} ERRORS: ${result.problems[0] ?? ''}`);
              }),
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
async function benchPeerSameTime(run: Run, workloads: Workload[], into: SameTime[]): Promise<void> {
  const [hit, peer] = [PEER_SAME_TIME.hit, PEER_SAME_TIME.peer].map((id) => SERVERS.find((s) => s.id === id)!) as [
    ServerConfig,
    ServerConfig,
  ];
  const reads = workloads.filter((w) => !w.scaling && !w.invalidateAtScale && w.sequence.every((op) => op.kind === 'read'));
  if (reads.length === 0) return;
  log('same-time rounds of the hit and Apollo’s response cache');
  const shared = { machine: machineBusyMicros, redis: () => run.redis.stats.cpuMicros() };
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
      const target = (config: ServerConfig, process: ServerProcess, workload: Workload, who: Who) => {
        const cell = cellLoad(config, process, workload, who, run);
        return {
          id: config.id,
          load: { ...cell.load, origin: process.origin, ...(cell.tokens ? { nextToken: tokenRotation(cell.tokens) } : {}) },
          cpuMicros: () => process.cpuMicros(),
          tokens: cell.tokens,
        };
      };
      for (const [index, workload] of reads.entries()) {
        const targets = [target(hit, hitServer, workload, hitWho), target(peer, peerServer, workload, peerWho)];
        // As a cell's warm-up: longer for a process's first, and one request per viewer, so no viewer meets a cold cache.
        for (const t of targets) await warmUp(t.load, warmupOf(run.timing.warmup, index === 0, run.args), t.tokens);
        log(`  same-time rounds · ${workload.id}: ${targets.map((t) => t.id).join(', ')} in turn`);
        const result = await measureSameTime(workload.id, targets, undefined, undefined, shared);
        into.push(result);
        if (result.errors > 0) log(`    ${result.errors} ERRORS: ${result.problems[0] ?? ''}`);
      }
    }),
  );
}

/** Who a cell's requests come from: alice, the largest org's owner, or (many-users) the signed-in viewers in turn. */
interface Who {
  token?: string;
  largestOrgToken?: string;
  viewers?: readonly string[];
  context: WorkloadContext;
}

const tokenOf = (sender: Sender | undefined, who: Who) => (sender === 'largest-org-member' ? who.largestOrgToken : who.token);

/** The load of one cell, shared by its counted and its timed pass. */
function cellLoad(config: ServerConfig, server: ServerProcess, workload: Workload, who: Who, run: Run) {
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

async function benchCell(
  config: ServerConfig,
  server: ServerProcess,
  workload: Workload,
  who: Who,
  /** Runs the cell's counted pass; null for a server that uses neither service (the bare ceiling). */
  count: (() => Promise<CellCounts>) | null,
  run: Run,
  profiler: ProfileControl | undefined,
  /** The first cell its server process measures (see FIRST_CELL_EXTRA_WARMUP_SECONDS). */
  first: boolean,
): Promise<void> {
  const scale = workload.invalidateAtScale
    ? await prepareInvalidation(config, server, workload.invalidateAtScale, who, run)
    : null;
  const measured = await measureCell({
    ...cellLoad(config, server, workload, who, run),
    ...(profiler ? { profiler } : {}),
    ...(scale ? { during: (seconds: number) => scale.probe.during(seconds), onLatency: scale.probe.onLatency } : {}),
    redis: run.redis.stats,
    warmupSeconds: warmupOf(timingOf(run, workload).warmup, first, run.args),
    durationSeconds: timingOf(run, workload).duration,
  });
  const timed = scale ? withInvalidation(measured, await scale.finish()) : measured;
  const counted = count ? withCounts(timed, await count()) : timed;
  const cell = run.redis.kind === 'cluster' ? onCluster(counted) : counted;
  run.cells.push(cell);
  if (cell.profile)
    log(
      `    self time: ${cell.profile.places
        .slice(0, 6)
        .map((r) => `${r.place} ${r.microsPerRequest.toFixed(0)} µs`)
        .join(', ')}`,
    );
  const cpu = cell.cpuMicrosPerRequest === undefined ? '' : `, ${Math.round(cell.cpuMicrosPerRequest)} CPU µs/req`;
  const sql = cell.sqlPerRequest === null ? '' : `, ${cell.sqlPerRequest.toFixed(2)} SQL/req`;
  log(
    `  ${config.name} · ${workload.id}: ${Math.round(cell.requestsPerSecond)} req/s, p99 ${cell.p99.toFixed(2)} ms${sql}, ` +
      `${cell.redisPerRequest?.toFixed(2) ?? '—'} Redis/req (${cell.redisExecPerRequest.toFixed(2)} executed), ${(cell.peakRssBytes / 2 ** 20).toFixed(0)} MB${cpu}` +
      (cell.errors > 0 ? `, ${cell.errors} ERRORS: ${cell.problems[0] ?? ''}` : ''),
  );
}

/**
 * Before an invalidation-at-scale cell: the answers seeded under the tag of
 * the write's target (the sender of the write, as the server names them),
 * and the probe that sends the write mid-cell. `finish` checks that none is
 * left and closes the store.
 */
async function prepareInvalidation(
  config: ServerConfig,
  server: ServerProcess,
  scale: InvalidationAtScale,
  who: Who,
  run: Run,
): Promise<{ probe: InvalidationProbe; finish: () => Promise<InvalidationFigures> }> {
  const token = tokenOf(scale.write.sender, who);
  if (!token) throw new Error(`${scale.write.name} has no signed-in sender`);
  const viewer = JSON.parse(await post(server.origin, JSON.stringify({ query: '{ viewer { id } }' }), token)) as {
    data: { viewer: { id: string } };
  };
  const store = await run.redis.openStore(redisPrefix(config));
  try {
    const tag = tagOf('User', viewer.data.viewer.id);
    log(`    seeding ${scale.answers} answers tagged User ${viewer.data.viewer.id} on ${run.redis.kind} Redis`);
    const answers = await seedAnswers(store, tag, scale.answers, log);
    const probe = new InvalidationProbe(scale.write, server.origin, token, who.context);
    const finish = async () => {
      try {
        return probe.figures(answers.length, await stillServed(store, answers));
      } finally {
        await store.close();
      }
    };
    return { probe, finish };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** A cell with its invalidation figures; a failed write or any answer left fails it loudly. */
function withInvalidation(cell: Cell, figures: InvalidationFigures): Cell {
  const problems = [
    ...(figures.writeError ? [`the invalidating write failed: ${figures.writeError}`] : []),
    ...(figures.remaining > 0
      ? [`${figures.remaining} of ${figures.answers} invalidated answers still served after the write`]
      : []),
  ];
  for (const problem of problems) log(`    FAILED: ${problem}`);
  log(
    `    invalidated ${figures.answers} answers: write ${figures.writeMs.toFixed(1)} ms; hits meanwhile ${figures.window.requests}, ` +
      `p50 ${figures.window.p50.toFixed(2)} ms, p99 ${figures.window.p99.toFixed(2)} ms, max ${figures.window.max.toFixed(2)} ms; ${figures.remaining} left`,
  );
  return {
    ...cell,
    invalidation: figures,
    errors: cell.errors + problems.length,
    problems: [...problems, ...cell.problems].slice(0, 5),
  };
}

async function main(): Promise<number> {
  const started = performance.now();
  const args = parseBenchArgs(process.argv.slice(2));
  // Taken before the bench adds its own load: a busy machine makes every figure lower.
  const busyAtStart = await cpuBusy();
  const servers = selectServers(args.servers);
  const workloads = selectWorkloads(args.workloads);
  const planned = servers.flatMap((s) => workloadsFor(s, workloads, args.quick));
  const scalingCells = planned.filter((w) => w.scaling).length;
  const cellCount = planned.length - scalingCells;
  if (planned.length === 0)
    throw new Error(
      'no cells to run for these servers and workloads: the bare server replays single reads only, and the scaling cells ' +
        `run only on ${SERVERS.filter((s) => s.scaling)
          .map((s) => s.id)
          .join(', ')}`,
    );
  // The scaling cells have their own fixed seconds, so they leave the others' share of the budget alone.
  const regular = cellTiming(args, cellCount);
  const timing: CellTiming = { ...regular, counted: countTiming(args, regular) };
  const scaling = scalingTiming(args);
  log(
    `bench${args.quick ? ' (quick)' : ''}: ${servers.length} servers, ${cellCount} cells of ${timing.warmup} s warm-up + ${timing.duration} s measured, ` +
      `${args.connections} connections` +
      (scalingCells > 0
        ? `; ${scalingCells} scaling cells of ${scaling.warmup} s warm-up + ${scaling.duration} s measured at ${SCALING_CONNECTIONS.join(', ')} connections`
        : ''),
  );

  if (busyAtStart >= BUSY)
    log(
      `warning: the CPUs were ${Math.round(busyAtStart * 100)}% busy before starting; other work on this machine lowers every figure`,
    );
  const single = await singleRedis(args.redisUrl);
  const cluster = args.redis === 'single' ? null : await benchCluster();
  if (cluster) log(`started a Redis Cluster (3 masters): ${cluster.services.redisClusterNodes}`);
  const forgetCluster = cluster ? untilUndone(() => cluster.close()) : () => {};
  // tenant-graph runs on each Redis chosen; the peers and the ceiling know one Redis only.
  const targets = args.redis === 'single' ? [single] : args.redis === 'cluster' ? [cluster!] : [single, cluster!];
  const profileRoot = args.profile ? await mkdtemp(join(tmpdir(), 'tg-profiles-')) : undefined;
  if (profileRoot) log(`CPU profiles of each cell: ${profileRoot}`);
  const run: Run = {
    args,
    redis: single,
    timing,
    scalingTiming: scaling,
    references: new Map(),
    largestOrg: null,
    cells: [],
    profileDir: profileRoot,
    // The three rows a hit is judged by, measured again side by side: only in a run that has all three
    // (bare with the hit's head is started for the rounds alone).
    sameTime:
      !args.quick &&
      [SAME_TIME_SERVERS.bare, SAME_TIME_SERVERS.ceiling, SAME_TIME_SERVERS.hit].every((id) => servers.some((s) => s.id === id))
        ? []
        : null,
    clusterSameTime:
      !args.quick &&
      cluster !== null &&
      args.redis === 'both' &&
      [CLUSTER_SAME_TIME.hit, CLUSTER_SAME_TIME.ceiling].every((id) => servers.some((s) => s.id === id))
        ? []
        : null,
    peerSameTime: !args.quick && Object.values(PEER_SAME_TIME).every((id) => servers.some((s) => s.id === id)) ? [] : null,
  };
  try {
    await dropLeftoverClones(args.databaseUrl);
    await ensureTemplate(args.databaseUrl, log);
    for (const config of SERVERS) await single.stats.deletePrefix(redisPrefix(config));

    // tenant-graph answers first: its responses are the reference every other server must match.
    const ordered = [...servers.filter((s) => s.kind === 'tenant-graph'), ...servers.filter((s) => s.kind !== 'tenant-graph')];
    if (!ordered.some((s) => s.kind === 'tenant-graph')) {
      const reference = SERVERS.find((s) => s.kind === 'tenant-graph')!;
      log(`${reference.name}: reference only`);
      await benchDatabaseServer(reference, [], run, false);
    }
    for (const config of ordered) {
      const own = workloadsFor(config, workloads, args.quick);
      for (const target of config.kind === 'tenant-graph' || config.clusterToo ? targets : [single]) {
        run.redis = target;
        log(`${config.name}${target.kind === 'cluster' ? ' on the Redis Cluster' : ''}`);
        if (config.kind === 'bare') await benchBare(config, own, run);
        else await benchDatabaseServer(config, own, run, true);
      }
    }
    if (run.clusterSameTime && cluster) await benchClusterSameTime(run, single, cluster, workloads, run.clusterSameTime);
    run.redis = single;
    if (run.peerSameTime) await benchPeerSameTime(run, workloads, run.peerSameTime);

    // The table lists servers in the configured order, workloads in theirs.
    const order = (c: Cell) =>
      servers.findIndex((s) => s.id === c.serverId.replace(/@cluster$/, '')) * 1000 +
      (c.serverId.endsWith('@cluster') ? 500 : 0) +
      workloads.findIndex((w) => w.id === c.workload);
    const peer = servers.find((s) => s.peer) ?? null;
    const cells = withRatios(run.cells, peer?.id ?? null).sort((a, b) => order(a) - order(b));
    const report: BenchReport = {
      date: new Date().toLocaleDateString('en-CA'),
      settings: {
        kind: runKind(args),
        connections: args.connections,
        warmupSeconds: timing.warmup,
        durationSeconds: timing.duration,
        ...(scalingCells > 0 ? { scaling: { warmupSeconds: scaling.warmup, durationSeconds: scaling.duration } } : {}),
      },
      machine: describeMachine({
        postgres: await postgresVersion(args.databaseUrl),
        redis: await single.stats.version(),
        busyAtStart,
      }),
      cells,
      totalSeconds: (performance.now() - started) / 1000,
      workloads: workloads.map((w) => ({
        id: w.id,
        title: w.viewers ? `${w.title} (${viewerCount(w, args)} users signed in)` : w.title,
        ...(w.scaling ? { scaling: w.scaling } : {}),
      })),
      orgs: { acmeMembers: DEMO_ORGANIZATIONS.acme.members, largest: run.largestOrg },
      peerName: peer?.name ?? null,
      invalidation: servers.map((s) => ({ server: s.name, invalidates: s.invalidates })),
      sameTime: run.sameTime ?? [],
      clusterSameTime: run.clusterSameTime ?? [],
      peerSameTime: run.peerSameTime ?? [],
    };
    log('');
    log(renderTable(cells));
    const comparison = renderRedisComparison(cells);
    if (comparison.length > 0) log(['', ...comparison].join('\n'));
    const invalidation = renderInvalidationAtScale(cells);
    if (invalidation.length > 0) log(['', ...invalidation].join('\n'));
    const sameTime = renderSameTime(run.sameTime ?? []);
    if (sameTime.length > 0) log(['', ...sameTime].join('\n'));
    const peerSameTime = renderPeerSameTime(run.peerSameTime ?? []);
    if (peerSameTime.length > 0) log(['', ...peerSameTime].join('\n'));
    const clusterSameTime = renderClusterSameTime(run.clusterSameTime ?? []);
    if (clusterSameTime.length > 0) log(['', ...clusterSameTime].join('\n'));
    const written = await publish(report);
    log('');
    log(`report: ${written.markdown} (charts: ${written.charts.join(', ')}); ${Math.round(report.totalSeconds)} s in all`);
    const errors =
      totalErrors(cells) +
      [...(run.sameTime ?? []), ...(run.clusterSameTime ?? []), ...(run.peerSameTime ?? [])].reduce(
        (sum, r) => sum + r.errors,
        0,
      );
    if (errors > 0) {
      log(`FAILED: ${errors} requests failed or answered errors`);
      return 1;
    }
    return 0;
  } finally {
    await single.close();
    forgetCluster();
    await cluster?.close();
  }
}

process.on('SIGINT', () => {
  log('interrupted: stopping servers and dropping bench databases');
  void stopEverything().finally(() => process.exit(130));
});

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    await stopEverything();
    process.exit(1);
  },
);
