import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { GraphQLFormattedError } from 'graphql';
import { Cluster, type Redis } from 'ioredis';
import { createApp, type App } from '../../src/app.ts';
import type { EntityCache } from '../../src/cache/entity-cache.ts';
import type { BatchReads } from '../../src/db/batch-reads.ts';
import { createSharedState } from '../../src/shared-state.ts';
import type { RateLimiter } from '../../src/rate-limit/limiter.ts';
import type { ResponseCache } from '../../src/cache/response-cache.ts';
import type { SafeStore } from '../../src/store/fail-soft.ts';
import { type ClusterNodeAddress, loadEnv, type Env } from '../../src/env.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createLogger } from '../../src/logger.ts';
import { clusterStore, memoryStore, redisStore, type Store } from '../../src/store/index.ts';
import { createClusterClient, createRedisClient } from '../../src/store/redis-client.ts';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { request } from './http.ts';
import { TEST_REDIS_URL, testClusterNodes } from './services.ts';

/** What a GraphQL answer looks like to a client. */
export interface GraphQLResponse<R> {
  status: number;
  headers: Headers;
  data?: R | null;
  errors?: GraphQLFormattedError[];
}

/** One server instance under test: built like production, without a port. */
export interface TestInstance {
  app: App;
  /** Where the instance listens on loopback (its node:http listener: the hot path, then Yoga). */
  origin: string;
  /** The instance's shared entity cache: its stats count hits, loads and joins. */
  cache: EntityCache;
  /** The instance's response cache (null when RESPONSE_CACHE is off): its stats count hits and refusals. */
  responseCache: ResponseCache | null;
  /** The instance's rate limiter: its stats count checks, refusals and store failures. */
  limiter: RateLimiter;
  store: SafeStore;
  /** The instance's client: one Redis, or under the `cluster` project a Cluster (a key's commands route by its slot). */
  redis: Redis | Cluster | null;
  /** Sends a typed document as a client would: POST /graphql with JSON. */
  gql<R, V>(document: TypedDocumentNode<R, V>, options?: { variables?: V; token?: string | null }): Promise<GraphQLResponse<R>>;
  close(): Promise<void>;
}

/** A file's whole world: its own database, its own Redis key prefix, and any number of instances sharing both. */
export interface TestWorld {
  db: TestDatabase;
  prisma: PrismaClient;
  env: Env;
  keyPrefix: string;
  /** The first instance; most tests need only one. */
  server: TestInstance;
  /** Another instance on the same database and Redis: what a second pod behind the load balancer would be. */
  startInstance(options?: InstanceOptions): Promise<TestInstance>;
  close(): Promise<void>;
}

/** How one more instance differs from the world's first. */
export interface InstanceOptions {
  store?: 'redis' | 'memory';
  /** Reach Redis elsewhere, e.g. through a proxy the test can cut. */
  redisUrl?: string;
  /** Settings over the world's, e.g. `{ RESPONSE_CACHE: 'false' }` for an uncached oracle. */
  env?: Record<string, string>;
  /** The clock sessions expire against, in ms. @default Date.now */
  now?: () => number;
  /** A built SPA to serve at `/` (createApp's webRoot). @default none */
  webRoot?: string;
}

