import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EntityCache } from '../cache/entity-cache.ts';
import type { ResponseCache } from '../cache/response-cache.ts';
import type { HotPath } from '../http/hot-path.ts';
import type { RateLimiter } from '../rate-limit/limiter.ts';
import type { SafeStore } from '../store/fail-soft.ts';
import { OperationLabels } from './operation-labels.ts';

/** How a request was answered, as the duration histogram labels it. */
export type CacheStatus = 'hit' | 'miss' | 'bypass' | 'not_modified';

/** The counters an instance already keeps; the registry reads them at scrape time. */
export interface MetricSources {
  hotPath: HotPath | null;
  responseCache: ResponseCache | null;
  entityCache: EntityCache;
  /** Absent when the app was built without it: its series are then left out. */
  store?: SafeStore | undefined;
  limiter: RateLimiter;
  /** The Postgres pool's sizes, when the app can see its pool. */
  pool?: { totalCount: number; idleCount: number; waitingCount: number } | undefined;
}

/** The instance's Prometheus registry and the one thing requests feed it: their duration. */
export interface Metrics {
  registry: Registry;
  /** Records one answered request; `operation` is the client's name for it (bounded here). */
  observe(operation: string | null, cache: CacheStatus, seconds: number): void;
}

/**
 * A counter whose value is read from a stats object at scrape time: the
 * request paths keep incrementing plain numbers and pay nothing for metrics.
 */
function counterOf(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => [Record<string, string>, number][],
) {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.inc(labels, value);
    },
  });
}

function gaugeOf(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => [Record<string, string>, number][],
) {
  new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, value] of read()) this.set(labels, value);
    },
  });
}

/** Each field of a stats object as one labelled series. */
const fields = <S extends object>(stats: S | null | undefined, label: string, names: (keyof S & string)[]) =>
  stats ? names.map((name): [Record<string, string>, number] => [{ [label]: name }, Number(stats[name])]) : [];

/** Builds the registry over an instance's stats; one per app, so test instances never share series. */
export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const duration = new Histogram({
    name: 'tg_request_duration_seconds',
    help: 'HTTP requests by GraphQL operation name and how the cache answered them',
    labelNames: ['operation', 'cache'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const labels = new OperationLabels();

  counterOf(
    registry,
    'tg_hot_path_total',
    'Hot path outcomes: hits, 304s, requests passed to Yoga after a lookup, store errors, hits from the in-process copy',
    ['outcome'],
    () => fields(sources.hotPath?.stats, 'outcome', ['hits', 'notModified', 'passed', 'storeErrors', 'fromCopy']),
  );
  counterOf(registry, 'tg_response_cache_total', 'Response cache (in Yoga) events', ['event'], () =>
    fields(sources.responseCache?.stats, 'event', ['hits', 'misses', 'stored', 'refused', 'coalesced', 'invalidations']),
  );
  counterOf(registry, 'tg_entity_cache_total', 'Entity cache events (keys)', ['event'], () =>
    fields(sources.entityCache.stats, 'event', ['hits', 'misses', 'loads', 'fills', 'joins', 'leaseWaits', 'waitBypasses']),
  );
  const store = sources.store;
  if (store) {
    counterOf(
      registry,
      'tg_store_errors_total',
      'Store (Redis) operations that failed and were served without it',
      ['operation'],
      () => fields(store.errors, 'operation', ['read', 'write', 'invalidate']),
    );
    gaugeOf(
      registry,
      'tg_store_pending_invalidations',
      'Invalidations the store refused, waiting to be retried before this instance reads it again',
      [],
      () => [[{}, store.pendingInvalidations]],
    );
  }
  counterOf(registry, 'tg_rate_limit_decisions_total', 'Rate limit checks by policy and decision', ['policy', 'decision'], () =>
    [...sources.limiter.stats.byPolicy].flatMap(([policy, counts]): [Record<string, string>, number][] => [
      [{ policy, decision: 'allowed' }, counts.allowed],
      [{ policy, decision: 'limited' }, counts.limited],
    ]),
  );
  counterOf(
    registry,
    'tg_rate_limit_store_failures_total',
    'Rate limit checks the store could not answer, by how they failed',
    ['mode'],
    () => {
      const { storeFailures, failedClosed } = sources.limiter.stats;
      return [
        [{ mode: 'closed' }, failedClosed],
        [{ mode: 'open' }, storeFailures - failedClosed],
      ];
    },
  );
  gaugeOf(
    registry,
    'tg_rate_limit_store_down',
    '1 while the limiter finds the store down: authentication limits fail closed, the others count in process',
    [],
    () => [[{}, sources.limiter.stats.storeDown ? 1 : 0]],
  );
  const pool = sources.pool;
  if (pool) {
    gaugeOf(registry, 'tg_postgres_pool_connections', 'Postgres pool connections by state', ['state'], () => [
      [{ state: 'total' }, pool.totalCount],
      [{ state: 'idle' }, pool.idleCount],
      [{ state: 'waiting' }, pool.waitingCount],
    ]);
  }

  return {
    registry,
    observe(operation, cache, seconds) {
      duration.observe({ operation: labels.of(operation), cache }, seconds);
    },
  };
}
