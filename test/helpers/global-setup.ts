import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrate.ts';
import { startRedisCluster, type RedisCluster } from '../../bench/redis-cluster.ts';
import { databaseUrl, runStamp, stampAgeMs, templateName, TEST_DATABASE_PREFIX, TEMPLATE_PREFIX, withAdmin } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's stamp: its template and every database its files clone carry it. */
    testRun: string;
    /** The seed nodes of the run's Redis Cluster (`host:port,…`), started for the `cluster` project only; '' otherwise. */
    redisCluster: string;
  }
}

/** The vitest project whose files run against a Redis Cluster (vitest.config.ts). */
const CLUSTER_PROJECT = 'cluster';

/** Runs killed before their teardown leave databases behind; after this long they are surely dead. */
const LEFTOVER_AGE_MS = 3 * 60 * 60 * 1000;

/** Drops this run's databases, or (with `orphans`) those of runs older than LEFTOVER_AGE_MS; never a live run's. */
async function drop(which: { run: string } | { orphans: true }): Promise<void> {
  await withAdmin(async (admin) => {
    const { rows } = await admin.query<{ datname: string; datistemplate: boolean }>(
      `SELECT datname, datistemplate FROM pg_database WHERE starts_with(datname, $1) OR starts_with(datname, $2)`,
      [TEST_DATABASE_PREFIX, TEMPLATE_PREFIX],
    );
    for (const { datname, datistemplate } of rows) {
      const mine = 'run' in which && datname.includes(`_${which.run}`);
      const orphan = 'orphans' in which && stampAgeMs(datname) > LEFTOVER_AGE_MS;
      if (!mine && !orphan) continue;
      // A template database cannot be dropped until it is an ordinary one again.
      if (datistemplate) await admin.query(`ALTER DATABASE "${datname}" WITH IS_TEMPLATE false`);
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

/**
 * The run's template, shared by the projects (vitest.config.ts): each
 * project runs this setup, in one process, and the migration engine must not
 * run twice at once, so the first builds the template and the others await it.
 */
interface SharedRun {
  ready: Promise<string>;
  users: number;
  /** Started by the first project that asks for one (the `cluster` project), stopped at the last teardown. */
  cluster?: Promise<RedisCluster>;
}
const shared = globalThis as typeof globalThis & { tgTestRun?: SharedRun };

async function buildTemplate(run: string): Promise<string> {
  await drop({ orphans: true });
  const template = templateName(run);
  await withAdmin((admin) => admin.query(`CREATE DATABASE "${template}"`));
  await applyMigrations({ kind: 'postgres', url: databaseUrl(template) });
  await withAdmin((admin) => admin.query(`ALTER DATABASE "${template}" WITH ALLOW_CONNECTIONS false IS_TEMPLATE true`));
  return run;
}

/**
 * Builds this run's migrated template once; each test file clones it in
 * milliseconds. Names carry the run's stamp, so two runs on one server (two
 * developers, or CI beside a session) never drop each other's databases.
 */
export async function setup(project: TestProject): Promise<void> {
  if (!shared.tgTestRun) shared.tgTestRun = { ready: buildTemplate(runStamp()), users: 0 };
  shared.tgTestRun.users += 1;
  project.provide('testRun', await shared.tgTestRun.ready);
  let seeds = '';
  if (project.name === CLUSTER_PROJECT) {
    shared.tgTestRun.cluster ??= startRedisCluster();
    seeds = (await shared.tgTestRun.cluster).seeds;
  }
  project.provide('redisCluster', seeds);
}

export async function teardown(): Promise<void> {
  const current = shared.tgTestRun;
  if (!current) return;
  current.users -= 1;
  if (current.users > 0) return;
  shared.tgTestRun = undefined;
  await current.cluster?.then((cluster) => cluster.stop());
  await drop({ run: await current.ready });
}
