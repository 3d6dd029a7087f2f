import { createServer } from 'node:http';
import { createApp } from './app.ts';
import { createSharedState } from './shared-state.ts';
import { openDatabase } from './db/index.ts';
import { ConfigError, type Env, loadEnv } from './env.ts';
import { createLogger } from './logger.ts';
import { memoryStore, redisStore, type Store } from './store/index.ts';
import { createRedisClient } from './store/redis-client.ts';
import { DEMO_ACCOUNTS, seed } from '../prisma/seed.ts';

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
  if (env.REDIS_URL) {
    inner = redisStore(await createRedisClient({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, logger }));
    logger.info('caches in Redis: instances share sessions and cached data');
  } else {
    inner = memoryStore();
    logger.info('no REDIS_URL: caches in process memory (single instance)');
  }
  const app = createApp(
    { env, logger, prisma: db.prisma, ...createSharedState(inner, env, logger) },
    { readinessChecks: env.REDIS_URL ? [() => inner.ping()] : [] },
  );

  const server = createServer(app.listener);
  await new Promise<void>((resolve) => server.listen(env.PORT, env.HOST, resolve));
  const shown = env.HOST === '0.0.0.0' || env.HOST === '127.0.0.1' ? 'localhost' : env.HOST;
  logger.info(`serving http://${shown}:${env.PORT}/graphql${env.GRAPHIQL ? ' (GraphiQL in a browser)' : ''}`);
  if (db.kind === 'embedded') {
    logger.info(`demo sign-in: ${DEMO_ACCOUNTS.alice.email} / ${DEMO_ACCOUNTS.alice.password}`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then close idle keep-alive sockets.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const force = setTimeout(() => server.closeAllConnections(), 10_000);
    force.unref();
    await closed;
    await app.dispose();
    await inner.close();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
