// The Redis a run's servers use: the machine's one Redis, or a Redis Cluster
// the bench starts for the run (`--redis=cluster`) and stops at its end.

import { parseClusterNodes } from '../src/env.ts';
import { createLogger } from '../src/logger.ts';
import { clusterStore, redisStore, type Store } from '../src/store/index.ts';
import { createClusterClient, createRedisClient } from '../src/store/redis-client.ts';
import { masterPorts, startRedisCluster } from './redis-cluster.ts';
import { RedisStats } from './redis-stats.ts';

export type RedisKind = 'single' | 'cluster';

/** Where a server finds Redis: a URL for one Redis, seed nodes (`host:port,…`) for a cluster; the other empty. */
export interface RedisServices {
  redisUrl: string;
  redisClusterNodes: string;
}

export interface RedisTarget {
  kind: RedisKind;
  services: RedisServices;
  /** Commandstats summed over the masters, and key cleanup on each. */
  stats: RedisStats;
  /** A store of the server's own classes on this Redis under `prefix`: what the server itself would write and read. */
  openStore(prefix: string): Promise<Store>;
  close(): Promise<void>;
}

/** The bench's cluster ports start here, apart from the test suite's (7100), so a test run beside it never collides. */
const BENCH_CLUSTER_PORT_BASE = 7300;
/** The bench's seeding and checks send large batches: their commands get longer than a request path's 500 ms. */
const SEED_COMMAND_TIMEOUT_MS = 30_000;
const logger = createLogger({ LOG_LEVEL: 'warn', NODE_ENV: 'production' }, false);

/** The one Redis at `url`. */
export async function singleRedis(url: string): Promise<RedisTarget> {
  const stats = await RedisStats.connect(url);
  return {
    kind: 'single',
    services: { redisUrl: url, redisClusterNodes: '' },
    stats,
    openStore: async (prefix) =>
      redisStore(await createRedisClient({ url, keyPrefix: prefix, logger, commandTimeoutMs: SEED_COMMAND_TIMEOUT_MS })),
    close: () => stats.close(),
  };
}

/**
 * Starts a 3-master cluster on loopback for the run; close() stops it and
 * removes its files. Without replicas: one Redis has none either, and on a
 * machine whose cores the servers and the load share, replicas applying every
 * write would tax the cluster's figures with work the single row never does.
 */
export async function benchCluster(): Promise<RedisTarget> {
  const cluster = await startRedisCluster(BENCH_CLUSTER_PORT_BASE, 0);
  try {
    const masters = await masterPorts(cluster.ports);
    const stats = await RedisStats.connect(...masters.map((port) => `redis://127.0.0.1:${port}`));
    return {
      kind: 'cluster',
      services: { redisUrl: '', redisClusterNodes: cluster.seeds },
      stats,
      openStore: async (prefix) =>
        clusterStore(
          await createClusterClient({
            nodes: parseClusterNodes(cluster.seeds),
            keyPrefix: prefix,
            logger,
            commandTimeoutMs: SEED_COMMAND_TIMEOUT_MS,
          }),
        ),
      close: async () => {
        await stats.close();
        await cluster.stop();
      },
    };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
