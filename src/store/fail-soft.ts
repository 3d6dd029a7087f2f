import type { Logger } from '../logger.ts';
import type { Store } from './index.ts';
import type { FillEntry, ReadResult } from './lease-store.ts';
import { InvalidationOutbox, type OutboxOptions } from './outbox.ts';
import { RECONNECT_BACKOFF_CAP_MS } from './reconnect.ts';
import type { ResponseEntry, TagKeys } from './response-store.ts';

/** Twice the reconnect backoff's cap, and a second for a busy event loop to flush. */
export const RECONNECT_SETTLE_MS = 2 * RECONNECT_BACKOFF_CAP_MS + 1_000;

/** Failures seen since start, by operation: for tests and metrics. */
export interface StoreErrorCounts {
  read: number;
  write: number;
  invalidate: number;
}

/**
 * The caches' view of the store, where a failure never fails a request: a
 * failed read is a miss (null), a failed write is skipped, and a failed
 * invalidation goes to the outbox, which is flushed before this instance reads
 * again. Failures are counted and logged at most once per interval per kind.
 */
export class SafeStore {
  readonly errors: StoreErrorCounts = { read: 0, write: 0, invalidate: 0 };
  readonly outbox: InvalidationOutbox;
  private readonly lastLogged: Record<keyof StoreErrorCounts, number> = { read: 0, write: 0, invalidate: 0 };
  private readonly logIntervalMs: number;

  constructor(
    readonly inner: Store,
    private readonly logger: Logger,
    options: OutboxOptions & {
      logIntervalMs?: number;
      /**
       * After the store answers again, how long reads keep bypassing it.
       * Another instance may have written while the store was gone: its
       * invalidations wait in its own outbox until its client is back too,
       * and until then the store still holds what they would clear. This
       * instance cannot see that outbox, so it waits for every instance to
       * reconnect (each within the reconnect backoff's cap) and deliver.
       * @default RECONNECT_SETTLE_MS
       */
      settleAfterReconnectMs?: number;
    } = {},
  ) {
    this.outbox = new InvalidationOutbox(options);
    this.logIntervalMs = options.logIntervalMs ?? 10_000;
    const settleMs = options.settleAfterReconnectMs ?? RECONNECT_SETTLE_MS;
    inner.onReconnect(() => {
      if (settleMs > 0) this.outbox.hold(settleMs);
      this.logger.warn({ settleMs }, 'cache store back: reads bypass it while every instance delivers its pending invalidations');
      // Delivered now rather than on the next read: the other instances' settle is counting down.
      void this.ready();
    });
  }

  /**
   * Keys and tags whose invalidation has not reached the store yet; while a
   * dropped one may still have left something stale, at least 1 (the hot path
   * then leaves every request to Postgres).
   */
  get pendingInvalidations(): number {
    return this.outbox.size + (this.outbox.holding ? 1 : 0);
  }

  /** Delivers pending invalidations; false while the store still refuses them, or while a dropped one may have left stale entries (then nothing may be read). */
  async ready(): Promise<boolean> {
    if (this.outbox.size === 0) return !this.outbox.holding;
    try {
      const sent = await this.outbox.flush(this.inner.leases, this.inner.responses);
      this.logger.info(sent, 'cache invalidations retried after a store failure');
    } catch (error) {
      this.fail('invalidate', error);
      return false;
    }
    return !this.outbox.holding;
  }

  /** A response, or the sequence to store against; null when the store did not answer (then nothing may be stored). */
  async responseGet(key: string, seqKey: string): Promise<{ value: string } | { seq: number } | null> {
    if (!(await this.ready())) return null;
    try {
      return await this.inner.responses.get(key, seqKey);
    } catch (error) {
      this.fail('read', error);
      return null;
    }
  }

  async responseSet(entry: ResponseEntry): Promise<boolean> {
    try {
      return await this.inner.responses.set(entry);
    } catch (error) {
      this.fail('write', error);
      return false;
    }
  }

  /** Invalidates tags; those the store refused are retried before this instance reads a response again. */
  async responseInvalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<void> {
    if (tags.length === 0) return;
    try {
      await this.inner.responses.invalidate(tags, seqKey, tagTtlSeconds);
    } catch (error) {
      this.fail('invalidate', error);
      this.outbox.addTags(tags, seqKey, tagTtlSeconds);
    }
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    if (!(await this.ready())) return keys.map(() => null);
    try {
      return await this.inner.leases.mget(keys);
    } catch (error) {
      this.fail('read', error);
      return keys.map(() => null);
    }
  }

  /** Null when the store did not answer: load from Postgres and do not fill. */
  async readThrough(
    keys: readonly string[],
    token: string,
    leaseMs: number,
    known?: readonly string[],
  ): Promise<ReadResult[] | null> {
    if (keys.length === 0) return [];
    if (!(await this.ready())) return null;
    try {
      return await this.inner.leases.readThrough(keys, token, leaseMs, known);
    } catch (error) {
      this.fail('read', error);
      return null;
    }
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    if (entries.length === 0) return 0;
    try {
      return await this.inner.leases.fill(entries, token);
    } catch (error) {
      this.fail('write', error);
      return 0;
    }
  }

  /** Invalidates keys (with any still pending, in the same round trip); refused ones wait in the outbox. */
  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const all = this.outbox.keysWith(keys);
    try {
      await this.inner.leases.invalidate(all);
      this.outbox.delivered(all);
    } catch (error) {
      this.fail('invalidate', error);
      this.outbox.addKeys(keys);
    }
  }

  /** An APQ registration's text, or null when absent or the store did not answer (the client then resends the text). */
  async documentGet(key: string): Promise<string | null> {
    try {
      return await this.inner.documents.get(key);
    } catch (error) {
      this.fail('read', error);
      return null;
    }
  }

  /** Registers an APQ document; a failure is skipped (this instance still remembers it, see persisted/apq-store.ts). */
  async documentSet(key: string, text: string, ttlSeconds: number): Promise<void> {
    try {
      await this.inner.documents.set(key, text, ttlSeconds);
    } catch (error) {
      this.fail('write', error);
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
