import type { LeaseStore } from './lease-store.ts';
import type { ResponseStore, TagKeys } from './response-store.ts';

/** Most keys (and, apart, most tags) kept for a retry; past it the oldest are dropped, and their TTL bounds the staleness. */
export const MAX_PENDING = 100_000;

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

  constructor(private readonly max = MAX_PENDING) {}

  /** Keys and tags not yet delivered. */
  get size(): number {
    return this.keys.size + this.tags.size;
  }

  addKeys(keys: Iterable<string>): void {
    for (const key of keys) this.keys.add(key);
    // A Set iterates oldest first, so the oldest go.
    for (const key of this.keys) {
      if (this.keys.size <= this.max) break;
      this.keys.delete(key);
    }
  }

  addTags(tags: readonly TagKeys[], seqKey: string, ttlSeconds: number): void {
    this.tagArgs = { seqKey, ttlSeconds };
    for (const tag of tags) this.tags.set(tag.set, tag);
    for (const key of this.tags.keys()) {
      if (this.tags.size <= this.max) break;
      this.tags.delete(key);
    }
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
