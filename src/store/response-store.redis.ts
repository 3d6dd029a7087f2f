import type { Redis } from 'ioredis';
import { SEQUENCE_TTL_SECONDS, type ResponseEntry, type ResponseStore, type TagKeys } from './response-store.ts';
import type { RoundTrips } from './round-trips.ts';
import { wholeSeconds } from './ttl.ts';

// KEYS: response key, sequence key. {1, value} on a hit, {0, seq} on a miss.
const GET = `
local value = redis.call('GET', KEYS[1])
if value then return {1, value} end
return {0, redis.call('GET', KEYS[2]) or '0'}`;

// KEYS: response key, then (tag set, tag seq) pairs. ARGV: start seq, ttl, value.
// Refuses when any tag was invalidated after the execution started; tag sets
// live as long as their longest-lived response.
const SET = `
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

// KEYS: sequence key, then (tag set, tag seq) pairs. ARGV: tag seq ttl, sequence ttl.
const INVALIDATE = `
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
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

type ResponseRedis = Redis & {
  responseGet(numKeys: number, ...args: string[]): Promise<[number, string]>;
  responseSet(numKeys: number, ...args: (string | number)[]): Promise<number>;
  responseInvalidate(numKeys: number, ...args: (string | number)[]): Promise<number>;
};

/** The response store over a shared Redis: each step one Lua script. */
export class RedisResponseStore implements ResponseStore {
  private readonly redis: ResponseRedis;

  constructor(
    client: Redis,
    private readonly trips: RoundTrips,
  ) {
    client.defineCommand('responseGet', { lua: GET });
    client.defineCommand('responseSet', { lua: SET });
    client.defineCommand('responseInvalidate', { lua: INVALIDATE });
    this.redis = client as ResponseRedis;
  }

  async get(key: string, seqKey: string): Promise<{ value: string } | { seq: number }> {
    this.trips.count += 1;
    const [hit, payload] = await this.redis.responseGet(2, key, seqKey);
    return hit === 1 ? { value: payload } : { seq: Number(payload) };
  }

  async set(entry: ResponseEntry): Promise<boolean> {
    this.trips.count += 1;
    const tagKeys = entry.tags.flatMap((t) => [t.set, t.seq]);
    const stored = await this.redis.responseSet(
      1 + tagKeys.length,
      entry.key,
      ...tagKeys,
      entry.startSeq,
      wholeSeconds(entry.ttlSeconds),
      entry.value,
    );
    return stored === 1;
  }

  async invalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<number> {
    if (tags.length === 0) return 0;
    this.trips.count += 1;
    const tagKeys = tags.flatMap((t) => [t.set, t.seq]);
    return this.redis.responseInvalidate(
      1 + tagKeys.length,
      seqKey,
      ...tagKeys,
      wholeSeconds(tagTtlSeconds),
      SEQUENCE_TTL_SECONDS,
    );
  }
}
