import type { ExpiringMap } from './expiring-map.ts';
import { SEQUENCE_TTL_SECONDS, type ResponseEntry, type ResponseStore, type TagKeys } from './response-store.ts';
import type { RoundTrips } from './round-trips.ts';

/** The response store in process memory, for one instance: the Lua scripts' steps, in their order. */
export class MemoryResponseStore implements ResponseStore {
  constructor(
    private readonly map: ExpiringMap,
    /** Tag sets: the response keys stored under each tag (their expiry lives in `map` under the set key). */
    private readonly tagSets: Map<string, Set<string>>,
    private readonly trips: RoundTrips,
  ) {}

  async get(key: string, seqKey: string): Promise<{ value: string } | { seq: number }> {
    this.trips.count += 1;
    const value = this.map.get(key);
    return value !== null ? { value } : { seq: Number(this.map.get(seqKey) ?? '0') };
  }

  async set(entry: ResponseEntry): Promise<boolean> {
    this.trips.count += 1;
    if (entry.tags.some((t) => Number(this.map.get(t.seq) ?? '0') > entry.startSeq)) return false;
    this.map.set(entry.key, entry.value, entry.ttlSeconds);
    for (const tag of entry.tags) {
      // The set's liveness is a marker in the map, so it expires exactly as the Redis set does.
      let members = this.map.get(tag.set) === null ? undefined : this.tagSets.get(tag.set);
      if (!members) {
        members = new Set();
        this.tagSets.set(tag.set, members);
        this.map.set(tag.set, '', entry.ttlSeconds);
      } else {
        this.map.extend(tag.set, entry.ttlSeconds);
      }
      members.add(entry.key);
    }
    return true;
  }

  async invalidate(tags: readonly TagKeys[], seqKey: string, tagTtlSeconds: number): Promise<number> {
    if (tags.length === 0) return 0;
    this.trips.count += 1;
    const seq = Number(this.map.get(seqKey) ?? '0') + 1;
    this.map.set(seqKey, String(seq), SEQUENCE_TTL_SECONDS);
    let deleted = 0;
    for (const tag of tags) {
      this.map.set(tag.seq, String(seq), tagTtlSeconds);
      if (this.map.get(tag.set) !== null)
        for (const key of this.tagSets.get(tag.set) ?? []) if (this.map.get(key) !== null && this.map.delete(key)) deleted += 1;
      this.tagSets.delete(tag.set);
      this.map.delete(tag.set);
    }
    return deleted;
  }
}
