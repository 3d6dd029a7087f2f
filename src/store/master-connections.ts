import type { Cluster, Redis } from 'ioredis';
import { masterAddress } from './slots.ts';

/**
 * A Cluster's own connections to its masters, by the `host:port` its slot
 * map names: found in its pool once and kept while open, so a store on the
 * request path can reach the node a slot lives on for a map lookup.
 */
export class MasterConnections {
  private readonly byAddress = new Map<string, Redis>();

  constructor(private readonly cluster: Cluster) {}

  /** The ready connection to the master serving `slot`; undefined before the map or the pool knows it, or while it is not ready. */
  ready(slot: number): Redis | undefined {
    const address = masterAddress(this.cluster, slot);
    if (address === undefined) return undefined;
    let node = this.byAddress.get(address);
    if (node === undefined || node.status === 'end') {
      node = this.cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address);
      if (node === undefined) return undefined;
      this.byAddress.set(address, node);
    }
    return node.status === 'ready' ? node : undefined;
  }
}
