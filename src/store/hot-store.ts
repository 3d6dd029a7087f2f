import type { WindowResult } from './window-store.ts';

/** The keys and facts one hot-path lookup needs, all known from the raw request. */
export interface HotLookup {
  /** The session's cache key (the entity cache fills it). */
  sessionKey: string;
  /** The viewer's budget (GCRA) key. */
  budgetKey: string;
  /** The stored answer's key. */
  responseKey: string;
  /** The user id the token names: the session must be theirs. */
  userId: string;
  /** Now, as an ISO string: a session whose `expiresAt` is not later has expired (ISO strings of one format sort as times). */
  nowIso: string;
  /** The budget; null when rate limits are off (nothing is counted). */
  budget: { limit: number; windowMs: number } | null;
  /**
   * The ETag of a copy of the answer the caller already holds ('' for none).
   * When the stored answer still carries it, the lookup answers `known`
   * instead of sending the bytes again.
   */
  knownEtag: string;
}

/**
 * What the lookup found: `unknown` when the session is not cached as valid
 * (nothing was counted; Yoga decides), else the budget verdict (null when
 * off) and, when the budget allowed it, the stored answer (null on a miss,
 * `known` when it is the one whose ETag the caller named).
 */
export type HotResult = { kind: 'unknown' } | { kind: 'counted'; budget: WindowResult | null; stored: Buffer | 'known' | null };

/**
 * The hot path's store: one round trip that validates the session, counts the
 * operation budget and fetches the stored answer. Under Redis Cluster the
 * three keys share the viewer's hash tag (cache/keys.ts), so one script may
 * touch them all. Throws on store failure (the hot path then steps aside).
 */
export interface HotStore {
  lookup(request: HotLookup): Promise<HotResult>;
}
