import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy a test (or the chaos runner, bench/chaos/) can cut,
 * slow down and restore: how the tests stop "Redis" or "Postgres" for one
 * instance while the real services keep serving the other test files running
 * in parallel. It lives in bench/ so both may import it (bench/ never imports
 * test/).
 */
export interface TcpProxy {
  port: number;
  /** Drops every connection and refuses new ones until restore(). */
  cut(): void;
  /** Delays every chunk from the upstream by `ms` (0 to stop delaying). */
  delay(ms: number): void;
  /**
   * Drops every byte either way and accepts new connections without ever
   * reaching the upstream: a network that loses packets, where nothing is
   * refused and only a timeout can tell. restore() closes the connections
   * that lost bytes, as their peers would have given up on them.
   */
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Listens on a free loopback port and forwards each connection to the upstream, until cut. */
export async function startTcpProxy(upstreamHost: string, upstreamPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let down = false;
  let dropping = false;
  let delayMs = 0;
  /** Connections that lost bytes to the blackhole: closed on restore. */
  const lossy = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    sockets.add(client);
    if (dropping) {
      lossy.add(client);
      client.on('data', () => {});
      client.on('error', () => client.destroy()).on('close', () => sockets.delete(client));
      return;
    }
    const upstream = connect(upstreamPort, upstreamHost);
    sockets.add(upstream);
    client.on('data', (chunk: Buffer) => {
      if (dropping) lossy.add(client);
      else upstream.write(chunk);
    });
    // A TCP stream never reorders: delayed chunks wait in one queue, released
    // in order, so ending a delay cannot let new replies overtake delayed ones
    // (which once handed Redis replies to the wrong commands).
    const queue: { at: number; chunk: Buffer }[] = [];
    let timer: NodeJS.Timeout | null = null;
    const pump = () => {
      timer = null;
      while (queue.length > 0 && queue[0]!.at <= Date.now()) {
        const { chunk } = queue.shift()!;
        if (client.writable) client.write(chunk);
      }
      if (queue.length > 0) timer = setTimeout(pump, queue[0]!.at - Date.now());
    };
    upstream.on('data', (chunk: Buffer) => {
      if (dropping) {
        lossy.add(client);
        return;
      }
      if (delayMs === 0 && queue.length === 0) {
        client.write(chunk);
        return;
      }
      queue.push({ at: Date.now() + delayMs, chunk });
      if (timer === null) timer = setTimeout(pump, queue[0]!.at - Date.now());
    });
    const close = () => {
      if (timer !== null) clearTimeout(timer);
      queue.length = 0;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('proxy has no port');
  const cut = () => {
    down = true;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };
  return {
    port: address.port,
    cut,
    delay(ms) {
      delayMs = ms;
    },
    blackhole() {
      dropping = true;
    },
    restore() {
      down = false;
      delayMs = 0;
      dropping = false;
      for (const socket of lossy) socket.destroy();
      lossy.clear();
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
