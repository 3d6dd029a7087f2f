// The lifetime of what a server under test needs: its counting proxies, its
// process, and the undo of each, run in reverse on the way out, including
// when the run is interrupted or a server will not start.

import { startPgCounter, type PgCounter } from './pg-counter.ts';
import { freePort, startServerProcess, type ServerProcess } from './process.ts';
import { startRedisCounter, type RedisCounter } from './redis-counter.ts';
import type { RedisServices } from './redis-target.ts';
import { commonEnv, type ServerConfig } from './servers.ts';

const PROFILER_HOOK = new URL('./profiler-hook.ts', import.meta.url).pathname;

/** Everything to undo if the run stops early (Ctrl-C, a server that will not start). */
const cleanups = new Set<() => Promise<unknown>>();
export async function withCleanup<T>(undo: () => Promise<unknown>, run: () => Promise<T>): Promise<T> {
  cleanups.add(undo);
  try {
    return await run();
  } finally {
    cleanups.delete(undo);
    // A failed undo (a database that will not drop) is reported, never allowed to hide the error that got us here.
    await undo().catch((error: unknown) =>
      console.error(`cleanup failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}

/** Keeps `undo` for Ctrl-C and fatal errors until the returned function is called (by whoever undoes it itself). */
export function untilUndone(undo: () => Promise<unknown>): () => void {
  cleanups.add(undo);
  return () => cleanups.delete(undo);
}

/** Undoes whatever is still set up, newest first: for Ctrl-C and fatal errors. */
export async function stopEverything(): Promise<void> {
  for (const undo of [...cleanups].reverse()) await undo().catch(() => {});
}

/**
 * A server's view of the services: its URLs, and the counting proxies to read
 * when they sit between (null when the server talks to the services directly).
 */
export interface Wiring extends RedisServices {
  databaseUrl: string;
  pg: PgCounter | null;
  /** Null too on a cluster: its clients connect to the addresses the nodes announce, past any proxy. */
  redisCounter: RedisCounter | null;
}

const hostPort = (url: string, defaultPort: number) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
};
const viaProxy = (url: string, port: number) => {
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return proxied.toString();
};

/**
 * Puts counting proxies in front of Postgres (when the server has a database:
 * `databaseUrl` is its own database) and Redis for one server's lifetime.
 * `services` are the real ones.
 */
export async function withWiring(
  services: { databaseUrl: string } & RedisServices,
  databaseUrl: string | null,
  use: (wiring: Wiring) => Promise<void>,
): Promise<void> {
  const withPg = async (redis: RedisServices & { redisCounter: RedisCounter | null }) => {
    if (databaseUrl === null) return use({ databaseUrl: '', ...redis, pg: null });
    const pg = await startPgCounter(hostPort(services.databaseUrl, 5432));
    await withCleanup(
      () => pg.close(),
      () => use({ databaseUrl: viaProxy(databaseUrl, pg.port), ...redis, pg }),
    );
  };
  if (services.redisClusterNodes)
    return withPg({ redisUrl: '', redisClusterNodes: services.redisClusterNodes, redisCounter: null });
  const redisCounter = await startRedisCounter(hostPort(services.redisUrl, 6379));
  await withCleanup(
    () => redisCounter.close(),
    () => withPg({ redisUrl: viaProxy(services.redisUrl, redisCounter.port), redisClusterNodes: '', redisCounter }),
  );
}

/**
 * The services as they are, no proxy between: for the timed pass. A proxy
 * forwards every packet through the bench's own event loop, which also runs
 * the load, and adds a hop to every round trip; that tax falls only on
 * servers that use Redis or Postgres on a hit, never on the bare ceiling.
 */
export function directWiring(services: { databaseUrl: string } & RedisServices, databaseUrl: string | null): Wiring {
  return {
    databaseUrl: databaseUrl ?? '',
    redisUrl: services.redisUrl,
    redisClusterNodes: services.redisClusterNodes,
    pg: null,
    redisCounter: null,
  };
}

/** Starts one server process with the common environment and runs `use` while it is up. */
export async function withServer(
  config: ServerConfig,
  wiring: Wiring,
  extraEnv: Record<string, string>,
  use: (server: ServerProcess) => Promise<void>,
  /** Where the server writes its cells' CPU profiles; undefined: not profiled. */
  profileDir?: string,
): Promise<void> {
  const port = await freePort();
  const env = {
    ...commonEnv({
      databaseUrl: wiring.databaseUrl,
      redisUrl: wiring.redisUrl,
      redisClusterNodes: wiring.redisClusterNodes,
      port,
      config,
    }),
    ...config.env,
    ...extraEnv,
    ...(profileDir ? { BENCH_PROFILE_DIR: profileDir } : {}),
  };
  const nodeArgs = profileDir ? ['--import', PROFILER_HOOK] : [];
  const server = await startServerProcess({ entry: config.entry, env, port, nodeArgs });
  await withCleanup(
    () => server.stop(),
    () => use(server),
  );
}
