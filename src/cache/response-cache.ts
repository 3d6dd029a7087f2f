import type { Cache } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { SafeStore } from '../store/fail-soft.ts';
import { keys } from './keys.ts';
import { decodeStored, encodeStored } from './response-key.ts';

/** An entity a response shows, as the response cache names it: its type and its GraphQL id (a global ID). */
export interface EntityTag {
  typename: string;
  id: string;
}

/** What the response cache did since start: for tests, the X-Cache header and metrics. */
export interface ResponseCacheStats {
  hits: number;
  misses: number;
  stored: number;
  /** Results not stored because a tag they show was invalidated while they executed, or the store was down. */
  refused: number;
  /** Identical concurrent misses that waited for one execution instead of running their own. */
  coalesced: number;
  /** Invalidations of tags asked of the store (one per write that touched any). */
  invalidations: number;
}

interface Pending {
  /** The invalidation sequence when the execution started; null when unknown (the store did not answer). */
  seq: number | null;
  /** Tags the execution adds beyond the entities in its result: the viewer it was keyed by. */
  extraTags: EntityTag[];
  at: number;
  /** The request joined another's execution: that one stores the shared answer, this one stores nothing. */
  joined?: boolean;
}

/** Keys whose latest miss's sequence is remembered (for coalescing only: a forgotten one just executes). */
const SEEN_AT_MISS_MAX = 10_000;

/** Executions older than this can no longer be pending: their entry is dropped, and their result not stored. */
const PENDING_MAX_AGE_MS = 60_000;
/** The pending map is swept only once it holds this many entries, so a normal request never pays for a sweep. */
const SWEEP_AT = 1_000;

const EXECUTION = '\u0000';
let executions = 0;

/**
 * The key one request passes to the cache: the store key and a number of
 * that request's own, so its pending lookup is its own (see pendingKey).
 * Store keys never hold NUL.
 */
export const executionKey = (storeKey: string): string => `${storeKey}${EXECUTION}${(executions++).toString(36)}`;

/** The store key of a key passed to the cache (an executionKey, or a bare store key). */
export function storeKeyOf(key: string): string {
  const at = key.indexOf(EXECUTION);
  return at === -1 ? key : key.slice(0, at);
}

/** Options of the response cache. */
export interface ResponseCacheOptions {
  /** The clock pending entries are aged by; tests inject one instead of waiting a minute. @default Date.now */
  now?: () => number;
}

/**
 * The bytes Yoga sends for an error-free result: JSON without the internal
 * `extensions.http` (the same rule as Yoga's own serializer).
 */
function serialize(result: ExecutionResult): string {
  const extensions = result.extensions as Record<string, unknown> | undefined;
  if (!extensions || !('http' in extensions)) return JSON.stringify(result);
  const { http: _http, ...rest } = extensions;
  return JSON.stringify({ ...result, extensions: Object.keys(rest).length > 0 ? rest : undefined });
}

/**
 * The response cache's store (envelop's Cache interface) over the instance's
 * store. Unlike @envelop/response-cache-redis it awaits and survives store
 * failures, never uses KEYS, gives tag sets a TTL, and refuses to store a
 * result whose tags were invalidated after its execution began: the miss reads
 * the invalidation sequence, and the store is one script that compares it
 * with each tag's last invalidation. Answers are stored as the bytes a hit
 * sends, with their ETag (response-key.ts), so the hot path serves them as
 * they are. Keys are whole store keys (keys.response).
 */
export class ResponseCache implements Cache {
  readonly stats: ResponseCacheStats = { hits: 0, misses: 0, stored: 0, refused: 0, coalesced: 0, invalidations: 0 };
  private readonly pending = new Map<string, Pending>();
  /** The ETag of each result this cache served or stored, for the response's headers. */
  private readonly etags = new WeakMap<object, string>();
  /** Stores in flight by key: a lookup of the same key waits for its store instead of missing beside it. */
  private readonly storing = new Map<string, Promise<boolean>>();
  /** Results served from the cache, so the answer can say X-Cache: HIT. */
  private readonly served = new WeakSet<object>();
  /** The invalidation sequence the latest miss of each key saw (null: the store did not say). */
  private readonly seenAtMiss = new Map<string, number | null>();
  private readonly now: () => number;

