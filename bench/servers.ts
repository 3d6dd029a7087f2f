// The servers compared, one line each. A new configuration of tenant-graph
// (a cache switched on, say) is one more entry with its env.

import { MERCURIUS_REFERENCES } from './peers/mercurius/cache.ts';

/** How a server takes part in the run. */
export type ServerKind =
  /** Replays the reference bytes of one read workload (bare-redis: fetched from Redis per request); started once per workload, no sign-in. */
  | 'bare'
  /** This project, started like `npm start`. */
  | 'tenant-graph'
  /** A peer under bench/peers/, with a logIn mutation of its own. */
  | 'peer';

export interface ServerConfig {
  /** Short id: command line, database and Redis key names. */
  id: string;
  /** As the table shows it. */
  name: string;
  kind: ServerKind;
  /** Entry file, relative to the project root. */
  entry: string;
  /** Environment on top of what every server gets (database, Redis, port, production logging). */
  env: Record<string, string>;
  /** Runs without --servers; the others run when named. */
  default: boolean;
  /** The row the "× peer" column divides by. */
  peer?: boolean;
  /** Runs on the cluster too under `--redis=cluster|both`, as tenant-graph always does; the others use the one Redis. */
  clusterToo?: boolean;
  /** Runs the scaling cells (15 short cells: how cost grows with rows and connections); the others skip them. */
  scaling?: boolean;
  /** What a write invalidates in this server's caches, as the report states it; null without a cache. */
  invalidates: string | null;
  /**
   * Whether a response was served from the response cache, from what the
   * server tells clients; absent when it tells nothing per response.
   */
  cacheHit?: (headers: ResponseHeaders, body: string) => boolean;
}

/** Response headers as the load generator hands them over: names as sent, repeated ones as arrays. */
export type ResponseHeaders = NodeJS.Dict<string | string[]>;

