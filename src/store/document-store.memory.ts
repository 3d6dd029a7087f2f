import type { DocumentStore } from './document-store.ts';
import type { ExpiringMap } from './expiring-map.ts';
import type { RoundTrips } from './round-trips.ts';

/** APQ registrations in process memory, for one instance, expiring as Redis's would. */
export class MemoryDocumentStore implements DocumentStore {
  constructor(
    private readonly map: ExpiringMap,
    private readonly trips: RoundTrips,
  ) {}

  async get(key: string): Promise<string | null> {
    this.trips.count += 1;
    return this.map.get(key);
  }

  async set(key: string, text: string, ttlSeconds: number): Promise<void> {
    this.trips.count += 1;
    this.map.set(key, text, ttlSeconds);
  }
}
