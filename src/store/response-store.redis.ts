import type { Redis } from 'ioredis';
import { arrayReply, flagReply, integerReply } from './replies.ts';
import { CHUNK, SEQUENCE_TTL_SECONDS, type ResponseEntry, type ResponseStore, type TagKeys } from './response-store.ts';
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

// KEYS: sequence key, then (tag set, tag seq, tag's dying list) triples. ARGV: tag seq ttl, sequence ttl, CHUNK.
// Marks every tag at the next sequence, so older executions are refused from now on. A tag's answers are
// deleted here while the call stays within CHUNK keys in all; a larger set is renamed to a dying set (new
// stores index into a fresh one) named in the tag's dying list, for DRAIN to empty a chunk per call.
// Answers {deleted, then per tag 1 when its dying list is not empty (this call's sets, or a failed one's)}.
const INVALIDATE = `
local seq = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
local budget = tonumber(ARGV[3])
local deleted = 0
local draining = {}
for i = 2, #KEYS, 3 do
  local set, list = KEYS[i], KEYS[i + 2]
  redis.call('SET', KEYS[i + 1], seq, 'EX', ARGV[1])
  local n = redis.call('SCARD', set)
  if n > 0 and n <= budget then
    deleted = deleted + redis.call('UNLINK', unpack(redis.call('SMEMBERS', set)))
    redis.call('DEL', set)
    budget = budget - n
  elseif n > 0 then
    local dying = set .. ':dying:' .. seq
    redis.call('RENAME', set, dying)
    local ttl = redis.call('TTL', dying)
    redis.call('SADD', list, dying)
    if redis.call('TTL', list) < ttl then redis.call('EXPIRE', list, ttl) end
  end
  draining[#draining + 1] = redis.call('EXISTS', list)
end
return {deleted, unpack(draining)}`;

// KEYS: a tag's dying list. ARGV: CHUNK. Deletes up to CHUNK answers of one dying set (a renamed set keeps
// its TTL, past which its answers have expired anyway) and drops the set from the list once empty.
// Answers {deleted, 1 while the list still names a set}.
const DRAIN = `
local dying = redis.call('SRANDMEMBER', KEYS[1])
if not dying then return {0, 0} end
local members = redis.call('SPOP', dying, ARGV[1])
local deleted = 0
if #members > 0 then deleted = redis.call('UNLINK', unpack(members)) end
if redis.call('EXISTS', dying) == 0 then redis.call('SREM', KEYS[1], dying) end
return {deleted, redis.call('EXISTS', KEYS[1])}`;

/** A tag's dying list: the renamed sets an invalidation is still draining, beside the tag's set (same hash tag). */
const dyingList = (tag: TagKeys) => `${tag.set}:dying`;

type ResponseRedis = Redis & {
  responseGet(numKeys: number, ...args: string[]): Promise<[number, string]>;
  responseSet(numKeys: number, ...args: (string | number)[]): Promise<number>;
  responseInvalidate(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  responseDrain(numKeys: number, list: string, chunk: number): Promise<unknown>;
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
    client.defineCommand('responseDrain', { lua: DRAIN });
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

  /**
   * One call marks every tag (from then on no older execution stores under
   * it) and deletes small tag sets at once; larger ones are then drained
   * CHUNK answers per call, all tags' drains side by side, one round trip per
   * wave. Answers only once every answer that was under the tags is gone, so
   * a write acknowledged after it never meets a stale one. A failure midway
   * leaves the dying sets named in their tag's list, and the retry (the
   * outbox) drains them too.
   */
  async invalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<number> {
    if (tags.length === 0) return 0;
    this.trips.count += 1;
    const tagKeys = tags.flatMap((t) => [t.set, t.seq, dyingList(t)]);
    const reply = await this.redis.responseInvalidate(
      1 + tagKeys.length,
      seqKey,
      ...tagKeys,
      wholeSeconds(tagTtlSeconds),
      SEQUENCE_TTL_SECONDS,
      CHUNK,
    );
    const [first, ...flags] = arrayReply(reply, 1 + tags.length, 'response invalidate');
    let deleted = integerReply(first, 'response invalidate');
    let draining = [...new Set(tags.filter((_, i) => flagReply(flags[i], 'response invalidate')).map(dyingList))];
    while (draining.length > 0) {
      this.trips.count += 1;
      const replies = await Promise.all(draining.map((list) => this.redis.responseDrain(1, list, CHUNK)));
      const rounds = replies.map((r) => arrayReply(r, 2, 'response drain'));
      for (const [n] of rounds) deleted += integerReply(n, 'response drain');
      draining = draining.filter((_, i) => flagReply(rounds[i]?.[1], 'response drain'));
    }
    return deleted;
  }
}