/** A header's value whatever case the server sent its name in. */
export function header(headers: ResponseHeaders, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/** tenant-graph labels every GraphQL answer X-Cache: HIT or MISS. */
const xCacheHit = (headers: ResponseHeaders) => header(headers, 'x-cache') === 'HIT';
/** Apollo's response cache sets Age on the answers it serves from the cache, and only on those. */
const ageHit = (headers: ResponseHeaders) => header(headers, 'age') !== undefined;
/** envelop's includeExtensionMetadata: extensions.responseCache.hit; `"hit":true` appears nowhere else in these answers. */
const extensionHit = (_headers: ResponseHeaders, body: string) => body.includes('"responseCache":{"hit":true');

const TG_RESPONSE_INVALIDATES =
  'response cache: every cached response tagged with an entity the write touched (its typename + global id, and the viewer), awaited before the write answers';
const TG_ENTITY_INVALIDATES =
  'entity cache: the written row and the relation lists holding it (src/cache/invalidate.ts), awaited';

/**
 * What every tenant-graph configuration gets. Rate limits stay on, so their
 * cost is in every request as in production, with budgets no benchmark can
 * exhaust: the bench is one user (or, in many-users, 500 users, each with its
 * own budget key) sending thousands of operations a second, where a
 * deployment has thousands of users each within budget. The sign-in limits
 * (10/60s per IP and 5/15m per email by default) are raised because the bench
 * signs in alice and the 500 many-users viewers from one IP before measuring;
 * every logIn still pays for its rate-limit check.
 */
const TENANT_GRAPH_ENV = {
  RATE_LIMITS: 'true',
  RATE_LIMIT_BUDGET: '1000000000/60s',
  RATE_LIMIT_MUTATIONS_PER_VIEWER: '1000000000/60s',
  RATE_LIMIT_AUTH_PER_IP: '100000/60s',
  RATE_LIMIT_LOGIN_PER_EMAIL: '1000/15m',
};
const tg = (env: Record<string, string>) => ({ ...TENANT_GRAPH_ENV, ...env });

export const SERVERS: ServerConfig[] = [
  {
    id: 'bare',
    name: 'bare node:http (ceiling)',
    kind: 'bare',
    entry: 'bench/peers/bare.ts',
    env: {},
    default: true,
    invalidates: null,
  },
  // The ceiling of any hit that asks Redis anything: the bare server plus one GET per request (bench/peers/bare-redis.ts).
  {
    id: 'bare-redis',
    name: 'bare node:http + 1 Redis GET (ceiling of a hit)',
    kind: 'bare',
    entry: 'bench/peers/bare-redis.ts',
    env: {},
    default: true,
    clusterToo: true,
    invalidates: null,
  },
  {
    id: 'tg',
    name: 'tenant-graph (no cache)',
    kind: 'tenant-graph',
    entry: 'src/main.ts',
    env: tg({ ENTITY_CACHE: 'false', RESPONSE_CACHE: 'false' }),
    default: true,
    invalidates: null,
  },
  {
    id: 'tg-entity',
    name: 'tenant-graph (entity cache)',
    kind: 'tenant-graph',
    entry: 'src/main.ts',
    env: tg({ ENTITY_CACHE: 'true', RESPONSE_CACHE: 'false' }),
    default: true,
    scaling: true,
    invalidates: TG_ENTITY_INVALIDATES,
  },
  {
    id: 'tg-response',
    name: 'tenant-graph (response cache)',
    kind: 'tenant-graph',
    entry: 'src/main.ts',
    env: tg({ ENTITY_CACHE: 'false', RESPONSE_CACHE: 'true' }),
    default: false,
    invalidates: TG_RESPONSE_INVALIDATES,
    cacheHit: xCacheHit,
  },
  {
    id: 'tg-both',
    name: 'tenant-graph (both caches)',
    kind: 'tenant-graph',
    entry: 'src/main.ts',
    env: tg({ ENTITY_CACHE: 'true', RESPONSE_CACHE: 'true' }),
    default: true,
    scaling: true,
    invalidates: `${TG_RESPONSE_INVALIDATES}; ${TG_ENTITY_INVALIDATES}`,
    cacheHit: xCacheHit,
  },
  // The rate limits' cost on a cache hit: the row above without them (`--servers=tg-both,tg-both-nolimits`).
  {
    id: 'tg-both-nolimits',
    name: 'tenant-graph (both caches, no rate limits)',
    kind: 'tenant-graph',
    entry: 'src/main.ts',
    env: tg({ ENTITY_CACHE: 'true', RESPONSE_CACHE: 'true', RATE_LIMITS: 'false' }),
    default: false,
    invalidates: `${TG_RESPONSE_INVALIDATES}; ${TG_ENTITY_INVALIDATES}`,
    cacheHit: xCacheHit,
  },
  {
    id: 'apollo',
    name: 'Apollo Server 5 + Prisma',
    kind: 'peer',
    entry: 'bench/peers/apollo/main.ts',
    env: { RESPONSE_CACHE: 'false' },
    default: true,
    invalidates: null,
  },
  {
    id: 'apollo-rc',
    name: 'Apollo Server 5 + Prisma + response cache',
    kind: 'peer',
    entry: 'bench/peers/apollo/main.ts',
    env: { RESPONSE_CACHE: 'true', CACHE_MAX_AGE: '60' },
    default: true,
    peer: true,
    invalidates: 'nothing: cached responses live out their maxAge (60 s)',
    cacheHit: ageHit,
  },
  // Uncached, so the miss path has a Mercurius + graphql-jit row to compare with.
  {
    id: 'mercurius',
    name: 'Mercurius (jit) + Prisma loaders',
    kind: 'peer',
    entry: 'bench/peers/mercurius/main.ts',
    env: { CACHE: 'false' },
    default: true,
    invalidates: null,
  },
  {
    id: 'mercurius-cache',
    name: 'Mercurius (jit) + Prisma loaders + mercurius-cache',
    kind: 'peer',
    entry: 'bench/peers/mercurius/main.ts',
    env: { CACHE: 'true', CACHE_MAX_AGE: '60' },
    default: true,
    // Per-field cache entries: no answer is a whole hit or miss, so there is no response-level hit ratio to count.
    invalidates: `the references configured in bench/peers/mercurius/cache.ts: ${MERCURIUS_REFERENCES}`,
  },
  {
    id: 'yoga-stock',
    name: 'graphql-yoga + envelop response cache (Redis), stock',
    kind: 'peer',
    entry: 'bench/peers/yoga-stock/main.ts',
    env: { CACHE_MAX_AGE: '60' },
    default: true,
    invalidates:
      "envelop's entity invalidation: a mutation clears every cached response showing an entity (typename + id) its own result shows: " +
      'setFeatureFlag → FeatureFlag:<id>, updateProfile → User:<id>, logIn → nothing; not awaited before the answer',
    cacheHit: extensionHit,
  },
];

/** The Redis key prefix of a server: under bench:, so the bench can delete exactly its own keys. */
export const redisPrefix = (config: ServerConfig) => `bench:${config.id}:`;

/** What every server gets, so they differ only in their own env. */
export function commonEnv(options: {
  databaseUrl: string;
  redisUrl: string;
  /** Seed nodes of a cluster (`host:port,…`), which the server prefers to REDIS_URL; '' for one Redis. */
  redisClusterNodes?: string;
  port: number;
  config: ServerConfig;
}): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_CLUSTER_NODES: options.redisClusterNodes ?? '',
    REDIS_KEY_PREFIX: redisPrefix(options.config),
    PORT: String(options.port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    GRAPHIQL: 'false',
  };
}

/** The configurations selected by --servers (ids, or "all"); the defaults without it. */
export function selectServers(ids: string[] | undefined): ServerConfig[] {
  if (!ids || ids.length === 0) return SERVERS.filter((s) => s.default);
  if (ids.includes('all')) return [...SERVERS];
  const unknown = ids.filter((id) => !SERVERS.some((s) => s.id === id));
  if (unknown.length > 0)
    throw new Error(`unknown server(s): ${unknown.join(', ')}; known: ${SERVERS.map((s) => s.id).join(', ')}, all`);
  return SERVERS.filter((s) => ids.includes(s.id));
}
