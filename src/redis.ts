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
  /** A cached response, or on a miss the invalidation sequence now (what a later store is checked against). */
  responseGet(key: string, seqKey: string): Promise<{ value: string } | { seq: number }>;
  /**
   * Stores a response and indexes it under its tags, unless one of its tags was
   * invalidated after `startSeq` (the result may predate that write). Answers
   * whether it stored.
   */
  responseSet(entry: ResponseEntry): Promise<boolean>;
  /** Bumps the sequence, marks each tag invalidated at it, and deletes every response stored under the tags. */
  responseInvalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<number>;
  /**
   * Counts one call in a sliding window of `windowMs` unless `limit` calls are
   * already in it: exact (never more than `limit` in any window), atomic across
   * instances, one round trip. `member` must be unique per call.
   */
  slidingWindowHit(key: string, limit: number, windowMs: number, member: string): Promise<WindowResult>;
  /** Resolves when the store answers; used by /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A tag's two keys: the set of responses stored under it, and the sequence at which it was last invalidated. */
export interface TagKeys {
  set: string;
  seq: string;
}

/** A response to store under its tags, as of the sequence its execution started at. */
export interface ResponseEntry {
  key: string;
  value: string;
  ttlSeconds: number;
  tags: readonly TagKeys[];
  startSeq: number;
}

/** What a rate-limit check found: whether the call counts, how many remain, and when the oldest call leaves the window. */
export interface WindowResult {
  allowed: boolean;
  remaining: number;
  resetMs: number;
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

// KEYS: response key, sequence key. {1, value} on a hit, {0, seq} on a miss.
const RESPONSE_GET = `
local value = redis.call('GET', KEYS[1])
if value then return {1, value} end
return {0, redis.call('GET', KEYS[2]) or '0'}`;

// KEYS: response key, then (tag set, tag seq) pairs. ARGV: start seq, ttl, value.
// Refuses when any tag was invalidated after the execution started; tag sets
// live as long as their longest-lived response.
const RESPONSE_SET = `
local start = tonumber(ARGV[1])
for i = 2, #KEYS, 2 do
  local invalidated = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  if invalidated > start then return 0 end
end
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[3], 'EX', ttl)
for i = 2, #KEYS, 2 do
  redis.call('SADD', KEYS[i], KEYS[1])
  if redis.call('TTL', KEYS[i]) < ttl then redis.call('EXPIRE', KEYS[i], ttl) end
end
return 1`;

// KEYS: sequence key, then (tag set, tag seq) pairs. ARGV: tag seq ttl.
// The sequence lives a day past the last write: no execution spans that long,
// so its expiry cannot make an old result look newer than an invalidation.
const RESPONSE_INVALIDATE = `
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 86400)
local deleted = 0
for i = 2, #KEYS, 2 do
  redis.call('SET', KEYS[i + 1], seq, 'EX', ARGV[1])
  local members = redis.call('SMEMBERS', KEYS[i])
  for j = 1, #members, 500 do
    deleted = deleted + redis.call('DEL', unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('DEL', KEYS[i])
end
return deleted`;

// KEYS: the window's sorted set of calls. ARGV: limit, window ms, unique member.
// Redis's own clock, so every instance counts against the same time.
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, limit - count, reset}`;

type ScriptedRedis = Redis & {
  slidingWindow(numKeys: number, ...args: (string | number)[]): Promise<[number, number, number]>;
  responseGet(numKeys: number, ...args: string[]): Promise<[number, string]>;
  responseSet(numKeys: number, ...args: (string | number)[]): Promise<number>;
  responseInvalidate(numKeys: number, ...args: (string | number)[]): Promise<number>;
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
    // Commands issued in the same tick (a batch's lease read beside the budget count) leave in one write.
    enableAutoPipelining: true,
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
    client.defineCommand('responseGet', { lua: RESPONSE_GET });
    client.defineCommand('responseSet', { lua: RESPONSE_SET });
    client.defineCommand('responseInvalidate', { lua: RESPONSE_INVALIDATE });
    client.defineCommand('slidingWindow', { lua: SLIDING_WINDOW });
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

  async responseGet(key: string, seqKey: string): Promise<{ value: string } | { seq: number }> {
    this.roundTrips += 1;
    const [hit, payload] = await this.redis.responseGet(2, key, seqKey);
    return hit === 1 ? { value: payload } : { seq: Number(payload) };
  }

  async responseSet(entry: ResponseEntry): Promise<boolean> {
    this.roundTrips += 1;
    const tagKeys = entry.tags.flatMap((t) => [t.set, t.seq]);
    const stored = await this.redis.responseSet(
      1 + tagKeys.length,
      entry.key,
      ...tagKeys,
      entry.startSeq,
      Math.max(1, Math.ceil(entry.ttlSeconds)),
      entry.value,
    );
    return stored === 1;
  }

  async responseInvalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<number> {
    if (tags.length === 0) return 0;
    this.roundTrips += 1;
    const tagKeys = tags.flatMap((t) => [t.set, t.seq]);
    return this.redis.responseInvalidate(1 + tagKeys.length, seqKey, ...tagKeys, Math.ceil(tagTtlSeconds));
  }

  async slidingWindowHit(key: string, limit: number, windowMs: number, member: string): Promise<WindowResult> {
    this.roundTrips += 1;
    const [allowed, remaining, resetMs] = await this.redis.slidingWindow(1, key, limit, windowMs, member);
    return { allowed: allowed === 1, remaining: Math.max(0, remaining), resetMs: Math.max(0, resetMs) };
  }

  async ping(): Promise<void> {
    this.roundTrips += 1;
    await this.client.ping();
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
