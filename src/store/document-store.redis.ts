import type { Cluster, Redis } from 'ioredis';
import type { DocumentStore } from './document-store.ts';
import type { RoundTrips } from './round-trips.ts';
import { wholeSeconds } from './ttl.ts';

/** APQ registrations in a shared Redis: plain GET and SET EX. */
export class RedisDocumentStore implements DocumentStore {
  constructor(
    /** One Redis or a Cluster: each command touches one key. */
    private readonly client: Redis | Cluster,
    private readonly trips: RoundTrips,
  ) {}

  async get(key: string): Promise<string | null> {
    this.trips.count += 1;
    return this.client.get(key);
  }

  async set(key: string, text: string, ttlSeconds: number): Promise<void> {
    this.trips.count += 1;
    await this.client.set(key, text, 'EX', wholeSeconds(ttlSeconds));
  }
}
