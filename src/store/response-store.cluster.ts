import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { IS_PENDING_LUA, pendingMarker } from './pending-marker.ts';
import { flagReply, integerReply, ReplyShapeError, stringsReply } from './replies.ts';
import { CHUNK, type ResponseEntry, type ResponseStore, type TagKeys } from './response-store.ts';
import type { RoundTrips } from './round-trips.ts';
import { groupByNode, groupBySlot, masterAddress } from './slots.ts';
import { wholeSeconds } from './ttl.ts';

/** Most keys one call touches here: SSCAN's page, one UNLINK, one SREM. */
export { CHUNK };

/** How long a pending marker lives: far longer than the store's three steps, short enough that a crashed store frees its key soon. */
export const PENDING_MS = 5_000;

/** Lua: `now_us`, this node's TIME in microseconds as a decimal string (exact: no float formatting). */
const NOW_US_LUA = `local t = redis.call('TIME')
local now_us = t[1] .. string.format('%06d', tonumber(t[2]))`;

// KEYS: the answer's key. {1, answer} on a hit; on a miss (a pending marker is one) {0, now in µs on this node}.
const GET = `
local v = redis.call('GET', KEYS[1])
if v and not (${IS_PENDING_LUA('v')}) then return {1, v} end
${NOW_US_LUA}
return {0, now_us}`;

// KEYS: the tag's stamp. ARGV: TTL seconds. Marks the tag invalidated now, on this node's clock (µs).
const STAMP = `${NOW_US_LUA}
redis.call('SET', KEYS[1], now_us, 'EX', ARGV[1])
return now_us`;

// KEYS: the tag's stamp, the tag's set. ARGV: the execution's start (µs), the clock skew allowed (µs), the
// answer's key, its TTL seconds. Refuses (0) when the tag was stamped at or after the start less the skew;
// else indexes the answer under the tag (1).
const ADMIT = `
local stamp = redis.call('GET', KEYS[1])
if stamp and tonumber(stamp) >= tonumber(ARGV[1]) - tonumber(ARGV[2]) then return 0 end
local ttl = tonumber(ARGV[4])
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('TTL', KEYS[2]) < ttl then redis.call('EXPIRE', KEYS[2], ttl) end
return 1`;

