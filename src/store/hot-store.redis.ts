import { type Cluster, Redis } from 'ioredis';
import { GCRA_LUA, NOW_LUA } from './gcra.lua.ts';
import type { HotLookup, HotResult, HotStore } from './hot-store.ts';
import { IS_PENDING_LUA } from './pending-marker.ts';
import type { RoundTrips } from './round-trips.ts';
import { MasterConnections } from './master-connections.ts';
import { slotOf } from './slots.ts';
import { STRIP_VERSION_LUA } from './stored-text.ts';
import { TurnWrites } from './turn-writes.ts';

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

/** The script's command name on the client; redis-client.ts keeps it out of auto-pipelining. */
export const HOT_LOOKUP = 'hotLookup';

type HotReply = [number, number?, number?, number?, number?, (Buffer | number | null)?];

type HotRedis = (Redis | Cluster) & {
  hotLookupBuffer(...keysThenArgs: (string | number)[]): Promise<HotReply>;
};

/** A reply that says the node does not serve the key's slot now: it ran nothing, so the lookup may be sent again. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/;

/**
 * The hot path's lookup as one Lua script; the stored answer comes back as a
 * Buffer, written out without decoding. On a Cluster it goes straight to the
 * master the client's slot map names for the session key (whose viewer tag
 * the budget and answer keys share): the Cluster's own routing of each
 * command (slot hashing, node lookup, redirection bookkeeping) cost a hit
 * about 6 µs more than one Redis. A node that answers it no longer serves
 * that slot ran nothing, and the lookup is sent again through the Cluster,
 * which follows the redirection and refreshes its map.
 */
export class RedisHotStore implements HotStore {
  private readonly redis: HotRedis;
  /** This loop turn's writes, held back (one Redis: its socket; a Cluster: each node's a lookup went to). */
  private readonly writes = new TurnWrites();
  /** A Cluster's master connections (null on one Redis), each given the script when first used. */
  private readonly masters: MasterConnections | null;

  constructor(
    client: Redis | Cluster,
    private readonly trips: RoundTrips,
  ) {
    client.defineCommand(HOT_LOOKUP, { lua: LOOKUP, numberOfKeys: 3 });
    this.redis = client as HotRedis;
    this.masters = client instanceof Redis ? null : new MasterConnections(client);
  }

  async lookup(request: HotLookup): Promise<HotResult> {
    this.trips.count += 1;
    const node = this.masters ? this.nodeOf(request.sessionKey) : undefined;
    // Under load one turn reads many requests: their lookups then leave in one write and come back in one read.
    this.writes.hold(this.masters ? node?.stream : (this.redis as Redis).stream);
    const args = [
      request.userId,
      request.nowIso,
      request.budget?.limit ?? 0,
      request.budget?.windowMs ?? 0,
      request.knownEtag === '' ? '' : `${request.knownEtag}\n`,
    ];
    const keys = [request.sessionKey, request.budgetKey, request.responseKey];
    const reply = node ? await this.viaNode(node, keys, args) : await this.redis.hotLookupBuffer(...keys, ...args);
    if (reply[0] !== 1) return { kind: 'unknown' };
    const [, allowed = 0, remaining = 0, retryMs = 0, resetMs = 0, stored = null] = reply;
    return {
      kind: 'counted',
      budget: request.budget ? { allowed: allowed === 1, remaining, retryMs, resetMs } : null,
      stored: stored === 1 ? 'known' : typeof stored === 'number' ? null : (stored ?? null),
    };
  }

  /** The lookup sent to one Cluster node (keys prefixed here: a node connection has no prefix of its own). */
  private async viaNode(node: HotRedis, keys: string[], args: (string | number)[]): Promise<HotReply> {
    const prefix = (this.redis as Cluster).options.keyPrefix ?? '';
    try {
      return await node.hotLookupBuffer(...keys.map((key) => prefix + key), ...args);
    } catch (error) {
      if (!(error instanceof Error) || !REDIRECTED.test(error.message)) throw error;
      return this.redis.hotLookupBuffer(...keys, ...args);
    }
  }

  /** The ready master connection a Cluster would send this key to, with the script defined, or undefined (then the Cluster routes it). */
  private nodeOf(key: string): (Redis & HotRedis) | undefined {
    // Not ready: the node's own offline queue would hold the lookup; the Cluster fails it at once instead.
    const node = this.masters?.ready(slotOf(((this.redis as Cluster).options.keyPrefix ?? '') + key));
    if (node && !(HOT_LOOKUP in node)) node.defineCommand(HOT_LOOKUP, { lua: LOOKUP, numberOfKeys: 3 });
    return node as (Redis & HotRedis) | undefined;
  }
}
