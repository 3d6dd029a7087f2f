import type { Cluster, Redis } from 'ioredis';
import { GCRA_LUA, NOW_LUA } from './gcra.lua.ts';
import type { HotLookup, HotResult, HotStore } from './hot-store.ts';
import { IS_PENDING_LUA } from './pending-marker.ts';
import { ReplyShapeError } from './replies.ts';
import type { RoundTrips } from './round-trips.ts';
import { LuaScript } from './lua-script.ts';
import type { NodeConnections } from './node-connections.ts';
import { RespConnection, type RespReply } from './resp-connection.ts';
import { slotOf } from './slots.ts';
import { STRIP_VERSION_LUA } from './stored-text.ts';

// KEYS: session, budget, response. ARGV: user id, now (ISO), budget limit (0: off), budget window ms, known ETag and a newline ('' for none).
// Replies {0} when the session is not cached as valid (nothing counted), else
// {1, allowed, remaining, retry ms, reset ms, answer}, the answer being the
// stored bytes, false on a miss (a cluster store's pending marker is one), or
// 1 when it carries the known ETag (the caller holds those bytes: they are not
// sent again; a marker starts with a 0 byte, an ETag line with '"', so a marker
// never matches). Six commands when the known ETag is current or none is
// known: EVALSHA, GET session, TIME, GET and SET budget, then GETRANGE (the
// ETag line only: the answer is copied into Lua only when it is sent) or GET
// answer; seven the first time after an answer changed.
const LOOKUP = `
local function answer()
  local known = ARGV[5]
  if known ~= '' and redis.call('GETRANGE', KEYS[3], 0, #known - 1) == known then return 1 end
  local v = redis.call('GET', KEYS[3])
  if v and ${IS_PENDING_LUA('v')} then return false end
  return v
end
local s = redis.call('GET', KEYS[1])
if not s then return {0} end
${STRIP_VERSION_LUA}
if s == 'null' then return {0} end
local ok, session = pcall(cjson.decode, s)
if not ok or type(session) ~= 'table' or session.userId ~= ARGV[1] or type(session.expiresAt) ~= 'string' or session.expiresAt <= ARGV[2] then
  return {0}
end
local gcra_limit = tonumber(ARGV[3])
if gcra_limit == 0 then return {1, 1, -1, 0, 0, answer()} end
${NOW_LUA}
local gcra_key, gcra_window = KEYS[2], tonumber(ARGV[4])
${GCRA_LUA}
if gcra_allowed == 0 then return {1, 0, 0, math.ceil(gcra_retry), math.ceil(gcra_reset)} end
return {1, 1, gcra_remaining, 0, math.ceil(gcra_reset), answer()}`;

const LOOKUP_SCRIPT = new LuaScript(LOOKUP);

/** The script's command name on the client; redis-client.ts keeps it out of auto-pipelining. */
export const HOT_LOOKUP = 'hotLookup';

type HotReply = [number, number?, number?, number?, number?, (Buffer | number | null)?];

type HotRedis = (Redis | Cluster) & {
  hotLookupBuffer(...keysThenArgs: (string | number)[]): Promise<HotReply>;
};

/**
 * The hot path's lookup as one Lua script; the stored answer comes back as a
 * Buffer, written out without decoding. It goes on the request path's own
 * connection (resp-connection.ts says why not ioredis'): to the one Redis,
 * or on a Cluster to the master the client's slot map names for the session
 * key (whose viewer tag the budget and answer keys share). The Cluster's own
 * routing of each command (slot hashing, node lookup, redirection
 * bookkeeping) cost a hit about 6 µs more than one Redis. A node that
 * answers it no longer serves that slot ran nothing, and the lookup is sent
 * again through the Cluster, which follows the redirection and refreshes its
 * map; so is one whose node connection is down.
 */
export class RedisHotStore implements HotStore {
  private readonly redis: HotRedis;
  private readonly prefix: string;

  /**
   * @param connection one Redis: the request path's connection (redis-connection.ts); a Cluster: its
   *   masters' (node-connections.ts)
   */
  constructor(
    client: Redis | Cluster,
    private readonly trips: RoundTrips,
    private readonly connection: RespConnection | NodeConnections,
  ) {
    client.defineCommand(HOT_LOOKUP, { lua: LOOKUP, numberOfKeys: 3 });
    this.redis = client as HotRedis;
    this.prefix = client.options.keyPrefix ?? '';
  }

  async lookup(request: HotLookup): Promise<HotResult> {
    this.trips.count += 1;
    const args = [
      request.userId,
      request.nowIso,
      request.budget?.limit ?? 0,
      request.budget?.windowMs ?? 0,
      request.knownEtag === '' ? '' : `${request.knownEtag}\n`,
    ];
    const keys = [request.sessionKey, request.budgetKey, request.responseKey];
    const reply =
      this.connection instanceof RespConnection
        ? await this.send(this.connection, keys, args)
        : await this.viaNode(this.connection, keys, args);
    if (reply[0] !== 1) return { kind: 'unknown' };
    const [, allowed = 0, remaining = 0, retryMs = 0, resetMs = 0, stored = null] = reply;
    return {
      kind: 'counted',
      budget: request.budget ? { allowed: allowed === 1, remaining, retryMs, resetMs } : null,
      stored: stored === 1 ? 'known' : typeof stored === 'number' ? null : (stored ?? null),
    };
  }

  private async send(connection: RespConnection, keys: string[], args: (string | number)[]): Promise<HotReply> {
    return hotReplyOf(
      await LOOKUP_SCRIPT.run(
        connection,
        keys.map((key) => this.prefix + key),
        args,
      ),
    );
  }

  /** The lookup sent to the master serving the session key's slot (node-connections.ts says when the Cluster routes it instead). */
  private viaNode(nodes: NodeConnections, keys: string[], args: (string | number)[]): Promise<HotReply> {
    return nodes.onSlot(
      slotOf(this.prefix + keys[0]),
      (connection) => this.send(connection, keys, args),
      () => this.redis.hotLookupBuffer(...keys, ...args),
    );
  }
}

/** The script's reply as the lookup reads it; anything else is a store error. */
function hotReplyOf(reply: RespReply): HotReply {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') throw new ReplyShapeError('hot lookup', reply);
  const [first, allowed, remaining, retryMs, resetMs, stored] = reply;
  if (first !== 1) return [first];
  const numbers = [allowed, remaining, retryMs, resetMs];
  if (!numbers.every((n) => typeof n === 'number')) throw new ReplyShapeError('hot lookup', reply);
  if (!(stored === undefined || stored === null || typeof stored === 'number' || Buffer.isBuffer(stored)))
    throw new ReplyShapeError('hot lookup', reply);
  return [first, allowed as number, remaining as number, retryMs as number, resetMs as number, stored];
}
