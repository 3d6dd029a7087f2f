import type { Logger } from '../logger.ts';
import type { KeyValueStore } from '../redis.ts';

/** Failures seen since start, by operation: read by /metrics later and by tests now. */
export interface StoreErrorCounts {
  read: number;
  write: number;
  delete: number;
}

/**
 * Wraps a store so that a cache can never fail a request: a failed read is a
 * miss, a failed write is skipped, a failed delete is logged loudly (the entry
 * then lives until its TTL, which is why every key has a short one). Failures
 * are counted and logged at most once per interval per kind.
 */
export class SafeStore {
  readonly errors: StoreErrorCounts = { read: 0, write: 0, delete: 0 };
  private readonly lastLogged: Record<keyof StoreErrorCounts, number> = { read: 0, write: 0, delete: 0 };

  constructor(
    readonly inner: KeyValueStore,
    private readonly logger: Logger,
    private readonly logIntervalMs = 10_000,
  ) {}

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    try {
      return await this.inner.mget(keys);
    } catch (error) {
      this.fail('read', error);
      return keys.map(() => null);
    }
  }

  async setMany(entries: readonly { key: string; value: string; ttlSeconds: number }[]): Promise<void> {
    try {
      await this.inner.setMany(entries);
    } catch (error) {
      this.fail('write', error);
    }
  }

  async del(keys: readonly string[]): Promise<void> {
    try {
      await this.inner.del(keys);
    } catch (error) {
      this.fail('delete', error);
    }
  }

  private fail(kind: keyof StoreErrorCounts, error: unknown): void {
    this.errors[kind] += 1;
    const now = Date.now();
    if (now - this.lastLogged[kind] < this.logIntervalMs) return;
    this.lastLogged[kind] = now;
    const level = kind === 'delete' ? 'error' : 'warn';
    this.logger[level]({ err: (error as Error).message, failures: this.errors[kind] }, `cache ${kind} failed`);
  }
}
