import { resolve } from 'node:path';
import { createApp } from './app.ts';
import { createHttpServer } from './http/server.ts';
import { createSharedState } from './shared-state.ts';
import { openDatabase } from './db/index.ts';
import { ConfigError, type Env, loadEnv } from './env.ts';
import { createLogger } from './logger.ts';
import { clusterStore, memoryStore, redisStore, type Store } from './store/index.ts';
import { createClusterClient, createRedisClient } from './store/redis-client.ts';
import { runShutdown } from './shutdown.ts';
import { DEMO_ACCOUNTS, seed } from '../prisma/seed.ts';

/** How long each cleanup step after the HTTP drain may take before shutdown moves on. */
const STEP_TIMEOUT_MS = 5_000;

/** Process entry: config → dependencies → app → listen, and a graceful stop on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let env: Env;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(env);

  const db = await openDatabase(env, logger, async (prisma, log) => {
    await seed(prisma, { log });
  });
  let inner: Store;
  if (env.REDIS_CLUSTER_NODES.length > 0) {
    const cluster = await createClusterClient({ nodes: env.REDIS_CLUSTER_NODES, keyPrefix: env.REDIS_KEY_PREFIX, logger });
    inner = clusterStore(cluster, { clockSkewMs: env.REDIS_CLUSTER_CLOCK_SKEW_MS });
    logger.info({ seeds: env.REDIS_CLUSTER_NODES.length }, 'caches in Redis Cluster: instances share sessions and cached data');
  } else if (env.REDIS_URL) {
    inner = redisStore(await createRedisClient({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, logger }));
    logger.info('caches in Redis: instances share sessions and cached data');
  } else {
    inner = memoryStore();
    logger.info('no REDIS_URL: caches in process memory (single instance)');
  }
  const app = createApp(
    { env, logger, prisma: db.prisma, reads: db.reads, ...createSharedState(inner, env, logger) },
    { webRoot: env.WEB_DIR ? resolve(env.WEB_DIR) : null, ...(db.pool ? { pool: db.pool } : {}) },
  );

  const server = createHttpServer(app.listener, {
    headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
  });
  await new Promise<void>((resolve) => server.listen(env.PORT, env.HOST, resolve));
  const shown = env.HOST === '0.0.0.0' || env.HOST === '127.0.0.1' ? 'localhost' : env.HOST;
  logger.info(`serving http://${shown}:${env.PORT}/graphql${env.GRAPHIQL ? ' (GraphiQL in a browser)' : ''}`);
  if (app.web.served) logger.info(`serving the SPA built in ${env.WEB_DIR} at http://${shown}:${env.PORT}/`);
  if (db.kind === 'embedded') {
    // Passwords never go to a log, demo ones included: the README lists them.
    logger.info(`demo sign-in: ${DEMO_ACCOUNTS.alice.email} (password: README, "Demo accounts")`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    // A signal to the process group reaches this process twice when npm
    // forwards it too: the second must not cut short the requests in flight.
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const unfinished = await runShutdown(
      [
        {
          // Stop accepting, let in-flight requests finish, and close keep-alive
          // sockets as they fall idle (a browser holds one open for minutes).
          name: 'finish in-flight requests',
          timeoutMs: env.SHUTDOWN_GRACE_SECONDS * 1000,
          run: () => {
            const closed = new Promise<void>((resolve) => server.close(() => resolve()));
            const sweep = setInterval(() => server.closeIdleConnections(), 100);
            return closed.finally(() => clearInterval(sweep));
          },
          onTimeout: () => server.closeAllConnections(),
        },
        { name: 'dispose the app', timeoutMs: STEP_TIMEOUT_MS, run: async () => app.dispose() },
        { name: 'close the store', timeoutMs: STEP_TIMEOUT_MS, run: () => inner.close() },
        { name: 'close the database', timeoutMs: STEP_TIMEOUT_MS, run: () => db.close() },
      ],
      logger,
    );
    logger.info({ unfinished }, unfinished.length === 0 ? 'stopped' : 'stopped without finishing every step');
    process.exit(unfinished.length === 0 ? 0 : 1);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
