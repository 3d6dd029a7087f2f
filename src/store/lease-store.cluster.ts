import type { Cluster } from 'ioredis';
import { FILL, READ_THROUGH, readResults, versionArgs } from './lease-store.redis.ts';
import { leaseKey, type FillEntry, type LeaseStore, type ReadResult } from './lease-store.ts';
import { arrayReply, integerReply, stringOrNullReply } from './replies.ts';
import type { RoundTrips } from './round-trips.ts';
import { groupBySlot } from './slots.ts';
import { wholeSeconds } from './ttl.ts';

type LeaseCluster = Cluster & {
  leaseReadThrough(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  leaseFill(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
};

/**
 * The lease store over a Redis Cluster: the single-Redis scripts, run once per
 * hash slot of the batch (a key and its lease share the key's tag, so each
 * script touches one slot). The per-slot calls leave together and the client
 * routes each by its first key, so a batch still costs one round trip of
 * latency (counted once); replies are put back in input order.
 */
export class ClusterLeaseStore implements LeaseStore {
  private readonly redis: LeaseCluster;

  constructor(
    client: Cluster,
    /** The client's key prefix: slots are computed on the key as sent. */
    private readonly prefix: string,
    private readonly trips: RoundTrips,
  ) {
    client.defineCommand('leaseReadThrough', { lua: READ_THROUGH });
    client.defineCommand('leaseFill', { lua: FILL });
    this.redis = client as LeaseCluster;
  }

  private bySlot<T>(items: readonly T[], keyOf: (item: T) => string) {
    return groupBySlot(items, (item) => this.prefix + keyOf(item));
  }

  async readThrough(keys: readonly string[], token: string, leaseMs: number, known?: readonly string[]): Promise<ReadResult[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    const groups = this.bySlot(
      keys.map((key, i) => ({ key, known: known?.[i] ?? '' })),
      (item) => item.key,
    );
    const replies = await Promise.all(
      groups.map((group) =>
        this.redis.leaseReadThrough(
          group.items.length,
          ...group.items.map((item) => item.key),
          token,
          String(leaseMs),
          ...versionArgs(group.items.map((item) => item.known)),
        ),
      ),
    );
    const results: ReadResult[] = new Array(keys.length);
    groups.forEach((group, g) => {
      readResults(replies[g], group.items.length).forEach((result, i) => {
        results[group.at[i] as number] = result;
      });
    });
    return results;
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    if (entries.length === 0) return 0;
    this.trips.count += 1;
    const replies = await Promise.all(
      this.bySlot(entries, (e) => e.key).map(({ items }) => {
        const pairs = items.flatMap((e) => [e.key, leaseKey(e.key)]);
        const values = items.flatMap((e) => [e.value, wholeSeconds(e.ttlSeconds)]);
        return this.redis.leaseFill(pairs.length, ...pairs, token, ...values);
      }),
    );
    return replies.reduce<number>((sum, reply) => sum + integerReply(reply, 'lease fill'), 0);
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    const groups = this.bySlot(keys, (key) => key);
    const replies = await Promise.all(groups.map((group) => this.redis.mget(...group.items)));
    const values: (string | null)[] = new Array(keys.length);
    groups.forEach((group, g) => {
      arrayReply(replies[g], group.items.length, 'MGET').forEach((value, i) => {
        values[group.at[i] as number] = stringOrNullReply(value, 'MGET');
      });
    });
    return values;
  }

  async invalidate(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    this.trips.count += 1;
    const replies = await Promise.all(
      this.bySlot(keys, (key) => key).map(({ items }) => this.redis.del(...items.flatMap((key) => [key, leaseKey(key)]))),
    );
    for (const reply of replies) integerReply(reply, 'DEL');
  }
}
