import { Cluster, Redis } from 'ioredis';
import type { ClusterNodeAddress } from '../env.ts';
import type { Logger } from '../logger.ts';
import { HOT_LOOKUP } from './hot-store.redis.ts';
import { RECONNECT_BACKOFF_CAP_MS } from './reconnect.ts';

/** Options of the Redis connection; defaults suit a request path that must never wait on a cache. */
export interface RedisOptions {
  url: string;
  /** Prefixes every key, so tests and deployments sharing a Redis never see each other's keys. */
  keyPrefix: string;
  /** @default 500 ms: a slower answer is a miss, not a slow request. */
  commandTimeoutMs?: number;
  logger: Logger;
}

/**
 * Opens an ioredis client with the offline queue off (a command while
 * disconnected fails at once instead of piling up) and endless reconnects in
 * the background. A Redis that is down at start is logged, not fatal.
 */
export async function createRedisClient(options: RedisOptions): Promise<Redis> {
  const client = new Redis(options.url, {
    keyPrefix: options.keyPrefix,
    lazyConnect: true,
    enableOfflineQueue: false,
    // Commands issued in the same tick (a batch's lease read beside the budget count) leave in one write.
    enableAutoPipelining: true,
    // One lookup per hit, each in its own tick: a pipeline around it would only cost the hit a tick and an object.
    autoPipeliningIgnoredCommands: [HOT_LOOKUP],
    commandTimeout: options.commandTimeoutMs ?? 500,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, RECONNECT_BACKOFF_CAP_MS),
  });
  let lastError = 0;
  client.on('error', (error: Error) => {
    // ioredis emits on every failed reconnect; one line per 10 s is enough to notice.
    const now = Date.now();
    if (now - lastError > 10_000) {
      lastError = now;
      options.logger.warn({ err: error.message }, 'redis error');
    }
  });
  try {
    await client.connect();
  } catch (error) {
    options.logger.warn({ err: (error as Error).message }, 'redis unreachable at start; serving from Postgres until it answers');
  }
  return client;
}

/** Options of a Redis Cluster connection: the seed nodes instead of a URL, the rest as for one Redis. */
export interface ClusterClientOptions extends Omit<RedisOptions, 'url'> {
  /** Any reachable subset of the nodes: the client learns the rest, and the slot map, from them. */
  nodes: readonly ClusterNodeAddress[];
}

/**
 * Opens an ioredis Cluster that behaves as createRedisClient's client does:
 * the same key prefix (applied before the slot is computed: the prefix holds
 * no brace, so the key's hash tag still decides), the same per-command
 * timeout on every node, no offline queue, endless background reconnects,
 * and a cluster unreachable at start logged rather than fatal. Reads and
 * writes both go to masters: a replica may lag behind an invalidation.
 */
export async function createClusterClient(options: ClusterClientOptions): Promise<Cluster> {
  const cluster = new Cluster(
    options.nodes.map((node) => ({ host: node.host, port: node.port })),
    {
      keyPrefix: options.keyPrefix,
      lazyConnect: true,
      enableOfflineQueue: false,
      // Off: ioredis 5.11 groups a Cluster's auto-pipeline by the first argument of a script called with its key
      // count first (the count, not a key), then refuses the pipeline as spanning slots. The per-slot calls of a
      // batch still leave at once, so a batch costs one round trip of latency.
      enableAutoPipelining: false,
      scaleReads: 'master',
      clusterRetryStrategy: (attempt) => Math.min(attempt * 200, RECONNECT_BACKOFF_CAP_MS),
      redisOptions: {
        commandTimeout: options.commandTimeoutMs ?? 500,
        maxRetriesPerRequest: 1,
      },
    },
  );
  let lastError = 0;
  const warn = (error: Error) => {
    // As for one Redis: every failed reconnect emits, one line per 10 s is enough to notice.
    const now = Date.now();
    if (now - lastError > 10_000) {
      lastError = now;
      options.logger.warn({ err: error.message }, 'redis cluster error');
    }
  };
  cluster.on('error', warn);
  cluster.on('node error', warn);
  try {
    await cluster.connect();
  } catch (error) {
    options.logger.warn(
      { err: (error as Error).message },
      'redis cluster unreachable at start; serving from Postgres until it answers',
    );
  }
  return cluster;
}
