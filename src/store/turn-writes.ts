import type { Cluster } from 'ioredis';
import type { Writable } from 'node:stream';
import { masterAddress } from './slots.ts';

/**
 * Holds sockets' writes back until the end of this event-loop turn: under
 * load one turn reads many requests, and the commands they send one Redis
 * connection then leave in one write and come back in one read, instead of a
 * syscall pair each on both ends (on a 2-core machine each write also wakes
 * the Redis process). The wait is at most the rest of the turn. One Redis
 * gets the same from ioredis' auto-pipelining; a Cluster's is off
 * (redis-client.ts), so without this every command to a node is its own write.
 */
export class TurnWrites {
  private readonly held = new Set<Writable>();

  hold(socket: Writable | undefined): void {
    if (!socket?.writable || this.held.has(socket)) return;
    if (this.held.size === 0) {
      setImmediate(() => {
        for (const each of this.held) each.uncork();
        this.held.clear();
      });
    }
    socket.cork();
    this.held.add(socket);
  }

  /** Holds the socket of the master the Cluster will send a key of `slot` to, if it knows it and is connected. */
  holdSlot(cluster: Cluster, slot: number): void {
    const address = masterAddress(cluster, slot);
    if (address === undefined) return;
    const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === address);
    if (node?.status === 'ready') this.hold(node.stream);
  }
}
