import type { Cluster, Redis } from 'ioredis';
import { watchClusterLoss } from './cluster-loss.ts';
import type { DocumentStore } from './document-store.ts';
import { MemoryDocumentStore } from './document-store.memory.ts';
import { RedisDocumentStore } from './document-store.redis.ts';
import { ExpiringMap } from './expiring-map.ts';
import type { HotStore } from './hot-store.ts';
import { MemoryHotStore } from './hot-store.memory.ts';
import { RedisHotStore } from './hot-store.redis.ts';
import type { LeaseStore } from './lease-store.ts';
import { MemoryLeaseStore } from './lease-store.memory.ts';
import { ClusterLeaseStore } from './lease-store.cluster.ts';
import { RedisLeaseStore } from './lease-store.redis.ts';
import { redisConnection } from './redis-connection.ts';
import { NodeConnections } from './node-connections.ts';
import type { ResponseStore } from './response-store.ts';
import { MemoryResponseStore } from './response-store.memory.ts';
import { ClusterResponseStore, type ClusterResponseStoreOptions } from './response-store.cluster.ts';
import { RedisResponseStore } from './response-store.redis.ts';
import type { RoundTrips } from './round-trips.ts';
import type { WindowStore } from './window-store.ts';
import { MemoryWindowStore } from './window-store.memory.ts';
import { RedisWindowStore } from './window-store.redis.ts';

/**
 * One instance's shared store, as its consumers see it: the entity cache's
 * leases, the response cache's answers and tags, the limiter's windows, the
 * hot path's lookup and the APQ registrations. Redis shares them between instances; memory serves one.
 */
export interface Store {
  /** Where it keeps things: one Redis, a Redis Cluster, or this process. */
  readonly kind: 'redis' | 'cluster' | 'memory';
  readonly leases: LeaseStore;
  readonly responses: ResponseStore;
  readonly windows: WindowStore;
  /** The hot path's one-round-trip lookup. */
  readonly hot: HotStore;
  /** APQ registrations. */
  readonly documents: DocumentStore;
  /** Round trips made so far by every part: tests assert on them. */
  readonly roundTrips: number;
  /** Resolves when the store answers; used by /ready. */
  ping(): Promise<void>;
  /**
   * Calls `listener` each time the store answers again after its connection
   * was lost (never for the first connection, never for memory).
   */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

/** The parts a shared store is made of, over one Redis or a Cluster. */
type SharedParts = Pick<Store, 'leases' | 'responses' | 'windows' | 'hot' | 'documents'>;

/** A store over a shared client: the parts, round trips counted, ping, reconnect listeners and close. */
function sharedStore(
  kind: 'redis' | 'cluster',
  client: Redis | Cluster,
  trips: RoundTrips,
  parts: SharedParts,
  /** The request path's own connections (redis-connection.ts, node-connections.ts), closed with the store. */
  connections: { close(): void },
  watch: (back: () => void) => void,
): Store {
  const reconnected: (() => void)[] = [];
  watch(() => {
    for (const listener of reconnected) listener();
  });
  return {
    kind,
    ...parts,
    get roundTrips() {
      return trips.count;
    },
    async ping() {
      trips.count += 1;
      await client.ping();
    },
    onReconnect(listener) {
      reconnected.push(listener);
    },
    async close() {
      connections.close();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** The store over a shared Redis. */
export function redisStore(client: Redis): Store {
  const trips: RoundTrips = { count: 0 };
  const connection = redisConnection(client);
  const parts = {
    leases: new RedisLeaseStore(client, trips, connection),
    responses: new RedisResponseStore(client, trips),
    windows: new RedisWindowStore(client, trips, connection),
    hot: new RedisHotStore(client, trips, connection),
    documents: new RedisDocumentStore(client, trips),
  };
  return sharedStore('redis', client, trips, parts, connection, (back) => {
    // Lost only once it had been ready: a Redis down at start has cached nothing anyone could have missed invalidating.
    let wasReady = client.status === 'ready';
    let lost = false;
    client.on('ready', () => {
      if (lost) back();
      wasReady = true;
      lost = false;
    });
    client.on('close', () => {
      if (wasReady) lost = true;
    });
  });
}

/**
 * The store over a Redis Cluster (REDIS_CLUSTER_NODES): the cluster-safe
 * lease and response stores, and the single-key windows, documents and hot
 * lookup as on one Redis (each script's keys share one hash tag).
 */
export function clusterStore(cluster: Cluster, options: ClusterResponseStoreOptions = {}): Store {
  const trips: RoundTrips = { count: 0 };
  const prefix = cluster.options.keyPrefix ?? '';
  const nodes = new NodeConnections(cluster);
  const parts = {
    leases: new ClusterLeaseStore(cluster, prefix, trips, nodes),
    responses: new ClusterResponseStore(cluster, prefix, trips, options),
    windows: new RedisWindowStore(cluster, trips, nodes),
    hot: new RedisHotStore(cluster, trips, nodes),
    documents: new RedisDocumentStore(cluster, trips),
  };
  return sharedStore('cluster', cluster, trips, parts, nodes, (back) => watchClusterLoss(cluster, back));
}

/** The store in process memory, for one instance (no REDIS_URL); a sweep drops expired entries every `sweepIntervalMs`. */
export function memoryStore(options: { now?: () => number; sweepIntervalMs?: number } = {}): Store {
  const trips: RoundTrips = { count: 0 };
  const now = options.now ?? Date.now;
  const map = new ExpiringMap(now);
  const tagSets = new Map<string, Set<string>>();
  const windows = new MemoryWindowStore(map, trips, now);
  const sweeper = setInterval(() => {
    map.sweep();
    windows.sweep();
    for (const key of tagSets.keys()) if (map.get(key) === null) tagSets.delete(key);
  }, options.sweepIntervalMs ?? 60_000);
  sweeper.unref();
  return {
    kind: 'memory',
    leases: new MemoryLeaseStore(map, trips),
    responses: new MemoryResponseStore(map, tagSets, trips),
    windows,
    hot: new MemoryHotStore(map, windows, trips),
    documents: new MemoryDocumentStore(map, trips),
    get roundTrips() {
      return trips.count;
    },
    async ping() {},
    onReconnect() {},
    async close() {
      clearInterval(sweeper);
      map.clear();
      tagSets.clear();
    },
  };
}

export type { LeaseStore, ReadResult, FillEntry } from './lease-store.ts';
export type { ResponseStore, ResponseEntry, TagKeys } from './response-store.ts';
export type { WindowStore, WindowResult } from './window-store.ts';
export type { HotStore, HotLookup, HotResult } from './hot-store.ts';
export type { DocumentStore } from './document-store.ts';
