import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createApp, type App, type AppOptions } from '../../src/app.ts';
import { loadEnv, type Env } from '../../src/env.ts';
import type { BatchReads } from '../../src/db/batch-reads.ts';
import type { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createLogger } from '../../src/logger.ts';
import { createSharedState, type SharedState } from '../../src/shared-state.ts';
import { redisStore } from '../../src/store/index.ts';
import { createRedisClient } from '../../src/store/redis-client.ts';
import { TEST_REDIS_URL } from '../helpers/services.ts';

/** One instance on a real port whose log lines a test reads (the shared helper's logger is silent and not capturable). */
export interface OpsInstance {
  app: App;
  env: Env;
  origin: string;
  shared: SharedState;
  /** Every JSON line the instance logged, parsed, in order. */
  logs: Record<string, unknown>[];
  /** The raw text of every line logged, for greps. */
  rawLogs: string[];
  /** POSTs a document to /graphql over HTTP, through the hot path; answers the response and its JSON. */
  gql<R, V>(
    document: TypedDocumentNode<R, V>,
    options?: { variables?: V; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ response: Response; json: { data?: R | null; errors?: { extensions?: { code?: string } }[] } }>;
  close(): Promise<void>;
}

/** Limits that never bind in these tests (all requests come from one IP). */
const UNBINDING_LIMITS = {
  RATE_LIMIT_BUDGET: '1000000/60s',
  RATE_LIMIT_AUTH_PER_IP: '1000000/60s',
  RATE_LIMIT_LOGIN_PER_EMAIL: '1000000/60s',
  RATE_LIMIT_MUTATIONS_PER_VIEWER: '1000000/60s',
};

/** Starts an instance over the database and the real Redis (a fresh key prefix), configured by `env` over test defaults. */
export async function startOpsInstance(
  database: { prisma: PrismaClient; reads: BatchReads },
  envOverrides: Record<string, string> = {},
  options: AppOptions = {},
): Promise<OpsInstance> {
  const env = loadEnv({ NODE_ENV: 'test', LOG_LEVEL: 'info', ...UNBINDING_LIMITS, ...envOverrides });
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger(env, false, {
    write(line: string) {
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const keyPrefix = `test:ops:${randomBytes(6).toString('hex')}:`;
  const redis = await createRedisClient({ url: TEST_REDIS_URL, keyPrefix, logger, commandTimeoutMs: 1_000 });
  const inner = redisStore(redis);
  const shared = createSharedState(inner, env, logger);
  const app = createApp({ env, logger, prisma: database.prisma, reads: database.reads, ...shared }, options);
  const server: Server = createServer(app.listener);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app,
    env,
    origin,
    shared,
    logs,
    rawLogs,
    async gql(document, opts = {}) {
      const body = JSON.stringify({ query: print(document), variables: opts.variables ?? {} });
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...opts.headers,
      };
      if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
      const response = await fetch(`${origin}/graphql`, { method: 'POST', headers, body });
      return { response, json: (await response.json()) as never };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.dispose();
      await inner.close();
    },
  };
}
