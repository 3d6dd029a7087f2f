import type { KeyValueStore } from '../redis.ts';

/**
 * The in-process KeyValueStore used when no REDIS_URL is set: same contract as
 * Redis for one instance. Expired entries are dropped on read and by a sweep,
 * so memory stays bounded by what is live.
 */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 60_000) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return keys.map((key) => {
      const entry = this.entries.get(key);
      if (!entry) return null;
      if (entry.expiresAt <= now) {
        this.entries.delete(key);
        return null;
      }
      return entry.value;
    });
  }

  async setMany(entries: readonly { key: string; value: string; ttlSeconds: number }[]): Promise<void> {
    const now = Date.now();
    for (const { key, value, ttlSeconds } of entries) this.entries.set(key, { value, expiresAt: now + ttlSeconds * 1000 });
  }

  async del(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
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