async function startInstance(
  world: {
    prisma: PrismaClient;
    reads: BatchReads;
    env: Env;
    envSource: Record<string, string>;
    keyPrefix: string;
    clusterNodes: ClusterNodeAddress[] | null;
  },
  kind: 'redis' | 'memory',
  redisUrl: string | undefined,
  envOverrides?: Record<string, string>,
  now?: () => number,
  webRoot?: string,
): Promise<TestInstance> {
  const env = envOverrides ? loadEnv({ ...world.envSource, ...envOverrides }) : world.env;
  const logger = createLogger(env);
  const client = kind === 'redis' ? { url: redisUrl, keyPrefix: world.keyPrefix, logger, commandTimeoutMs: 1_000 } : null;
  // Under the cluster project the world's Redis is the run's cluster; a test that names a URL (a proxy it cuts, a
  // port nothing answers on) still gets that one Redis.
  const cluster = client && redisUrl === undefined ? (world.clusterNodes ?? testClusterNodes()) : null;
  const redis = !client
    ? null
    : cluster
      ? await createClusterClient({ ...client, nodes: cluster })
      : await createRedisClient({ ...client, url: redisUrl ?? TEST_REDIS_URL });
  const inner: Store = !redis
    ? memoryStore()
    : redis instanceof Cluster
      ? // The test cluster's nodes run on this host: one clock, no skew to allow for.
        clusterStore(redis, { clockSkewMs: 0 })
      : redisStore(redis);
  const { store, cache, responseCache, limiter } = createSharedState(inner, env, logger);
  const app = createApp(
    { env, logger, prisma: world.prisma, reads: world.reads, cache, responseCache, limiter, ...(now ? { now } : {}) },
    { webRoot: webRoot ?? null },
  );
  // Typed requests go over real HTTP to the instance's listener, so the hot path in front of Yoga answers them as in production.
  const server: Server = createServer(app.listener);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app,
    origin,
    cache,
    responseCache,
    limiter,
    store,
    redis,
    async gql(document, options = {}) {
      const answer = await request<{ data?: never; errors?: GraphQLFormattedError[] }>(
        { origin, app },
        { query: document, variables: (options.variables ?? {}) as Record<string, unknown>, token: options.token },
      );
      return { status: answer.status, headers: answer.headers, data: answer.body?.data, errors: answer.body?.errors };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.dispose();
      await inner.close();
    },
  };
}

/**
 * Rate limits sized so they never bind in tests about something else (all of
 * a file's requests come from one "IP"); the rate-limit tests set the real ones.
 */
const UNBINDING_LIMITS = {
  RATE_LIMIT_BUDGET: '1000000/60s',
  RATE_LIMIT_AUTH_PER_IP: '1000000/60s',
  RATE_LIMIT_LOGIN_PER_EMAIL: '1000000/60s',
  RATE_LIMIT_MUTATIONS_PER_VIEWER: '1000000/60s',
};

/** Builds a test world on real Postgres and real Redis. Call close() in afterAll. */
export async function createTestWorld(
  options: {
    store?: 'redis' | 'memory';
    env?: Record<string, string>;
    webRoot?: string;
    /** A Redis Cluster of the file's own (a failover test kills its nodes); else the project's Redis. */
    clusterNodes?: ClusterNodeAddress[];
  } = {},
): Promise<TestWorld> {
  const db = await createTestDatabase();
  const envSource = { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: db.url, ...UNBINDING_LIMITS, ...options.env };
  const env = loadEnv(envSource);
  const keyPrefix = `test:${randomBytes(6).toString('hex')}:`;
  const base = { prisma: db.prisma, reads: db.reads, env, envSource, keyPrefix, clusterNodes: options.clusterNodes ?? null };
  const instances: TestInstance[] = [];
  const start = async (opts: InstanceOptions = {}) => {
    const instance = await startInstance(
      base,
      opts.store ?? options.store ?? 'redis',
      opts.redisUrl,
      opts.env,
      opts.now,
      opts.webRoot ?? options.webRoot,
    );
    instances.push(instance);
    return instance;
  };
  const server = await start();
  return {
    db,
    prisma: db.prisma,
    env,
    keyPrefix,
    server,
    startInstance: start,
    async close() {
      for (const instance of instances) await instance.close();
      await db.drop();
    },
  };
}

/** The codes of a response's errors, for compact assertions. */
export function errorCodes(response: { errors?: readonly GraphQLFormattedError[] }): unknown[] {
  return (response.errors ?? []).map((e) => e.extensions?.['code']);
}
