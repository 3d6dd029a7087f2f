import type { Logger } from '../logger.ts';
import type { FillEntry, KeyValueStore, ReadResult, ResponseEntry, TagKeys } from '../redis.ts';

/** Failures seen since start, by operation: for /metrics later and for tests now. */
export interface StoreErrorCounts {
  read: number;
  write: number;
  invalidate: number;
}

/** Most keys kept for a retried invalidation; past it the oldest are dropped (and their TTL bounds the staleness). */
const MAX_PENDING = 100_000;

/**
 * Wraps a store so that a cache can never fail a request: a failed read is a
 * miss, a failed write is skipped. A failed invalidation is kept and retried
 * before this instance reads the store again: until it lands, reads go to
 * Postgres, so an instance never serves what its own write could not clear.
 * Failures are counted and logged at most once per interval per kind.
 */
export class SafeStore {
  readonly errors: StoreErrorCounts = { read: 0, write: 0, invalidate: 0 };
  private readonly lastLogged: Record<keyof StoreErrorCounts, number> = { read: 0, write: 0, invalidate: 0 };
  private readonly pending = new Set<string>();
  /** Response-cache tags whose invalidation has not reached the store, by their set key. */
  private readonly pendingTags = new Map<string, TagKeys>();
  private pendingTagArgs: { seqKey: string; ttl: number } | null = null;

  constructor(
    readonly inner: KeyValueStore,
    private readonly logger: Logger,
    private readonly logIntervalMs = 10_000,
  ) {}

  /** Keys and tags whose invalidation has not reached the store yet. */
  get pendingInvalidations(): number {
    return this.pending.size + this.pendingTags.size;
  }

  /** Retries pending invalidations; false while the store still refuses them. */
  private async flushPending(): Promise<boolean> {
    if (this.pending.size === 0 && this.pendingTags.size === 0) return true;
    const keys = [...this.pending];
    const tags = [...this.pendingTags.values()];
    try {
      if (keys.length > 0) await this.inner.invalidate(keys);
      for (const key of keys) this.pending.delete(key);
      if (tags.length > 0 && this.pendingTagArgs) {
        await this.inner.responseInvalidate(tags, this.pendingTagArgs.seqKey, this.pendingTagArgs.ttl);
      }
      for (const tag of tags) this.pendingTags.delete(tag.set);
      this.logger.info({ keys: keys.length, tags: tags.length }, 'cache invalidations retried after a store failure');
      return true;
    } catch (error) {
      this.fail('invalidate', error);
      return false;
    }
  }

  /** A response, or the sequence to store against; null when the store did not answer (then nothing may be stored). */
  async responseGet(key: string, seqKey: string): Promise<{ value: string } | { seq: number } | null> {
    if (!(await this.flushPending())) return null;
    try {
      return await this.inner.responseGet(key, seqKey);
    } catch (error) {
      this.fail('read', error);
      return null;
    }
  }

  async responseSet(entry: ResponseEntry): Promise<boolean> {
    try {
      return await this.inner.responseSet(entry);
    } catch (error) {
      this.fail('write', error);
      return false;
    }
  }

  /** Invalidates tags; one the store refused is retried before this instance reads a response again. */
  async responseInvalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<void> {
    if (tags.length === 0) return;
    try {
      await this.inner.responseInvalidate(tags, seqKey, tagTtlSeconds);
    } catch (error) {
      this.fail('invalidate', error);
      this.pendingTagArgs = { seqKey, ttl: tagTtlSeconds };
      for (const tag of tags) if (this.pendingTags.size < MAX_PENDING) this.pendingTags.set(tag.set, tag);
    }
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    if (!(await this.flushPending())) return keys.map(() => null);
    try {
      return await this.inner.mget(keys);
    } catch (error) {
      this.fail('read', error);
      return keys.map(() => null);
    }
  }

  /** Null when the store did not answer: load from Postgres and do not fill. */
  async readThrough(keys: readonly string[], token: string, leaseMs: number): Promise<ReadResult[] | null> {
    if (keys.length === 0) return [];
    if (!(await this.flushPending())) return null;
    try {
      return await this.inner.readThrough(keys, token, leaseMs);
    } catch (error) {
      this.fail('read', error);
      return null;
    }
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    if (entries.length === 0) return 0;
    try {
      return await this.inner.fill(entries, token);
    } catch (error) {
      this.fail('write', error);
      return 0;
    }
  }

  async setMany(entries: readonly FillEntry[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.inner.setMany(entries);
    } catch (error) {
      this.fail('write', error);
    }
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      await this.inner.invalidate([...this.pending, ...keys]);
      this.pending.clear();
    } catch (error) {
      this.fail('invalidate', error);
      for (const key of keys) this.pending.add(key);
      for (const key of this.pending) {
        if (this.pending.size <= MAX_PENDING) break;
        this.pending.delete(key);
      }
    }
  }

  private fail(kind: keyof StoreErrorCounts, error: unknown): void {
    this.errors[kind] += 1;
    const now = Date.now();
    if (now - this.lastLogged[kind] < this.logIntervalMs) return;
    this.lastLogged[kind] = now;
    const level = kind === 'invalidate' ? 'error' : 'warn';
    this.logger[level]({ err: (error as Error).message, failures: this.errors[kind] }, `cache ${kind} failed`);
  }
}