// KEYS: the answer's key. ARGV: this store's marker, the answer, its TTL seconds. Writes only over the own marker.
const COMMIT = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1`;

// KEYS: one of the answers, which routes the call to its node. ARGV: the answers, prefixed, of any slots this node
// serves: Redis ≥ 7 lets a flagged script touch them, one command per key (declared KEYS, or one command's keys, of
// several slots are refused). Answers how many existed.
const UNLINK = `#!lua flags=allow-cross-slot-keys
local n = 0
for _, key in ipairs(ARGV) do n = n + redis.call('UNLINK', key) end
return n`;

// KEYS: the answer's key. ARGV: this store's marker. Deletes the key only while it holds that marker.
const RELEASE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

type ResponseCluster = Cluster & {
  responseGet(numKeys: number, key: string): Promise<unknown>;
  responseStamp(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  responseAdmit(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  responseCommit(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  responseRelease(numKeys: number, ...args: string[]): Promise<unknown>;
  responseUnlink(numKeys: number, route: string, ...prefixedKeys: string[]): Promise<unknown>;
};

/** Options of the cluster response store. */
export interface ClusterResponseStoreOptions {
  /**
   * How far two nodes' clocks may disagree. A store compares a tag's stamp
   * (the tag node's clock) with its execution's start (the answer node's
   * clock), and refuses when the stamp is not earlier than the start by more
   * than this. Nodes on one host share one clock (0); across hosts, what
   * NTP keeps them within. Larger only refuses more stores, never serves a
   * stale one.
   * @default DEFAULT_CLOCK_SKEW_MS
   */
  clockSkewMs?: number;
}

/** The default allowance for clock skew between cluster nodes on different hosts (NTP keeps them within a few ms). */
export const DEFAULT_CLOCK_SKEW_MS = 50;

/**
 * The response store over a Redis Cluster. One Redis keeps one global
 * invalidation sequence; on a cluster that key would be one hot slot read by
 * every miss and written by every write, and a store would need it in the
 * same script as keys of other slots. Instead, time orders them:
 *
 * - A miss reads, in the same call as the answer key, its node's clock: the
 *   execution's start (in µs; no other key is read).
 * - An invalidation stamps each tag with its node's clock (in the tag's slot),
 *   then deletes the answers indexed under it in chunks (they live in their
 *   viewers' slots), and answers only once all are gone.
 * - A store takes three steps: a pending marker in the answer's slot, an
 *   admission per tag in the tag's slot (refused when the tag was stamped at
 *   or after the start), then a compare-and-set of the answer over its own
 *   marker. Why each step is needed is said where it runs.
 *
 * Both clocks are read by Redis when the events happen, so no request timing
 * (network, event loop, timeouts) enters the comparison, only the skew
 * between two nodes' clocks. A store is several round trips (1 + 1 wave
 * over the tags + 1); a hit, on the hot path or here, stays one.
 */
export class ClusterResponseStore implements ResponseStore {
  private readonly redis: ResponseCluster;
  private readonly skewUs: number;

  constructor(
    client: Cluster,
    /** The client's key prefix: slots are computed on the key as sent. */
    private readonly prefix: string,
    private readonly trips: RoundTrips,
    options: ClusterResponseStoreOptions = {},
  ) {
    client.defineCommand('responseGet', { lua: GET });
    client.defineCommand('responseStamp', { lua: STAMP });
    client.defineCommand('responseAdmit', { lua: ADMIT });
    client.defineCommand('responseCommit', { lua: COMMIT });
    client.defineCommand('responseRelease', { lua: RELEASE });
    client.defineCommand('responseUnlink', { lua: UNLINK });
    this.redis = client as ResponseCluster;
    this.skewUs = Math.round((options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS) * 1000);
  }

  /** The answer, or on a miss (a pending marker is one) the execution's start: the answer node's clock, in µs. */
  async get(key: string): Promise<{ value: string } | { seq: number }> {
    this.trips.count += 1;
    const reply = await this.redis.responseGet(1, key);
    if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[1] !== 'string')
      throw new ReplyShapeError('response get', reply);
    if (reply[0] === 1) return { value: reply[1] };
    const start = Number(reply[1]);
    if (reply[0] !== 0 || !Number.isSafeInteger(start)) throw new ReplyShapeError('response get', reply);
    return { seq: start };
  }

  async set(entry: ResponseEntry): Promise<boolean> {
    const marker = pendingMarker(randomBytes(12).toString('base64url'));
    // 1. Claim the key: from now on, an invalidation that reaches this key (through a tag set step 2 joins)
    //    unlinks the marker, and step 3 will find it gone. NX: another instance's answer or store is left alone.
    this.trips.count += 1;
    const claimed = await this.redis.set(entry.key, marker, 'PX', PENDING_MS, 'NX');
    if (claimed === null) return false;
    if (claimed !== 'OK') throw new ReplyShapeError('SET NX', claimed);
    let admitted: boolean;
    try {
      admitted = await this.admit(entry);
    } catch (error) {
      await this.release(entry.key, marker).catch(() => {});
      throw error;
    }
    if (!admitted) {
      await this.release(entry.key, marker);
      return false;
    }
    // 3. Write the answer only over this store's own marker: an invalidation between steps 1-2 and now
    //    found the key in a tag set (step 2 put it there before the tag's stamp) and unlinked the marker.
    this.trips.count += 1;
    const committed = await this.redis.responseCommit(1, entry.key, marker, entry.value, wholeSeconds(entry.ttlSeconds));
    return flagReply(committed, 'response commit');
  }

  /**
   * 2. Index the key under each tag, in the tag's slot, unless the tag was
   * stamped since the execution started (it may show rows from before that
   * write). A stamp written after this check is later than the key's
   * indexing, so that invalidation will find the key and unlink it.
   */
  private async admit(entry: ResponseEntry): Promise<boolean> {
    if (entry.tags.length === 0) return true;
    const ttl = wholeSeconds(entry.ttlSeconds);
    this.trips.count += 1;
    const replies = await Promise.all(
      entry.tags.map((tag) => this.redis.responseAdmit(2, tag.seq, tag.set, entry.startSeq, this.skewUs, entry.key, ttl)),
    );
    return replies.map((reply) => flagReply(reply, 'response admit')).every(Boolean);
  }

  private async release(key: string, marker: string): Promise<void> {
    this.trips.count += 1;
    flagReply(await this.redis.responseRelease(1, key, marker), 'response release');
  }

  /**
   * Stamps every tag, then deletes what each indexes, CHUNK keys per call:
   * SSCAN a page, UNLINK its keys (grouped by slot), then SREM them from the
   * set. A member leaves the set only after its key is gone, so a failure
   * midway leaves it for the retry (the outbox). Members added after the
   * stamp belong to executions admitted after it (fresh); unlinking them too
   * only costs a miss. Answers how many keys were deleted.
   */
  async invalidate(tags: readonly TagKeys[], _seqKey: string, tagTtlSeconds: number): Promise<number> {
    if (tags.length === 0) return 0;
    this.trips.count += 1;
    const ttl = wholeSeconds(tagTtlSeconds);
    const stamps = await Promise.all(tags.map((tag) => this.redis.responseStamp(1, tag.seq, ttl)));
    for (const stamp of stamps)
      if (typeof stamp !== 'string' || !/^\d+$/.test(stamp)) throw new ReplyShapeError('response stamp', stamp);
    let deleted = 0;
    let scanning = tags.map((tag) => ({ set: tag.set, cursor: '0' }));
    while (scanning.length > 0) {
      this.trips.count += 1;
      const pages = await Promise.all(scanning.map((s) => this.redis.sscan(s.set, s.cursor, 'COUNT', CHUNK)));
      const found = scanning.map((s, i) => ({ ...s, ...scanPage(pages[i]) }));
      const members = [...new Set(found.flatMap((f) => f.members))];
      if (members.length > 0) {
        deleted += await this.unlink(members);
        this.trips.count += 1;
        const removed = await Promise.all(found.flatMap((f) => chunks(f.members).map((page) => this.redis.srem(f.set, ...page))));
        for (const reply of removed) integerReply(reply, 'SREM');
      }
      scanning = found.filter((f) => f.cursor !== '0').map((f) => ({ set: f.set, cursor: f.cursor }));
    }
    return deleted;
  }

  /**
   * UNLINKs keys of any slots: one call per node and chunk, all at once;
   * answers how many existed. A tag's answers live in their viewers' slots,
   * so a call per slot would be one call per answer, each costing the
   * instance a command's work; a node takes all its slots' keys in one
   * script. A slot that moved meanwhile fails the call (the outbox retries
   * the invalidation with the client's refreshed map).
   */
  private async unlink(members: readonly string[]): Promise<number> {
    this.trips.count += 1;
    const nodes = groupByNode(
      groupBySlot(members, (key) => this.prefix + key),
      (slot) => masterAddress(this.redis, slot),
    );
    const calls = nodes.flatMap((groups) =>
      chunks(groups.flatMap((group) => group.items)).map((page) =>
        this.redis.responseUnlink(1, page[0] as string, ...page.map((key) => this.prefix + key)),
      ),
    );
    const replies = await Promise.all(calls);
    return replies.reduce<number>((sum, reply) => sum + integerReply(reply, 'response unlink'), 0);
  }
}

/** SSCAN's reply: the next cursor ('0' when done) and the page's members. */
function scanPage(reply: unknown): { cursor: string; members: string[] } {
  if (!Array.isArray(reply) || reply.length !== 2 || typeof reply[0] !== 'string') throw new ReplyShapeError('SSCAN', reply);
  return { cursor: reply[0], members: stringsReply(reply[1], 'SSCAN') };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
