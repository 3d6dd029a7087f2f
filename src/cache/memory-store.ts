import { leaseKey, type FillEntry, type KeyValueStore, type ReadResult, type ResponseEntry, type TagKeys, type WindowResult } from '../redis.ts';

/**
 * The in-process KeyValueStore used when no REDIS_URL is set: the same
 * contract as Redis, leases included, for one instance. Expired entries are
 * dropped on read and by a sweep, so memory stays bounded by what is live.
 */
export class MemoryStore implements KeyValueStore {
  readonly kind = 'memory';
  roundTrips = 0;
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();
  /** Rate-limit windows: the times of the calls in each, oldest first. */
  private readonly windows = new Map<string, number[]>();
  /** Tag sets: response keys stored under each tag, with the set's expiry. */
  private readonly tagSets = new Map<string, { members: Set<string>; expiresAt: number }>();
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

  async responseGet(key: string, seqKey: string): Promise<{ value: string } | { seq: number }> {
    this.roundTrips += 1;
    const value = this.get(key);
    return value !== null ? { value } : { seq: Number(this.get(seqKey) ?? '0') };
  }

  async responseSet(entry: ResponseEntry): Promise<boolean> {
    this.roundTrips += 1;
    const now = Date.now();
    if (entry.tags.some((t) => Number(this.get(t.seq, now) ?? '0') > entry.startSeq)) return false;
    const expiresAt = now + entry.ttlSeconds * 1000;
    this.entries.set(entry.key, { value: entry.value, expiresAt });
    for (const tag of entry.tags) {
      const set = this.tagSets.get(tag.set);
      if (!set || set.expiresAt <= now) this.tagSets.set(tag.set, { members: new Set([entry.key]), expiresAt });
      else {
        set.members.add(entry.key);
        set.expiresAt = Math.max(set.expiresAt, expiresAt);
      }
    }
    return true;
  }

  async responseInvalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<number> {
    if (tags.length === 0) return 0;
    this.roundTrips += 1;
    const now = Date.now();
    const seq = Number(this.get(seqKey, now) ?? '0') + 1;
    this.entries.set(seqKey, { value: String(seq), expiresAt: now + 86_400_000 });
    let deleted = 0;
    for (const tag of tags) {
      this.entries.set(tag.seq, { value: String(seq), expiresAt: now + tagTtlSeconds * 1000 });
      for (const key of this.tagSets.get(tag.set)?.members ?? []) if (this.entries.delete(key)) deleted += 1;
      this.tagSets.delete(tag.set);
    }
    return deleted;
  }

  async slidingWindowHit(key: string, limit: number, windowMs: number): Promise<WindowResult> {
    this.roundTrips += 1;
    const now = Date.now();
    const calls = (this.windows.get(key) ?? []).filter((at) => at > now - windowMs);
    const allowed = calls.length < limit;
    if (allowed) calls.push(now);
    this.windows.set(key, calls);
    const oldest = calls[0];
    return { allowed, remaining: limit - calls.length, resetMs: oldest === undefined ? windowMs : oldest + windowMs - now };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.tagSets.clear();
    this.windows.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    for (const [key, set] of this.tagSets) if (set.expiresAt <= now) this.tagSets.delete(key);
    // A window whose newest call is over an hour old (longer than any configured window) is empty.
    for (const [key, calls] of this.windows) if ((calls.at(-1) ?? 0) < now - 3_600_000) this.windows.delete(key);
  }
}
