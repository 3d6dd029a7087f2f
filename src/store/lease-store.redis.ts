import type { Redis } from 'ioredis';
import { leaseKey, type FillEntry, type LeaseStore, type ReadResult } from './lease-store.ts';
import type { RoundTrips } from './round-trips.ts';
import { wholeSeconds } from './ttl.ts';

// KEYS: pairs (key, lease key). ARGV: token, lease ms, then per pair the
// version the caller holds ('' for none; missing ones are ''). One reply per
// pair: {1, value} hit, {4} hit of the version named, {2} lease taken,
// {3, token} lease held by another loader. The cluster store runs it once per slot.
export const READ_THROUGH = `
local out = {}
for i = 1, #KEYS, 2 do
  local value = redis.call('GET', KEYS[i])
  local known = ARGV[2 + (i + 1) / 2]
  if value and known and known ~= '' and string.sub(value, 1, #known + 1) == known .. '\\n' then
    out[#out + 1] = {4}
  elseif value then
    out[#out + 1] = {1, value}
  elseif redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    out[#out + 1] = {2}
  else
    out[#out + 1] = {3, redis.call('GET', KEYS[i + 1]) or ''}
  end
end
return out`;

// KEYS: pairs (key, lease key). ARGV: token, then value and TTL seconds per pair.
export const FILL = `
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

type LeaseRedis = Redis & {
  leaseReadThrough(numKeys: number, ...args: string[]): Promise<[number, string?][]>;
  leaseFill(numKeys: number, ...args: (string | number)[]): Promise<number>;
};

/** The lease store over a shared Redis: each step is one Lua script, so atomic and one round trip. */
export class RedisLeaseStore implements LeaseStore {
  private readonly redis: LeaseRedis;

  constructor(
    client: Redis,
    private readonly trips: RoundTrips,
  ) {
    client.defineCommand('leaseReadThrough', { lua: READ_THROUGH });
    client.defineCommand('leaseFill', { lua: FILL });
    this.redis = client as LeaseRedis;
  }

  async readThrough(keys: readonly string[], token: string, leaseMs: number, known?: readonly string[]): Promise<ReadResult[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    const pairs = keys.flatMap((key) => [key, leaseKey(key)]);
    const replies = await this.redis.leaseReadThrough(pairs.length, ...pairs, token, String(leaseMs), ...(known ?? []));
    return replies.map(([kind, payload]): ReadResult => {
      if (kind === 1) return { kind: 'hit', value: payload ?? '' };
      if (kind === 4) return { kind: 'same' };
      if (kind === 2) return { kind: 'leased' };
      return { kind: 'held', token: payload ?? '' };
    });
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    if (entries.length === 0) return 0;
    this.trips.count += 1;
    const pairs = entries.flatMap((e) => [e.key, leaseKey(e.key)]);
    const values = entries.flatMap((e) => [e.value, wholeSeconds(e.ttlSeconds)]);
    return this.redis.leaseFill(pairs.length, ...pairs, token, ...values);
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    return this.redis.mget(...keys);
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.trips.count += 1;
    await this.redis.del(...keys.flatMap((key) => [key, leaseKey(key)]));
  }
}
