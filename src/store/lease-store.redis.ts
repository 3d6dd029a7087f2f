import type { Redis } from 'ioredis';
import { LuaScript, textReply } from './lua-script.ts';
import { encodeCommand, type RespConnection } from './resp-connection.ts';
import { LEASE_SUFFIX, leaseKey, type FillEntry, type LeaseStore, type ReadResult } from './lease-store.ts';
import type { RoundTrips } from './round-trips.ts';
import { wholeSeconds } from './ttl.ts';
import { ReplyShapeError } from './replies.ts';

// One key of a read-through: 4 (of the version named), the value (a hit), 2
// (lease taken for ARGV[1], valid ARGV[2] ms), or {3, token} (lease held by
// another loader). A version is checked by GETRANGE on its length: the stored
// text is copied into Lua only when it is sent. A lease key is its key plus
// ':lease' (leaseKey), so it shares the key's hash tag and slot.
const READ_ONE = `
local function read(key, known)
  if known and known ~= '' and redis.call('GETRANGE', key, 0, #known - 1) == known then return 4 end
  local value = redis.call('GET', key)
  if value then return value end
  if redis.call('SET', key .. '${LEASE_SUFFIX}', ARGV[1], 'NX', 'PX', ARGV[2]) then return 2 end
  return {3, redis.call('GET', key .. '${LEASE_SUFFIX}') or ''}
end`;

// KEYS: the keys. ARGV: token, lease ms, then per key the version the caller
// holds followed by a newline ('' or missing for none). One reply per key (READ_ONE).
export const READ_THROUGH = `${READ_ONE}
local out = {}
for i = 1, #KEYS do out[i] = read(KEYS[i], ARGV[2 + i]) end
return out`;

// The same for keys of several slots one cluster node serves (lease-store.cluster.ts): flagged, so Redis ≥ 7
// lets it touch them one command at a time. KEYS: one of the keys, which routes the call to the node. ARGV:
// token, lease ms, the count n, then the n keys with the client's prefix, then their n versions.
export const NODE_READ_THROUGH = `#!lua flags=allow-cross-slot-keys
${READ_ONE}
local n = tonumber(ARGV[3])
local out = {}
for i = 1, n do out[i] = read(ARGV[3 + i], ARGV[3 + n + i]) end
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

const READ_THROUGH_SCRIPT = new LuaScript(READ_THROUGH);
const FILL_SCRIPT = new LuaScript(FILL);

/**
 * The lease store over a shared Redis: each step is one Lua script, so
 * atomic and one round trip. Its reads and fills go on the request path's
 * own connection (redis-connection.ts), keys prefixed here as the client would.
 */
export class RedisLeaseStore implements LeaseStore {
  private readonly prefix: string;

  constructor(
    private readonly client: Redis,
    private readonly trips: RoundTrips,
    private readonly connection: RespConnection,
  ) {
    this.prefix = client.options.keyPrefix ?? '';
  }

  async readThrough(keys: readonly string[], token: string, leaseMs: number, known?: readonly string[]): Promise<ReadResult[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    const replies = await READ_THROUGH_SCRIPT.run(this.connection, this.prefixed(keys), [token, leaseMs, ...versionArgs(known)]);
    return readResults(textReply(replies), keys.length);
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    if (entries.length === 0) return 0;
    this.trips.count += 1;
    const pairs = entries.flatMap((e) => [this.prefix + e.key, this.prefix + leaseKey(e.key)]);
    const values = entries.flatMap((e) => [e.value, wholeSeconds(e.ttlSeconds)]);
    const written = await FILL_SCRIPT.run(this.connection, pairs, [token, ...values]);
    if (typeof written !== 'number') throw new ReplyShapeError('lease fill', written);
    return written;
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    const values = textReply(await this.connection.send(encodeCommand(['MGET', ...this.prefixed(keys)])));
    if (!Array.isArray(values) || values.length !== keys.length || !values.every((v) => v === null || typeof v === 'string'))
      throw new ReplyShapeError('mget', values);
    return values as (string | null)[];
  }

  /** On the ioredis client: the fail-soft layer's outbox delivers invalidations once it is back (fail-soft.ts). */
  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.trips.count += 1;
    await this.client.del(...keys.flatMap((key) => [key, leaseKey(key)]));
  }

  private prefixed(keys: readonly string[]): string[] {
    return keys.map((key) => this.prefix + key);
  }
}

/** The read-through script's version arguments: each held version with its newline, '' for none. */
export function versionArgs(known: readonly string[] | undefined): string[] {
  return known ? known.map((version) => (version === '' ? '' : `${version}\n`)) : [];
}

/** The read-through script's reply for `count` keys, checked: another shape throws (the fail-soft layer then reads Postgres). */
export function readResults(replies: unknown, count: number): ReadResult[] {
  if (!Array.isArray(replies) || replies.length !== count) throw new ReplyShapeError('lease read-through', replies);
  return replies.map((reply): ReadResult => {
    if (typeof reply === 'string') return { kind: 'hit', value: reply };
    if (reply === 4) return { kind: 'same' };
    if (reply === 2) return { kind: 'leased' };
    if (Array.isArray(reply) && reply.length === 2 && reply[0] === 3 && typeof reply[1] === 'string') {
      return { kind: 'held', token: reply[1] };
    }
    throw new ReplyShapeError('lease read-through entry', reply);
  });
}
