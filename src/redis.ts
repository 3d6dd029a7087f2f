import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * What one key of a read-through batch turned out to be: a cached value; a
 * miss whose lease this batch now holds (it alone may fill the key); or a miss
 * another loader holds the lease of (it is loading the key right now).
 */
export type ReadResult = { kind: 'hit'; value: string } | { kind: 'leased' } | { kind: 'held'; token: string };

/** A value to write back, with the TTL its type calls for. */
export interface FillEntry {
  key: string;
  value: string;
  ttlSeconds: number;
}

/**
 * What the caches need from a key-value store. Redis implements it for many
 * instances; MemoryStore for one. Every method is one round trip. Methods throw
 * on store failure: SafeStore turns that into a miss for reads.
 *
 * The lease protocol (memcache leases, Nishtala et al. 2013) keeps a loader
 * that read Postgres before a write from caching that old row after the write:
 * a miss takes a lease, invalidation deletes value and lease, and a fill only
 * lands while its own lease is still there.
 */
export interface KeyValueStore {
  readonly kind: 'redis' | 'memory';
  /** Round trips made so far: tests assert on them. */
  readonly roundTrips: number;
  /** Plain values in key order; null for a missing key. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /** For each key: its value, or a lease taken for `token` (valid `leaseMs`), or the other holder's token. */
  readThrough(keys: readonly string[], token: string, leaseMs: number): Promise<ReadResult[]>;
  /** Writes each entry whose lease still belongs to `token`, releasing it; answers how many landed. */
  fill(entries: readonly FillEntry[], token: string): Promise<number>;
  /** Writes entries unconditionally, each with its TTL. */
  setMany(entries: readonly FillEntry[]): Promise<void>;
  /** Deletes the keys and their leases, so in-flight loads of them cannot fill. */
  invalidate(keys: readonly string[]): Promise<void>;
  /** Resolves when the store answers; used by /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The lease of a cache key: beside it, with the same prefix and hash slot. */
export const leaseKey = (key: string) => `${key}:lease`;

/** Options of the Redis connection; defaults suit a request path that must never wait on a cache. */
export interface RedisOptions {
  url: string;
  /** Prefixes every key, so tests and deployments sharing a Redis never see each other's keys. */
  keyPrefix: string;
  /** @default 500 ms: a slower answer is a miss, not a slow request. */
  commandTimeoutMs?: number;
  logger: Logger;
}

// KEYS: pairs (key, lease key). ARGV: token, lease ms. One reply per pair:
// {1, value} hit, {2} lease taken, {3, token} lease held by another loader.
const READ_THROUGH = `
local out = {}
for i = 1, #KEYS, 2 do
  local value = redis.call('GET', KEYS[i])
  if value then
    out[#out + 1] = {1, value}
  elseif redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    out[#out + 1] = {2}
  else
    out[#out + 1] = {3, redis.call('GET', KEYS[i + 1]) or ''}
  end
end
return out`;

// KEYS: pairs (key, lease key). ARGV: token, then value and TTL seconds per pair.
const FILL = `
local written = 0
for i = 1, #KEYS, 2 do
  if redis.call('GET', KEYS[i + 1]) == ARGV[1] then
    local j = i + 1
    redis.call('SET', KEYS[i], ARGV[j], 'EX', ARGV[j + 1])
    redis.call('DEL', KEYS[i + 1])
    written = written + 1
  end
end
return written`;

type ScriptedRedis = Redis & {
  readThrough(numKeys: number, ...args: string[]): Promise<[number, string?][]>;
  fillLeased(numKeys: number, ...args: (string | number)[]): Promise<number>;
};

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

/** KeyValueStore over a shared Redis; the lease steps are Lua scripts, so each is atomic and one round trip. */
export class RedisStore implements KeyValueStore {
  readonly kind = 'redis';
  roundTrips = 0;
  private readonly redis: ScriptedRedis;

  constructor(readonly client: Redis) {
    client.defineCommand('readThrough', { lua: READ_THROUGH });
    client.defineCommand('fillLeased', { lua: FILL });
    this.redis = client as ScriptedRedis;
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    this.roundTrips += 1;
    return this.client.mget(...keys);
  }

  async readThrough(keys: readonly string[], token: string, leaseMs: number): Promise<ReadResult[]> {
    if (keys.length === 0) return [];
    this.roundTrips += 1;
    const pairs = keys.flatMap((key) => [key, leaseKey(key)]);
    const replies = await this.redis.readThrough(pairs.length, ...pairs, token, String(leaseMs));
    return replies.map(([kind, payload]): ReadResult => {
      if (kind === 1) return { kind: 'hit', value: payload ?? '' };
      if (kind === 2) return { kind: 'leased' };
      return { kind: 'held', token: payload ?? '' };
    });
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    if (entries.length === 0) return 0;
    this.roundTrips += 1;
    const pairs = entries.flatMap((e) => [e.key, leaseKey(e.key)]);
    const values = entries.flatMap((e) => [e.value, Math.max(1, Math.ceil(e.ttlSeconds))]);
    return this.redis.fillLeased(pairs.length, ...pairs, token, ...values);
  }

  async setMany(entries: readonly FillEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.roundTrips += 1;
    const pipeline = this.client.pipeline();
    for (const { key, value, ttlSeconds } of entries) pipeline.set(key, value, 'EX', Math.max(1, Math.ceil(ttlSeconds)));
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.roundTrips += 1;
    await this.client.del(...keys.flatMap((key) => [key, leaseKey(key)]));
  }

  async ping(): Promise<void> {
    this.roundTrips += 1;
    await this.client.ping();
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
