import type { ExpiringMap } from './expiring-map.ts';
import { leaseKey, type FillEntry, type LeaseStore, type ReadResult } from './lease-store.ts';
import type { RoundTrips } from './round-trips.ts';
import { carries } from './stored-text.ts';

/** The lease store in process memory, for one instance: the same steps as the Lua scripts, in the same order. */
export class MemoryLeaseStore implements LeaseStore {
  constructor(
    private readonly map: ExpiringMap,
    private readonly trips: RoundTrips,
  ) {}

  async readThrough(keys: readonly string[], token: string, leaseMs: number, known?: readonly string[]): Promise<ReadResult[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    return keys.map((key, i): ReadResult => {
      const value = this.map.get(key);
      if (value !== null) return carries(value, known?.[i] ?? '') ? { kind: 'same' } : { kind: 'hit', value };
      const holder = this.map.get(leaseKey(key));
      if (holder !== null) return { kind: 'held', token: holder };
      this.map.setMs(leaseKey(key), token, leaseMs);
      return { kind: 'leased' };
    });
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    if (entries.length === 0) return 0;
    this.trips.count += 1;
    let written = 0;
    for (const { key, value, ttlSeconds } of entries) {
      if (this.map.get(leaseKey(key)) !== token) continue;
      this.map.set(key, value, ttlSeconds);
      this.map.delete(leaseKey(key));
      written += 1;
    }
    return written;
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    return keys.map((key) => this.map.get(key));
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.trips.count += 1;
    for (const key of keys) {
      this.map.delete(key);
      this.map.delete(leaseKey(key));
    }
  }
}
