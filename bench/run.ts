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
  type CellTiming,
} from './args.ts';
import { type CellCounts, measureCell, measureCounts, withCounts } from './cell.ts';
import { ProfileControl } from './profile.ts';
import { post, recordReference } from './client.ts';
import { InvalidationProbe, type InvalidationFigures, seedAnswers, stillServed, tagOf } from './invalidation.ts';
import { renderInvalidationAtScale } from './invalidation-report.ts';
import { cloneDatabase, dropLeftoverClones, ensureTemplate, postgresVersion } from './database.ts';
import { BUSY, cpuBusy, describeMachine } from './machine.ts';
import { directWiring, stopEverything, untilUndone, withCleanup, withServer, withWiring } from './lifecycle.ts';
import { runOrder, workloadsFor } from './plan.ts';
import type { ServerProcess } from './process.ts';
import { publish } from './publish.ts';
import { benchCluster, singleRedis } from './redis-target.ts';
import { onCluster, renderRedisComparison } from './redis-compare.ts';
import { renderTable, totalErrors, withRatios, type BenchReport, type Cell } from './report.ts';
import { cellLoad, log, NOBODY, type Run, servicesOf, signIn, signInViewers, timingOf, tokenOf, type Who } from './run-state.ts';
import { benchClusterSameTime, benchPeerSameTime, benchSameTime } from './same-time-runs.ts';
import {
  CLUSTER_SAME_TIME,
  renderClusterSameTime,
  PEER_SAME_TIME,
  renderPeerSameTime,
  renderSameTime,
  SAME_TIME_SERVERS,
} from './same-time.ts';
import { redisPrefix, selectServers, SERVERS, type ServerConfig } from './servers.ts';
import { issueSessions, largestOrg } from './viewers.ts';
import { READ_OPERATIONS, SCALING_CONNECTIONS, selectWorkloads, type InvalidationAtScale, type Workload } from './workloads.ts';

/** A folder of its own for each profiled server process; undefined without --profile. */
const profileDirFor = async (run: Run) => (run.profileDir ? mkdtemp(join(run.profileDir, 'server-')) : undefined);
const profilerFor = (server: ServerProcess, dir: string | undefined) => (dir ? new ProfileControl(server, dir) : undefined);

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
          async (server) => benchCell(config, server, workload, NOBODY, null, run, profilerFor(server, profileDir), true),
          profileDir,
        );
      }
    },
  );
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
