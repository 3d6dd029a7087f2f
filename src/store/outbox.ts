import type { LeaseStore } from './lease-store.ts';
import type { ResponseStore, TagKeys } from './response-store.ts';

/** Most keys (and, apart, most tags) kept for a retry; past it the oldest are dropped (see `holding`). */
export const MAX_PENDING = 100_000;
/** How long reads bypass the store after a drop when not told: the longest default cache TTL (feature flags, 30 min). */
export const DROPPED_HOLD_MS = 30 * 60 * 1000;

/** Options of the outbox. */
export interface OutboxOptions {
  /** @default MAX_PENDING */
  maxPending?: number;
  /**
   * How long after a drop this instance keeps refusing cached reads: the
   * longest TTL of anything a dropped invalidation could have left stale.
   * @default DROPPED_HOLD_MS
   */
  droppedHoldMs?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * Invalidations the store refused, kept until it takes them. The fail-soft
 * store flushes this before every read, and reads go to Postgres while it
 * cannot: an instance never serves what its own write could not clear.
 */
export class InvalidationOutbox {
  private readonly keys = new Set<string>();
  /** Response-cache tags by their set key. */
  private readonly tags = new Map<string, TagKeys>();
  private tagArgs: { seqKey: string; ttlSeconds: number } | null = null;
  private readonly max: number;
  private readonly holdMs: number;
  private readonly now: () => number;
  /** Until when reads must bypass the store: the last drop plus the hold. */
  private holdUntil = 0;
  /** Keys and tags dropped since start, for tests and metrics. */
  dropped = 0;

  constructor(options: OutboxOptions = {}) {
    this.max = options.maxPending ?? MAX_PENDING;
    this.holdMs = options.droppedHoldMs ?? DROPPED_HOLD_MS;
    this.now = options.now ?? Date.now;
  }

  /** Keys and tags not yet delivered. */
  get size(): number {
    return this.keys.size + this.tags.size;
  }

  /**
   * Whether an invalidation was dropped recently enough that the store may
   * still hold what it should have cleared. A dropped invalidation is never
   * delivered, so until every entry it named must have expired (the hold),
   * nothing this instance reads from the store can be trusted: fail safe.
   */
  get holding(): boolean {
    return this.holdUntil !== 0 && this.now() < this.holdUntil;
  }

  private drop(count: number): void {
    this.dropped += count;
    this.hold(this.holdMs);
  }

  /** Makes reads bypass the store for `ms` from now (or longer, if already holding longer). */
  hold(ms: number): void {
    this.holdUntil = Math.max(this.holdUntil, this.now() + ms);
  }

  addKeys(keys: Iterable<string>): void {
    for (const key of keys) this.keys.add(key);
    // A Set iterates oldest first, so the oldest go.
    let dropped = 0;
    for (const key of this.keys) {
      if (this.keys.size <= this.max) break;
      this.keys.delete(key);
      dropped += 1;
    }
    if (dropped > 0) this.drop(dropped);
  }

  addTags(tags: readonly TagKeys[], seqKey: string, ttlSeconds: number): void {
    this.tagArgs = { seqKey, ttlSeconds };
    for (const tag of tags) this.tags.set(tag.set, tag);
    let dropped = 0;
    for (const key of this.tags.keys()) {
      if (this.tags.size <= this.max) break;
      this.tags.delete(key);
      dropped += 1;
    }
    if (dropped > 0) this.drop(dropped);
  }

  /** Keys pending beside `more`, for an invalidation that can take them along in its one round trip. */
  keysWith(more: readonly string[]): string[] {
    return this.keys.size === 0 ? [...more] : [...new Set([...this.keys, ...more])];
  }

  /** Forgets keys the store has taken. */
  delivered(keys: Iterable<string>): void {
    for (const key of keys) this.keys.delete(key);
  }

  /** Sends everything pending; throws (keeping what was not delivered) while the store refuses. */
  async flush(leases: LeaseStore, responses: ResponseStore): Promise<{ keys: number; tags: number }> {
    const keys = [...this.keys];
    const tags = [...this.tags.values()];
    if (keys.length > 0) {
      await leases.invalidate(keys);
      this.delivered(keys);
    }
    if (tags.length > 0 && this.tagArgs) {
      await responses.invalidate(tags, this.tagArgs.seqKey, this.tagArgs.ttlSeconds);
      for (const tag of tags) this.tags.delete(tag.set);
    }
    return { keys: keys.length, tags: tags.length };
  }
}
