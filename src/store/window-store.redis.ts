import type { Cluster, Redis } from 'ioredis';
import { GCRA_LUA, NOW_LUA } from './gcra.lua.ts';
import { slotOf } from './slots.ts';
import { LuaScript } from './lua-script.ts';
import { ReplyShapeError } from './replies.ts';
import type { NodeConnections } from './node-connections.ts';
import { RespConnection, type RespReply } from './resp-connection.ts';
import type { RoundTrips } from './round-trips.ts';
import type { WindowResult, WindowStore } from './window-store.ts';

// KEYS: the window's sorted set of calls. ARGV: limit, window ms, unique member.
const SLIDING_WINDOW = `${NOW_LUA}
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

// KEYS: the budget's TAT key. ARGV: limit, window ms. Replies are integers (Lua numbers truncate), in ms.
const GCRA = `${NOW_LUA}
local gcra_key, gcra_limit, gcra_window = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
${GCRA_LUA}
return {gcra_allowed, gcra_remaining, math.ceil(gcra_retry), math.ceil(gcra_reset)}`;

const SLIDING_WINDOW_SCRIPT = new LuaScript(SLIDING_WINDOW);
const GCRA_SCRIPT = new LuaScript(GCRA);

/** A script's reply of `count` integers; another shape throws (the fail-soft layer then lets the call through). */
function numbers(reply: RespReply, count: number): number[] {
  if (!Array.isArray(reply) || reply.length !== count || !reply.every((n) => typeof n === 'number'))
    throw new ReplyShapeError('window count', reply);
  return reply as number[];
}

type WindowRedis = (Redis | Cluster) & {
  slidingWindow(numKeys: number, ...args: (string | number)[]): Promise<[number, number, number]>;
  gcraHit(numKeys: number, ...args: (string | number)[]): Promise<[number, number, number, number]>;
};

/**
 * The rate limiter's windows in a shared Redis, on Redis's clock. Each count
 * is one script on one key, sent on the request path's own connection (to
 * the one Redis, or to the master serving the key's slot: redis-connection.ts,
 * node-connections.ts), so a turn's counts leave in one write with the other
 * stores' commands. On a Cluster, a count the node refuses as no longer its
 * slot's ran nothing and is sent again through the Cluster, which follows the
 * redirection; so is one whose node connection is down.
 */
export class RedisWindowStore implements WindowStore {
  private readonly redis: WindowRedis;
  private readonly prefix: string;

  constructor(
    /** One Redis or a Cluster: each script touches one key. */
    client: Redis | Cluster,
    private readonly trips: RoundTrips,
    private readonly connection: RespConnection | NodeConnections,
  ) {
    this.prefix = client.options.keyPrefix ?? '';
    client.defineCommand('slidingWindow', { lua: SLIDING_WINDOW });
    client.defineCommand('gcraHit', { lua: GCRA });
    this.redis = client as WindowRedis;
  }

  async slidingWindowHit(key: string, limit: number, windowMs: number, member: string): Promise<WindowResult> {
    this.trips.count += 1;
    const [allowed = 0, remaining = 0, resetMs = 0] = await this.count(
      key,
      (connection) => SLIDING_WINDOW_SCRIPT.run(connection, [this.prefix + key], [limit, windowMs, member]),
      () => this.redis.slidingWindow(1, key, limit, windowMs, member),
      3,
    );
    const reset = Math.max(0, resetMs);
    return { allowed: allowed === 1, remaining: Math.max(0, remaining), retryMs: allowed === 1 ? 0 : reset, resetMs: reset };
  }

  async gcraHit(key: string, limit: number, windowMs: number): Promise<WindowResult> {
    this.trips.count += 1;
    const [allowed = 0, remaining = 0, retryMs = 0, resetMs = 0] = await this.count(
      key,
      (connection) => GCRA_SCRIPT.run(connection, [this.prefix + key], [limit, windowMs]),
      () => this.redis.gcraHit(1, key, limit, windowMs),
      4,
    );
    return {
      allowed: allowed === 1,
      remaining: Math.max(0, remaining),
      retryMs: Math.max(0, retryMs),
      resetMs: Math.max(0, resetMs),
    };
  }

  /** A count's `size` integers: on the one Redis' connection, or on the key's master (node-connections.ts). */
  private count(
    key: string,
    direct: (connection: RespConnection) => Promise<RespReply>,
    routed: () => Promise<number[]>,
    size: number,
  ): Promise<number[]> {
    const counted = async (connection: RespConnection) => numbers(await direct(connection), size);
    return this.connection instanceof RespConnection
      ? counted(this.connection)
      : this.connection.onSlot(slotOf(this.prefix + key), counted, routed);
  }
}
