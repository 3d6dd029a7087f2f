import type { Cluster } from 'ioredis';
import { FILL, NODE_READ_THROUGH, READ_THROUGH, readResults, versionArgs } from './lease-store.redis.ts';
import { leaseKey, type FillEntry, type LeaseStore, type ReadResult } from './lease-store.ts';
import { arrayReply, integerReply, stringOrNullReply } from './replies.ts';
import type { RoundTrips } from './round-trips.ts';
import { groupByNode, groupBySlot, masterAddress, type SlotGroup } from './slots.ts';
import { wholeSeconds } from './ttl.ts';
import { LuaScript, textReply } from './lua-script.ts';
import type { NodeConnections } from './node-connections.ts';
import { encodeCommand, type RespConnection, type RespReply } from './resp-connection.ts';

const READ_THROUGH_SCRIPT = new LuaScript(READ_THROUGH);
const NODE_READ_THROUGH_SCRIPT = new LuaScript(NODE_READ_THROUGH);
const FILL_SCRIPT = new LuaScript(FILL);

type LeaseCluster = Cluster & {
  leaseReadThrough(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  leaseNodeReadThrough(numKeys: number, route: string, ...args: (string | number)[]): Promise<unknown>;
  leaseFill(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
};

/**
 * The lease store over a Redis Cluster: the single-Redis scripts, run once per
 * hash slot of the batch (a key and its lease share the key's tag, so each
 * script touches one slot), except a read whose keys a node serves in several
 * slots, which is one flagged script per node (NODE_READ_THROUGH): rows are
 * tagged by their own ids, so a page of 50 users is 50 slots, and one call
 * per slot would cost the node a script run and the instance a command each.
 * The calls go on the request path's own connection to the node the
 * client's slot map names (node-connections.ts), so a batch still costs one
 * round trip of latency (counted once) and one turn's calls to a node leave
 * in one write; replies are put back in input order. A call the node refuses
 * as no longer its slot's ran nothing and is sent again through the Cluster,
 * which follows the redirection; so is one whose node connection is down.
 * A slot that moved meanwhile fails its call, which the fail-soft layer
 * answers from Postgres. Invalidations go through the Cluster: the fail-soft
 * outbox delivers them by its state.
 */
export class ClusterLeaseStore implements LeaseStore {
  private readonly redis: LeaseCluster;

  constructor(
    client: Cluster,
    /** The client's key prefix: slots are computed on the key as sent. */
    private readonly prefix: string,
    private readonly trips: RoundTrips,
    private readonly nodes: NodeConnections,
  ) {
    client.defineCommand('leaseReadThrough', { lua: READ_THROUGH });
    client.defineCommand('leaseNodeReadThrough', { lua: NODE_READ_THROUGH });
    client.defineCommand('leaseFill', { lua: FILL });
    this.redis = client as LeaseCluster;
  }

  /** `direct` on the node serving `slot`, its bulk strings decoded; through the Cluster when node-connections.ts says so. */
  private onNode(slot: number, direct: (connection: RespConnection) => Promise<RespReply>, routed: () => Promise<unknown>) {
    return this.nodes.onSlot(slot, async (connection) => textReply(await direct(connection)), routed);
  }

  private bySlot<T>(items: readonly T[], keyOf: (item: T) => string) {
    return groupBySlot(items, (item) => this.prefix + keyOf(item));
  }

  async readThrough(keys: readonly string[], token: string, leaseMs: number, known?: readonly string[]): Promise<ReadResult[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    const slots = this.bySlot(
      keys.map((key, i) => ({ key, known: known?.[i] ?? '' })),
      (item) => item.key,
    );
    const nodes = groupByNode(slots, (slot) => masterAddress(this.redis, slot));
    const replies = await Promise.all(nodes.map((groups) => this.readNode(groups, token, leaseMs)));
    const results: ReadResult[] = new Array(keys.length);
    nodes.forEach((groups, n) => {
      const at = groups.flatMap((group) => group.at);
      readResults(replies[n], at.length).forEach((result, i) => {
        results[at[i] as number] = result;
      });
    });
    return results;
  }

  /** One node's share of a read: its slots' keys in group order, by one script (one slot) or the flagged one. */
  private readNode(groups: SlotGroup<{ key: string; known: string }>[], token: string, leaseMs: number): Promise<unknown> {
    const items = groups.flatMap((group) => group.items);
    const versions = versionArgs(items.map((item) => item.known));
    const prefixed = items.map((item) => this.prefix + item.key);
    const slot = (groups[0] as SlotGroup<unknown>).slot;
    if (groups.length === 1) {
      return this.onNode(
        slot,
        (connection) => READ_THROUGH_SCRIPT.run(connection, prefixed, [token, leaseMs, ...versions]),
        () => this.redis.leaseReadThrough(items.length, ...items.map((item) => item.key), token, String(leaseMs), ...versions),
      );
    }
    const route = (items[0] as { key: string }).key;
    return this.onNode(
      slot,
      (connection) =>
        NODE_READ_THROUGH_SCRIPT.run(connection, [this.prefix + route], [token, leaseMs, items.length, ...prefixed, ...versions]),
      () => this.redis.leaseNodeReadThrough(1, route, token, String(leaseMs), items.length, ...prefixed, ...versions),
    );
  }

  async fill(entries: readonly FillEntry[], token: string): Promise<number> {
    if (entries.length === 0) return 0;
    this.trips.count += 1;
    const replies = await Promise.all(
      this.bySlot(entries, (e) => e.key).map(({ slot, items }) => {
        const pairs = items.flatMap((e) => [e.key, leaseKey(e.key)]);
        const values = items.flatMap((e) => [e.value, wholeSeconds(e.ttlSeconds)]);
        return this.onNode(
          slot,
          (connection) =>
            FILL_SCRIPT.run(
              connection,
              pairs.map((key) => this.prefix + key),
              [token, ...values],
            ),
          () => this.redis.leaseFill(pairs.length, ...pairs, token, ...values),
        );
      }),
    );
    return replies.reduce<number>((sum, reply) => sum + integerReply(reply, 'lease fill'), 0);
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    this.trips.count += 1;
    const groups = this.bySlot(keys, (key) => key);
    const replies = await Promise.all(
      groups.map((group) =>
        this.onNode(
          group.slot,
          (connection) => connection.send(encodeCommand(['MGET', ...group.items.map((key) => this.prefix + key)])),
          () => this.redis.mget(...group.items),
        ),
      ),
    );
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