  constructor(
    private readonly store: SafeStore,
    /** How long a tag's invalidation is remembered: at least the longest response TTL. */
    private readonly tagTtlSeconds: number,
    options: ResponseCacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Executions begun and not yet stored or refused: for tests and metrics (the sweep keeps it bounded). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Notes, before execution, the tags a response gets beyond its entities (the viewer it is keyed for). */
  expect(key: string, extraTags: EntityTag[]): void {
    this.sweep();
    const mine = this.pendingKey(key);
    const entry = this.pending.get(mine);
    if (entry) entry.extraTags = extraTags;
    else this.pending.set(mine, { seq: Number.POSITIVE_INFINITY, extraTags, at: this.now() });
  }

  /** Marks an execution whose result must never be stored (a mutation's). */
  refuse(key: string): void {
    this.pending.set(this.pendingKey(key), { seq: null, extraTags: [], at: this.now() });
  }

  /**
   * Marks a request that joined another request's execution: its answer is
   * never stored under its own key. The execution's owner stores it (same
   * store key) with the entities it shows; envelop strips the entity metadata
   * from the shared result as the owner stores it, so the joiner's store would
   * carry no entity tag, pass every invalidation check, and put back a
   * pre-write answer that no later write could reach.
   */
  joined(key: string): void {
    const mine = this.pendingKey(key);
    const entry = this.pending.get(mine);
    if (entry) entry.joined = true;
    else this.pending.set(mine, { seq: null, extraTags: [], at: this.now(), joined: true });
  }

  /** Resolves once the store of `key` begun by set() has landed or been refused (at once when none is running). */
  async settled(key: string): Promise<void> {
    await this.storing.get(storeKeyOf(key));
  }

  /** The store of a store key begun by set() and not yet landed or refused; undefined when none runs. */
  readonly storingOf = (storeKey: string): Promise<boolean> | undefined => this.storing.get(storeKey);

  /** The ETag of a result this cache served or stored; undefined for any other. */
  etagOf(result: object): string | undefined {
    return this.etags.get(result);
  }

  /**
   * The invalidation sequence the latest miss of `key` read: what an
   * execution starting now can be sure it reflects. Sequences only grow, so
   * when concurrent misses interleave, a caller may read a later miss's
   * value, never an earlier one: it errs towards executing, never towards
   * an older answer. Undefined when no miss of `key` was seen.
   */
  seqAtMiss(key: string): number | null | undefined {
    return this.seenAtMiss.get(storeKeyOf(key));
  }

  /** Whether a result came from the cache. */
  wasServed(result: object): boolean {
    return this.served.has(result);
  }

  async get(key: string): Promise<ExecutionResult | null> {
    const storeKey = storeKeyOf(key);
    const storing = this.storing.get(storeKey);
    if (storing) await storing;
    const found = await this.store.responseGet(storeKey, keys.responseSequence());
    if (found && 'value' in found) {
      this.stats.hits += 1;
      const mine = this.pendingKey(key);
      if (this.pending.get(mine)?.seq === Number.POSITIVE_INFINITY) this.pending.delete(mine);
      const { etag, body } = decodeStored(found.value);
      const result = JSON.parse(body) as ExecutionResult;
      this.etags.set(result, etag);
      this.served.add(result);
      return result;
    }
    this.stats.misses += 1;
    this.sweep();
    const seq = found ? found.seq : null;
    // Re-inserted so the oldest key comes first and is the one let go; an execution outlives few later misses.
    this.seenAtMiss.delete(storeKey);
    this.seenAtMiss.set(storeKey, seq);
    if (this.seenAtMiss.size > SEEN_AT_MISS_MAX) this.seenAtMiss.delete(this.seenAtMiss.keys().next().value ?? storeKey);
    const mine = this.pendingKey(key);
    const entry = this.pending.get(mine);
    if (!entry) this.pending.set(mine, { seq, extraTags: [], at: this.now() });
    // Two lookups of one execution (or two executions) keep the earliest start: the safe side.
    else entry.seq = entry.seq === null || seq === null ? null : Math.min(entry.seq, seq);
    return null;
  }

  /** Called by envelop without awaiting: it must never reject. */
  async set(
    key: string,
    data: ExecutionResult,
    entities: Iterable<{ typename: string; id?: string | number }>,
    ttlMs: number,
  ): Promise<void> {
    const mine = this.pendingKey(key);
    const entry = this.pending.get(mine);
    this.pending.delete(mine);
    if (entry?.joined) return;
    if (!entry || entry.seq === null || !Number.isFinite(entry.seq)) {
      this.stats.refused += 1;
      return;
    }
    const tags = new Map<string, EntityTag>();
    for (const e of entities)
      if (e.id !== undefined) tags.set(`${e.typename}:${e.id}`, { typename: e.typename, id: String(e.id) });
    for (const t of entry.extraTags) tags.set(`${t.typename}:${t.id}`, t);
    const { value, etag } = encodeStored(serialize(data));
    this.etags.set(data, etag);
    const storeKey = storeKeyOf(key);
    const storing = this.store.responseSet({
      key: storeKey,
      value,
      ttlSeconds: ttlMs / 1000,
      tags: [...tags.values()].map((t) => keys.responseTag(t.typename, t.id)),
      startSeq: entry.seq,
    });
    this.storing.set(storeKey, storing);
    const stored = await storing;
    if (this.storing.get(storeKey) === storing) this.storing.delete(storeKey);
    if (stored) this.stats.stored += 1;
    else this.stats.refused += 1;
  }

  /** Envelop's own invalidation entry point; the services call invalidateTags through invalidate(). */
  async invalidate(entities: Iterable<{ typename: string; id?: string | number }>): Promise<void> {
    const tags: EntityTag[] = [];
    for (const e of entities) if (e.id !== undefined) tags.push({ typename: e.typename, id: String(e.id) });
    await this.invalidateTags(tags);
  }

  /** Deletes every response showing one of the tags, on every instance, and blocks in-flight executions from storing. */
  async invalidateTags(tags: readonly EntityTag[]): Promise<void> {
    if (tags.length > 0) this.stats.invalidations += 1;
    await this.store.responseInvalidate(
      tags.map((t) => keys.responseTag(t.typename, t.id)),
      keys.responseSequence(),
      this.tagTtlSeconds,
    );
  }

  /**
   * The pending entry's key: the whole key envelop passes, which names the
   * request (executionKey). Each request stores against the sequence its own
   * lookup read: a key's entry shared by concurrent requests let one that
   * executed before a write take the entry of one that looked up after it
   * (the first request's store having consumed its own), and store the
   * pre-write answer as if it were fresh.
   */
  private pendingKey(key: string): string {
    return key;
  }

  private sweep(): void {
    if (this.pending.size < SWEEP_AT) return;
    const cutoff = this.now() - PENDING_MAX_AGE_MS;
    for (const [key, entry] of this.pending) if (entry.at < cutoff) this.pending.delete(key);
  }
}
