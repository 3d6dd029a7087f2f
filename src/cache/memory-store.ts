import { leaseKey, type FillEntry, type KeyValueStore, type ReadResult } from '../redis.ts';

/**
 * The in-process KeyValueStore used when no REDIS_URL is set: the same
 * contract as Redis, leases included, for one instance. Expired entries are
 * dropped on read and by a sweep, so memory stays bounded by what is live.
 */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';
  roundTrips = 0;
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  private get(key: string, now = Date.now()): string | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    this.roundTrips += 1;
    return keys.map((key) => this.get(key));
  }

  async readThrough(keys: readonly string[], token: string, leaseMs: number): Promise<ReadResult[]> {
    this.roundTrips += 1;
    const now = Date.now();
    return keys.map((key): ReadResult => {
      const value = this.get(key, now);
      if (value !== null) return { kind: 'hit', value };
      const holder = this.get(leaseKey(key), now);
      if (holder !== null) return { kind: 'held', token: holder };
      this.entries.set(leaseKey(key), { value: token, expiresAt: now + leaseMs });
      return { kind: 'leased' };
    });
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    this.roundTrips += 1;
    const now = Date.now();
    let written = 0;
    for (const { key, value, ttlSeconds } of entries) {
      if (this.get(leaseKey(key), now) !== token) continue;
      this.entries.set(key, { value, expiresAt: now + ttlSeconds * 1000 });
      this.entries.delete(leaseKey(key));
      written += 1;
    }
    return written;
  }

  async setMany(entries: readonly FillEntry[]): Promise<void> {
    this.roundTrips += 1;
    const now = Date.now();
    for (const { key, value, ttlSeconds } of entries) this.entries.set(key, { value, expiresAt: now + ttlSeconds * 1000 });
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    this.roundTrips += 1;
    for (const key of keys) {
      this.entries.delete(key);
      this.entries.delete(leaseKey(key));
    }
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
