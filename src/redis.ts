import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * What the caches need from a key-value store. Redis implements it for many
 * instances; MemoryStore implements it for one. Methods throw on store failure:
 * callers on read paths treat a throw as a miss (see cache/), never as a failed request.
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  /** Values in key order; null for a missing key. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /** Writes all entries, each with its own TTL, in one round trip. */
  setMany(entries: readonly { key: string; value: string; ttlSeconds: number }[]): Promise<void>;
  /** Deletes the keys in one round trip. */
  del(keys: readonly string[]): Promise<void>;
  /** Resolves when the store answers; used by /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

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
    commandTimeout: options.commandTimeoutMs ?? 500,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
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

/** KeyValueStore over a shared Redis. */
export class RedisStore implements KeyValueStore {
  readonly kind = 'redis';
  constructor(readonly client: Redis) {}

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return this.client.mget(...keys);
  }

  async setMany(entries: readonly { key: string; value: string; ttlSeconds: number }[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.client.pipeline();
    for (const { key, value, ttlSeconds } of entries) pipeline.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async del(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.client.del(...keys);
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
