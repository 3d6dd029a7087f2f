/**
 * The entity cache's store: rows and relation lists read and filled under
 * leases. The lease protocol (memcache leases, Nishtala et al., NSDI 2013)
 * keeps a loader that read Postgres before a write from caching that old row
 * after the write: a miss takes a lease, invalidation deletes value and lease,
 * and a fill only lands while its own lease is still there.
 */

/**
 * What one key of a read-through batch turned out to be: a cached value; the
 * cached value of the version the reader named (stored-text.ts: it holds a
 * copy, so the bytes are not sent); a miss whose lease this batch now holds
 * (it alone may fill the key); or a miss another loader holds the lease of
 * (it is loading the key right now).
 */
export type ReadResult = { kind: 'hit'; value: string } | { kind: 'same' } | { kind: 'leased' } | { kind: 'held'; token: string };

/** A value to write back, with the TTL its type calls for. */
export interface FillEntry {
  key: string;
  value: string;
  ttlSeconds: number;
}

/** Every method is one round trip and throws on store failure (the fail-soft wrapper turns that into a miss). */
export interface LeaseStore {
  /**
   * For each key: its value (`same` when it is of the version `known` names for
   * that key; '' names none), or a lease taken for `token` (valid `leaseMs`),
   * or the other holder's token.
   */
  readThrough(keys: readonly string[], token: string, leaseMs: number, known?: readonly string[]): Promise<ReadResult[]>;
  /** Writes each entry whose lease still belongs to `token`, releasing it; answers how many landed. */
  fill(entries: readonly FillEntry[], token: string): Promise<number>;
  /** Plain values in key order; null for a missing key (what a loader waiting on another's lease polls). */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /** Deletes the keys and their leases, so in-flight loads of them cannot fill. */
  invalidate(keys: readonly string[]): Promise<void>;
}

/**
 * The lease of a cache key. It keeps the key's whole text, `{…}` hash tag
 * included, so under Redis Cluster it lands in the key's own slot.
 */
export const LEASE_SUFFIX = ':lease';
export const leaseKey = (key: string) => `${key}${LEASE_SUFFIX}`;
