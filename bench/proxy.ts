// A loopback TCP proxy that lets a protocol parser watch what clients send,
// so each server under test can be counted on its own connections (see
// pg-counter.ts and redis-counter.ts). Server → client bytes are piped
// untouched.

import { connect, createServer, type Socket } from 'node:net';

/**
 * Watches one client connection. Gets each chunk the client sent and answers
 * the bytes to forward upstream (usually the chunk itself); `reply` answers
 * the client directly, for a handshake the proxy settles itself.
 */
export type ConnectionWatcher = (chunk: Buffer, reply: (data: Buffer | string) => void) => Buffer;

export interface Proxy {
  readonly port: number;
  /** Client connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (a free port) and forwards each connection to `upstream` through a fresh watcher. */
export async function startProxy(upstream: { host: string; port: number }, watch: () => ConnectionWatcher): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((client) => {
    connections += 1;
    const watcher = watch();
    const backend = connect(upstream.port, upstream.host);
    for (const socket of [client, backend]) {
      sockets.add(socket);
      socket.setNoDelay(true);
    }
    const closeBoth = () => {
      for (const socket of [client, backend]) {
        socket.destroy();
        sockets.delete(socket);
      }
    };
    client.on('error', closeBoth).on('close', closeBoth);
    backend.on('error', closeBoth).on('close', closeBoth);
    // Piped, so large result sets keep backpressure.
    backend.pipe(client);
    client.on('data', (chunk: Buffer) => {
      let forward: Buffer;
      try {
        forward = watcher(chunk, (data) => client.write(data));
      } catch (error) {
        // A stream the watcher cannot follow would make every later count wrong: fail loudly.
        client.destroy(error as Error);
        return;
      }
      if (forward.length > 0) backend.write(forward);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy: no TCP address');
  return {
    port: address.port,
    connections: () => connections,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
