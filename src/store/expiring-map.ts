import { wholeSeconds } from './ttl.ts';

/**
 * The memory stores' keyspace: string values with Redis-like expiry (whole
 * seconds, rounded up). Expired entries are dropped on read and by sweep(), so
 * memory stays bounded by what is live.
 */
export class ExpiringMap<V = string> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): V | null {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  /** Sets with a TTL in seconds, rounded as Redis's EX is fed. */
  set(key: string, value: V, ttlSeconds: number): void {
    this.entries.set(key, { value, expiresAt: this.now() + wholeSeconds(ttlSeconds) * 1000 });
  }

  /** Sets with a TTL in milliseconds, as Redis's PX. */
  setMs(key: string, value: V, ttlMs: number): void {
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  /** Milliseconds left, or -2 for a missing key (as Redis's PTTL). */
  pttl(key: string): number {
    const entry = this.entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) return -2;
    return entry.expiresAt - this.now();
  }

  /** Moves the expiry to `ttlSeconds` from now if that is later (keeps the longer life). */
  extend(key: string, ttlSeconds: number): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.expiresAt = Math.max(entry.expiresAt, this.now() + wholeSeconds(ttlSeconds) * 1000);
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
