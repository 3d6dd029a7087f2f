import type { Writable } from 'node:stream';

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

  /** Holds `socket` (a connection's stream; none: nothing to hold) until the turn ends. */
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
}
