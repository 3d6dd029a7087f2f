import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cast, createCast } from '../../bench/chaos/cast.ts';
import { type Cluster, startCluster } from '../../bench/chaos/cluster.ts';
import { PrefixAudit } from '../../bench/chaos/redis-audit.ts';
import type { ScenarioContext, ScenarioResult } from '../../bench/chaos/scenario.ts';
import { postgresCut } from '../../bench/chaos/scenarios/postgres-cut.ts';
import { redisCut } from '../../bench/chaos/scenarios/redis-cut.ts';
import { redisSlow, SLOW_P99_BOUND_MS } from '../../bench/chaos/scenarios/redis-slow.ts';
import { soak } from '../../bench/chaos/scenarios/soak.ts';
import { WriterState } from '../../bench/chaos/traffic.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

// `npm run chaos`'s scenarios, shortened: the same 8 s Redis cut and 6 s
// Postgres cut, a few seconds of slow Redis and a 20 s soak, on two real
// instances (child processes, as in production) sharing this file's database
// and a Redis prefix of its own, at a small load (the machine has 2 cores).
// Each scenario's promises are its checks; the test fails on any broken one,
// naming it and what was seen.

let db: TestDatabase;
let cast: Cast;
let cluster: Cluster;
let audit: PrefixAudit;
let writer: WriterState;
beforeAll(async () => {
  db = await createTestDatabase();
  cast = await createCast(db.url, { viewers: 4, coldSessions: 40 });
  writer = new WriterState(cast);
  const keyPrefix = `test:chaos:${randomBytes(6).toString('hex')}:`;
  audit = await PrefixAudit.connect(TEST_REDIS_URL, keyPrefix);
  cluster = await startCluster({ databaseUrl: db.url, redisUrl: TEST_REDIS_URL, keyPrefix });
});
afterAll(async () => {
  await cluster?.close();
  await audit?.deleteAll();
  await audit?.close();
  await db?.drop();
});

const ctx = (): ScenarioContext => ({
  cluster,
  cast,
  writer,
  audit,
  load: { rate: 60, writeEveryMs: 300 },
  log: () => {},
});

/** The broken promises, with what was seen: [] when every check held. */
const broken = (result: ScenarioResult) => result.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.seen}`);

describe('chaos, two instances under load', () => {
  it('Redis cut for 8 s: no read fails, none waits 1 s, none is stale during or after, on either instance', async () => {
    const result = await redisCut(ctx(), { warmMs: 1_500, cutMs: 8_000, afterMs: 8_000 });
    expect(broken(result)).toEqual([]);
    const cut = result.phases.find((p) => p.label === 'Redis cut')!.summary;
    expect(cut.requests).toBeGreaterThan(200);
  }, 40_000);

  it('Redis slow (200 ms a reply): nothing fails or is stale, p99 stays under 2.5 s', async () => {
    const result = await redisSlow(ctx(), { warmMs: 1_500, slowMs: 3_000, afterMs: 1_000, p99BoundMs: SLOW_P99_BOUND_MS });
    expect(broken(result)).toEqual([]);
  }, 30_000);

  it('Postgres cut for 6 s: cached reads answer, the rest SERVICE_UNAVAILABLE (503, Retry-After) within 2 s, /ready 503 then 200', async () => {
    const result = await postgresCut(ctx(), { warmMs: 3_000, cutMs: 6_000, recoverWithinMs: 10_000 });
    expect(broken(result)).toEqual([]);
  }, 40_000);

  it('soak: nothing fails or is stale, every key under the prefix has a TTL, memory is sampled', async () => {
    const result = await soak(ctx(), { durationMs: 20_000, sampleEveryMs: 2_000 });
    expect(broken(result)).toEqual([]);
    expect(result.keysWithoutTtl).toEqual([]);
    expect(result.memory.length).toBeGreaterThanOrEqual(10);
    expect(result.memory.at(-1)!.redisKeys).toBeGreaterThan(0);
  }, 40_000);
});
