/**
 * The response cache's store: whole answers indexed under entity tags. A
 * write's invalidation bumps a sequence and marks each tag with it, so a
 * result whose execution began before that write is refused when it tries to
 * store (it may show the old rows).
 */

/** A tag's two keys: the set of responses stored under it, and the sequence at which it was last invalidated. */
export interface TagKeys {
  set: string;
  seq: string;
}

/**
 * A response to store under its tags, as of when its execution started.
 * `startSeq` is what the store's own get() answered on the miss: one Redis
 * answers the invalidation sequence, a cluster the local monotonic clock
 * (response-store.cluster.ts). Either way starts are ordered, a smaller one
 * earlier, so the earliest of two is the safe one to store against.
 */
export interface ResponseEntry {
  key: string;
  value: string;
  ttlSeconds: number;
  tags: readonly TagKeys[];
  startSeq: number;
}

/**
 * Every method throws on store failure. On one Redis each is one round trip,
 * but for invalidating tags that hold more than CHUNK answers (then one more
 * per CHUNK); a cluster store takes more for set and invalidate.
 */
export interface ResponseStore {
  /**
   * A cached response, or on a miss the start to store against (see
   * ResponseEntry.startSeq). `seqKey` names the sequence on one Redis; a
   * cluster store keeps none and ignores it.
   */
  get(key: string, seqKey: string): Promise<{ value: string } | { seq: number }>;
  /**
   * Stores a response and indexes it under its tags, unless one of its tags was
   * invalidated after `startSeq` (the result may predate that write). Answers
   * whether it stored.
   */
  set(entry: ResponseEntry): Promise<boolean>;
  /** Bumps the sequence, marks each tag invalidated at it, and deletes every response stored under the tags; answers how many. */
  invalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<number>;
}

/**
 * How long the invalidation sequence outlives the last write: a day, far
 * longer than any execution, so its expiry cannot make an old result look
 * newer than an invalidation.
 */
export const SEQUENCE_TTL_SECONDS = 86_400;

/**
 * Most keys one invalidation call touches (a page of a tag set, one UNLINK):
 * each call then stays a fraction of a millisecond of Redis time, so hits
 * slip in between while a tag with 100k answers is deleted. Measured with
 * the bench cell invalidate-100k on one Redis (2026-12-01, hits' p99 while
 * the write ran): 500 keys 11-16 ms, 200 keys 7.8-10.9 ms, 100 keys
 * 7.0-7.9 ms, the write taking 0.7, 1.0 and 1.4 s. Both Redis stores use it.
 */
export const CHUNK = 100;
