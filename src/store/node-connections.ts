import type { Cluster, Redis } from 'ioredis';
import { connectionOptionsOf } from './redis-connection.ts';
import { RespConnection, RespError, type RespConnectionOptions } from './resp-connection.ts';
import { masterAddress } from './slots.ts';

/** A reply that says the node does not serve the key's slot now: it ran nothing, so the call may be sent again. */
const REDIRECTED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN)\b/;

/** Whether a failed call ran nothing because the node no longer serves its slot (or the cluster is down): send it through the Cluster. */
const isRedirect = (error: unknown): boolean => error instanceof RespError && REDIRECTED.test(error.message);

/**
 * The request path's own connections to a Cluster's masters (resp-connection.ts
 * says why not ioredis'), one per master, by the `host:port` the client's slot
 * map names, opened when first needed: the hot lookup, the entity cache's
 * leases and the limiter's counts go on them, so one turn's commands to a
 * node leave in one write. A node the Cluster drops from its pool (removed,
 * or replaced after a failover) is closed.
 */
export class NodeConnections {
  private readonly byAddress = new Map<string, RespConnection>();
  private readonly options: Omit<RespConnectionOptions, 'host' | 'port'>;

  constructor(private readonly cluster: Cluster) {
    this.options = connectionOptionsOf(cluster.options.redisOptions ?? {});
    cluster.on('-node', (node: Redis) => {
      const address = `${node.options.host}:${node.options.port}`;
      this.byAddress.get(address)?.close();
      this.byAddress.delete(address);
    });
  }

  /** The open (or opening) connection to the master the slot map names for `slot`; undefined when it names none or that connection is down. */
  private forSlot(slot: number): RespConnection | undefined {
    const address = masterAddress(this.cluster, slot);
    if (address === undefined) return undefined;
    let connection = this.byAddress.get(address);
    if (connection === undefined) {
      const colon = address.lastIndexOf(':');
      connection = new RespConnection({ host: address.slice(0, colon), port: Number(address.slice(colon + 1)), ...this.options });
      this.byAddress.set(address, connection);
    }
    return connection.connected ? connection : undefined;
  }

  /**
   * `direct` on the connection to the master serving `slot`; `routed` (through
   * the Cluster, which follows redirections and refreshes its map) when the
   * map names no master, that connection is down, or the node answers that
   * the slot is no longer its own (it ran nothing).
   */
  async onSlot<T>(slot: number, direct: (connection: RespConnection) => Promise<T>, routed: () => Promise<T>): Promise<T> {
    const connection = this.forSlot(slot);
    if (connection) {
      try {
        return await direct(connection);
      } catch (error) {
        if (!isRedirect(error)) throw error;
      }
    }
    return routed();
  }

  close(): void {
    for (const connection of this.byAddress.values()) connection.close();
    this.byAddress.clear();
  }
}
