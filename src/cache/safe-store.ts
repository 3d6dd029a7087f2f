import type { Logger } from '../logger.ts';
import type { FillEntry, KeyValueStore, ReadResult } from '../redis.ts';

/** Failures seen since start, by operation: for /metrics later and for tests now. */
export interface StoreErrorCounts {
  read: number;
  write: number;
  invalidate: number;
}

/**
 * Wraps a store so that a cache can never fail a request: a failed read is a
 * miss, a failed write is skipped, a failed invalidation is logged loudly (the
 * entry then lives until its TTL, which is why every key has a short one).
 * Failures are counted and logged at most once per interval per kind.
 */
export class SafeStore {
  readonly errors: StoreErrorCounts = { read: 0, write: 0, invalidate: 0 };
  private readonly lastLogged: Record<keyof StoreErrorCounts, number> = { read: 0, write: 0, invalidate: 0 };

  constructor(
    readonly inner: KeyValueStore,
    private readonly logger: Logger,
    private readonly logIntervalMs = 10_000,
  ) {}

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
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
      await this.inner.invalidate(keys);
    } catch (error) {
      this.fail('invalidate', error);
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
