// Two instances of the server, as two pods behind a load balancer: each its
// own process (`node --import tsx src/main.ts`, production settings) on the
// same Postgres database and the same Redis key prefix, each reaching them
// through proxies of its own, so a scenario can cut or slow Redis or Postgres
// for every instance at once, as an outage of the service itself would.

import { type ServerProcess, freePort, residentBytes, startServerProcess } from '../process.ts';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.ts';

/** One instance and the proxies in front of its dependencies. */
export interface ChaosInstance {
  /** "A", "B": as the report names it. */
  name: string;
  origin: string;
  pid: number;
  redis: TcpProxy;
  postgres: TcpProxy;
  process: ServerProcess;
  /** Resident set size now, in bytes. */
  rss(): Promise<number>;
}

/** The instances and the faults a scenario injects into all of them at once. */
export interface Cluster {
  instances: ChaosInstance[];
  keyPrefix: string;
  /** Drops every instance's Redis connections and refuses new ones until restoreRedis(). */
  cutRedis(): void;
  /** Holds every reply from Redis for `ms` before the instances see it. */
  slowRedis(ms: number): void;
  restoreRedis(): void;
  /** Drops every instance's Postgres connections and refuses new ones until restorePostgres(). */
  cutPostgres(): void;
  restorePostgres(): void;
  close(): Promise<void>;
}

/**
 * Settings of every chaos instance: production mode, rate limits on with
 * budgets the load never exhausts (it is a handful of viewers sending
 * hundreds of requests a second, all from one IP).
 */
const CHAOS_ENV = {
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  ENTITY_CACHE: 'true',
  RESPONSE_CACHE: 'true',
  RATE_LIMITS: 'true',
  RATE_LIMIT_BUDGET: '1000000000/60s',
  RATE_LIMIT_MUTATIONS_PER_VIEWER: '1000000000/60s',
  RATE_LIMIT_AUTH_PER_IP: '100000/60s',
  RATE_LIMIT_LOGIN_PER_EMAIL: '1000/15m',
};

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || defaultPort) };
}

/** Starts `count` instances (two by default) on `databaseUrl` and `redisUrl` under `keyPrefix`, each behind its own proxies. */
export async function startCluster(options: {
  databaseUrl: string;
  redisUrl: string;
  keyPrefix: string;
  count?: number;
  env?: Record<string, string>;
}): Promise<Cluster> {
  const pg = hostPort(options.databaseUrl, 5432);
  const redis = hostPort(options.redisUrl, 6379);
  const names = ['A', 'B', 'C', 'D'].slice(0, options.count ?? 2);
  const instances: ChaosInstance[] = [];
  const proxies: TcpProxy[] = [];
  try {
    // Started one after the other: two tsx compilations at once on two cores only make both slower.
    for (const name of names) {
      const postgres = await startTcpProxy(pg.host, pg.port);
      proxies.push(postgres);
      const redisProxy = await startTcpProxy(redis.host, redis.port);
      proxies.push(redisProxy);
      const databaseUrl = new URL(options.databaseUrl);
      databaseUrl.hostname = '127.0.0.1';
      databaseUrl.port = String(postgres.port);
      const port = await freePort();
      const server = await startServerProcess({
        entry: 'src/main.ts',
        port,
        env: {
          ...CHAOS_ENV,
          ...options.env,
          PORT: String(port),
          DATABASE_URL: databaseUrl.toString(),
          REDIS_URL: `redis://127.0.0.1:${redisProxy.port}`,
          REDIS_KEY_PREFIX: options.keyPrefix,
        },
      });
      instances.push({
        name,
        origin: server.origin,
        pid: server.pid,
        redis: redisProxy,
        postgres,
        process: server,
        rss: () => residentBytes(server.pid),
      });
    }
  } catch (error) {
    await Promise.all(instances.map((i) => i.process.stop()));
    await Promise.all(proxies.map((p) => p.close()));
    throw error;
  }
  const each = (f: (i: ChaosInstance) => void) => () => {
    for (const instance of instances) f(instance);
  };
  return {
    instances,
    keyPrefix: options.keyPrefix,
    cutRedis: each((i) => i.redis.cut()),
    slowRedis: (ms) => each((i) => i.redis.delay(ms))(),
    restoreRedis: each((i) => i.redis.restore()),
    cutPostgres: each((i) => i.postgres.cut()),
    restorePostgres: each((i) => i.postgres.restore()),
    async close() {
      await Promise.all(instances.map((i) => i.process.stop()));
      await Promise.all(proxies.map((p) => p.close()));
    },
  };
}
