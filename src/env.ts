import { bool, cleanEnv, makeValidator, num, port, str, EnvError, EnvMissingError } from 'envalid';
import { parseLimit } from './rate-limit/notation.ts';

/** Accepts only postgres:// or postgresql:// URLs, so a typo fails at start rather than on the first query. */
const postgresUrl = makeValidator<string>((input) => {
  if (input === '') return '';
  if (!/^postgres(ql)?:\/\/.+/.test(input)) throw new EnvError('must be a postgres:// or postgresql:// URL');
  // The driver parses it only at the first query; a typo such as a non-numeric port must fail here, at start.
  if (!URL.canParse(input)) throw new EnvError('is not a valid URL');
  return input;
});

/** Accepts only redis:// or rediss:// URLs. */
const redisUrl = makeValidator<string>((input) => {
  if (input === '') return '';
  if (!/^rediss?:\/\/.+/.test(input)) throw new EnvError('must be a redis:// or rediss:// URL');
  return input;
});

/** A Redis Cluster seed node, as REDIS_CLUSTER_NODES names it. */
export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/**
 * Parses `host:port,host:port` (spaces around commas allowed). Each node must
 * name a host and a port in 1-65535, so a typo fails at start rather than as
 * an endless reconnect.
 */
export function parseClusterNodes(input: string): ClusterNodeAddress[] {
  if (input.trim() === '') return [];
  return input.split(',').map((part) => {
    const node = part.trim();
    const colon = node.lastIndexOf(':');
    const host = node.slice(0, colon);
    const port = Number(node.slice(colon + 1));
    if (colon <= 0 || !/^\d+$/.test(node.slice(colon + 1)) || port < 1 || port > 65_535) {
      throw new EnvError(`must be host:port pairs separated by commas ("${node}" is not one)`);
    }
    return { host, port };
  });
}

const clusterNodes = makeValidator<string>((input) => {
  parseClusterNodes(input);
  return input;
});

/** A limit written as calls per window, like "100/60s" or "5/15m". */
const rateLimit = makeValidator<string>((input) => {
  try {
    parseLimit(input);
  } catch (error) {
    throw new EnvError((error as Error).message);
  }
  return input;
});

const spec = {
  DATABASE_URL: postgresUrl({ default: '', desc: 'PostgreSQL URL; empty opens the embedded database under DATA_DIR' }),
  DATABASE_CONNECT_TIMEOUT_MS: num({
    default: 2_000,
    desc: 'How long opening a PostgreSQL connection (or waiting for a free one in the pool) may take; past it the request answers SERVICE_UNAVAILABLE',
  }),
  DATABASE_QUERY_TIMEOUT_MS: num({
    default: 10_000,
    desc: 'How long a PostgreSQL query may go unanswered; past it the connection is dropped and the request answers SERVICE_UNAVAILABLE',
  }),
  REDIS_URL: redisUrl({ default: '', desc: 'Redis URL; empty keeps caches in process (single instance)' }),
  REDIS_CLUSTER_NODES: clusterNodes({
    default: '',
    desc: 'Redis Cluster seed nodes as host:port,host:port; takes precedence over REDIS_URL',
  }),
  REDIS_CLUSTER_CLOCK_SKEW_MS: num({
    default: 50,
    desc: 'How far the clocks of two Redis Cluster nodes may disagree (0 when all run on one host); a cached answer is refused when a write it may predate falls within it',
  }),
  REDIS_KEY_PREFIX: str({ default: 'tg:', desc: 'Prefix of every Redis key, so several deployments can share one Redis' }),
  PORT: port({ default: 4000 }),
  HOST: str({ default: '127.0.0.1', desc: 'Interface to listen on; 0.0.0.0 in a container' }),
  NODE_ENV: str({ choices: ['development', 'production', 'test'], default: 'development' }),
  LOG_LEVEL: str({ choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' }),
  GRAPHIQL: bool({ default: undefined, desc: 'Serve GraphiQL to browsers at /graphql; unset: as INTROSPECTION, which it needs' }),
  INTROSPECTION: bool({ default: undefined, desc: 'Answer __schema and __type queries; unset: off in production, on otherwise' }),
  DATA_DIR: str({ default: '.data', desc: 'Folder of the embedded database' }),
  HTTP_HEADERS_TIMEOUT_MS: num({
    default: 10_000,
    desc: 'How long a client may take to send the headers of a request; 408 and closed after',
  }),
  HTTP_REQUEST_TIMEOUT_MS: num({
    default: 30_000,
    desc: 'How long a client may take to send a whole request, body included; 408 and closed after',
  }),
  SHUTDOWN_GRACE_SECONDS: num({
    default: 10,
    desc: 'On SIGTERM/SIGINT, how long in-flight requests may run before their connections are closed',
  }),
  SESSION_TTL_DAYS: num({ default: 30, desc: 'How long a sign-in lasts' }),
  MAX_BODY_BYTES: num({ default: 100_000, desc: 'Largest accepted request body' }),
  ENTITY_CACHE: bool({ default: true, desc: 'Cache rows and relation lists in the store (Redis or in-process)' }),
  RESPONSE_CACHE: bool({ default: true, desc: 'Cache whole query responses per viewer, invalidated by entity tags' }),
  GRAPHQL_JIT: bool({ default: true, desc: 'Execute each document compiled by graphql-jit instead of graphql-js walking it' }),
  RATE_LIMITS: bool({ default: true, desc: 'Enforce @rateLimit and the per-client operation budget' }),
  RATE_LIMIT_BUDGET: rateLimit({ default: '100/60s', desc: 'Operations per client (viewer, or IP when anonymous)' }),
  RATE_LIMIT_AUTH_PER_IP: rateLimit({ default: '10/60s', desc: 'logIn and signUp per client IP' }),
  RATE_LIMIT_LOGIN_PER_EMAIL: rateLimit({ default: '5/15m', desc: 'logIn per email' }),
  RATE_LIMIT_MUTATIONS_PER_VIEWER: rateLimit({ default: '60/60s', desc: 'Every other mutation per viewer' }),
  TRUST_PROXY: num({ default: 0, desc: 'Proxy hops whose X-Forwarded-For is trusted for the client IP; 0 trusts none' }),
  CACHE_TTL_FLAG_SECONDS: num({ default: 30 * 60 }),
  CACHE_TTL_ENTITY_SECONDS: num({ default: 10 * 60, desc: 'Users, organizations, memberships' }),
  CACHE_TTL_SESSION_SECONDS: num({ default: 2 * 60 }),
  CACHE_TTL_MISSING_SECONDS: num({ default: 30, desc: 'How long a missing row is remembered' }),
  CACHE_TTL_APQ_SECONDS: num({ default: 24 * 60 * 60, desc: 'How long an APQ registration (a document by its hash) is kept' }),
  CACHE_RECONNECT_SETTLE_MS: num({
    default: 5_000,
    desc: 'After Redis comes back, how long reads still bypass it: long enough for every instance to reconnect and deliver the invalidations it could not send',
  }),
  CACHE_REQUEST_WAIT_MS: num({
    default: 500,
    desc: 'How long one request may wait on Redis in all (the command timeout by default); past it, its reads go to Postgres, so a slow Redis costs what a dead one does',
  }),
  METRICS_TOKEN: str({ default: '', desc: 'Bearer token for GET /metrics (Prometheus); empty serves no /metrics' }),
  SLOW_OPERATION_MS: num({ default: 1_000, desc: 'Requests slower than this are logged with their operation name' }),
  WEB_DIR: str({ default: 'web/dist', desc: 'The built SPA, served at / when it holds an index.html; empty serves none' }),
  PERSISTED_DOCUMENTS: str({
    choices: ['off', 'allow', 'require'],
    default: 'allow',
    desc: 'Persisted document ids and APQ: off, allow (beside whole documents), require (only manifest documents, by id)',
  }),
};

export type Env = Readonly<{
  DATABASE_URL: string;
  DATABASE_CONNECT_TIMEOUT_MS: number;
  DATABASE_QUERY_TIMEOUT_MS: number;
  REDIS_URL: string;
  /** Seed nodes of a Redis Cluster; empty when none (then REDIS_URL, if any, names one Redis). */
  REDIS_CLUSTER_NODES: readonly ClusterNodeAddress[];
  REDIS_CLUSTER_CLOCK_SKEW_MS: number;
  REDIS_KEY_PREFIX: string;
  PORT: number;
  HOST: string;
  NODE_ENV: 'development' | 'production' | 'test';
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  GRAPHIQL: boolean;
  INTROSPECTION: boolean;
  DATA_DIR: string;
  HTTP_HEADERS_TIMEOUT_MS: number;
  HTTP_REQUEST_TIMEOUT_MS: number;
  SHUTDOWN_GRACE_SECONDS: number;
  SESSION_TTL_DAYS: number;
  MAX_BODY_BYTES: number;
  ENTITY_CACHE: boolean;
  RESPONSE_CACHE: boolean;
  GRAPHQL_JIT: boolean;
  RATE_LIMITS: boolean;
  RATE_LIMIT_BUDGET: string;
  RATE_LIMIT_AUTH_PER_IP: string;
  RATE_LIMIT_LOGIN_PER_EMAIL: string;
  RATE_LIMIT_MUTATIONS_PER_VIEWER: string;
  TRUST_PROXY: number;
  CACHE_TTL_FLAG_SECONDS: number;
  CACHE_TTL_ENTITY_SECONDS: number;
  CACHE_TTL_SESSION_SECONDS: number;
  CACHE_TTL_MISSING_SECONDS: number;
  CACHE_TTL_APQ_SECONDS: number;
  CACHE_RECONNECT_SETTLE_MS: number;
  CACHE_REQUEST_WAIT_MS: number;
  METRICS_TOKEN: string;
  SLOW_OPERATION_MS: number;
  WEB_DIR: string;
  PERSISTED_DOCUMENTS: 'off' | 'allow' | 'require';
}>;

/** Raised with every invalid variable named, so a bad deployment says what to fix in one line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The one reader of process.env: validates it at start and returns typed values
 * with defaults that work on a laptop. Throws ConfigError instead of exiting, so
 * tests and main decide what a bad config means.
 */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const env = cleanEnv(source, spec, {
    reporter: ({ errors }) => {
      const problems = Object.entries(errors).map(([name, err]) =>
        err instanceof EnvMissingError ? `${name} is required` : `${name} ${(err as Error).message}`,
      );
      if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
    },
  });
  if (!(env.SESSION_TTL_DAYS > 0)) throw new ConfigError('Invalid configuration: SESSION_TTL_DAYS must be positive');
  for (const name of [
    'MAX_BODY_BYTES',
    'SHUTDOWN_GRACE_SECONDS',
    'CACHE_TTL_FLAG_SECONDS',
    'CACHE_TTL_ENTITY_SECONDS',
    'CACHE_TTL_SESSION_SECONDS',
    'CACHE_TTL_MISSING_SECONDS',
    'CACHE_TTL_APQ_SECONDS',
  ] as const) {
    if (!(env[name] > 0)) throw new ConfigError(`Invalid configuration: ${name} must be positive`);
  }
  for (const name of [
    'HTTP_HEADERS_TIMEOUT_MS',
    'HTTP_REQUEST_TIMEOUT_MS',
    'DATABASE_CONNECT_TIMEOUT_MS',
    'DATABASE_QUERY_TIMEOUT_MS',
  ] as const) {
    // 0 would turn the timeout off (Node's and pg's alike): a slow client or a silent database could hold a request for ever.
    if (!Number.isInteger(env[name]) || env[name] <= 0) {
      throw new ConfigError(`Invalid configuration: ${name} must be a positive whole number of milliseconds`);
    }
  }
  // Node refuses a server whose headers may take longer than the whole request.
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
    throw new ConfigError('Invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  }
  for (const name of ['CACHE_RECONNECT_SETTLE_MS', 'CACHE_REQUEST_WAIT_MS', 'REDIS_CLUSTER_CLOCK_SKEW_MS'] as const) {
    if (!(env[name] >= 0)) throw new ConfigError(`Invalid configuration: ${name} must be 0 or more`);
  }
  // Under a cluster the slot comes from the first {…} of the key as sent: a tag in the prefix would put every key in one slot.
  if (env.REDIS_CLUSTER_NODES !== '' && /[{}]/.test(env.REDIS_KEY_PREFIX)) {
    throw new ConfigError('Invalid configuration: REDIS_KEY_PREFIX must not hold { or } when REDIS_CLUSTER_NODES is set');
  }
  // A fractional or negative hop count would make clientIp read the leftmost, client-chosen, X-Forwarded-For entry.
  if (!Number.isInteger(env.TRUST_PROXY) || env.TRUST_PROXY < 0) {
    throw new ConfigError('Invalid configuration: TRUST_PROXY must be a whole number of proxy hops (0 or more)');
  }
  // Off in production unless asked for: clients and codegen read schema.graphql, nobody needs to download the schema.
  const introspection = env.INTROSPECTION ?? env.NODE_ENV !== 'production';
  return {
    DATABASE_URL: env.DATABASE_URL,
    DATABASE_CONNECT_TIMEOUT_MS: env.DATABASE_CONNECT_TIMEOUT_MS,
    DATABASE_QUERY_TIMEOUT_MS: env.DATABASE_QUERY_TIMEOUT_MS,
    REDIS_URL: env.REDIS_URL,
    REDIS_CLUSTER_NODES: parseClusterNodes(env.REDIS_CLUSTER_NODES),
    REDIS_CLUSTER_CLOCK_SKEW_MS: env.REDIS_CLUSTER_CLOCK_SKEW_MS,
    REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX,
    PORT: env.PORT,
    HOST: env.HOST,
    NODE_ENV: env.NODE_ENV as Env['NODE_ENV'],
    LOG_LEVEL: env.LOG_LEVEL as Env['LOG_LEVEL'],
    // GraphiQL without introspection runs queries but shows no docs and completes nothing. Left unset it
    // follows INTROSPECTION, the least surprising default: a production deploy serves neither, and turning
    // introspection on brings the explorer that uses it. Set, it is obeyed either way.
    GRAPHIQL: env.GRAPHIQL ?? introspection,
    INTROSPECTION: introspection,
    DATA_DIR: env.DATA_DIR,
    HTTP_HEADERS_TIMEOUT_MS: env.HTTP_HEADERS_TIMEOUT_MS,
    HTTP_REQUEST_TIMEOUT_MS: env.HTTP_REQUEST_TIMEOUT_MS,
    SHUTDOWN_GRACE_SECONDS: env.SHUTDOWN_GRACE_SECONDS,
    SESSION_TTL_DAYS: env.SESSION_TTL_DAYS,
    MAX_BODY_BYTES: env.MAX_BODY_BYTES,
    ENTITY_CACHE: env.ENTITY_CACHE,
    RESPONSE_CACHE: env.RESPONSE_CACHE,
    GRAPHQL_JIT: env.GRAPHQL_JIT,
    RATE_LIMITS: env.RATE_LIMITS,
    RATE_LIMIT_BUDGET: env.RATE_LIMIT_BUDGET,
    RATE_LIMIT_AUTH_PER_IP: env.RATE_LIMIT_AUTH_PER_IP,
    RATE_LIMIT_LOGIN_PER_EMAIL: env.RATE_LIMIT_LOGIN_PER_EMAIL,
    RATE_LIMIT_MUTATIONS_PER_VIEWER: env.RATE_LIMIT_MUTATIONS_PER_VIEWER,
    TRUST_PROXY: env.TRUST_PROXY,
    CACHE_TTL_FLAG_SECONDS: env.CACHE_TTL_FLAG_SECONDS,
    CACHE_TTL_ENTITY_SECONDS: env.CACHE_TTL_ENTITY_SECONDS,
    CACHE_TTL_SESSION_SECONDS: env.CACHE_TTL_SESSION_SECONDS,
    CACHE_TTL_MISSING_SECONDS: env.CACHE_TTL_MISSING_SECONDS,
    CACHE_TTL_APQ_SECONDS: env.CACHE_TTL_APQ_SECONDS,
    CACHE_RECONNECT_SETTLE_MS: env.CACHE_RECONNECT_SETTLE_MS,
    CACHE_REQUEST_WAIT_MS: env.CACHE_REQUEST_WAIT_MS,
    METRICS_TOKEN: env.METRICS_TOKEN,
    SLOW_OPERATION_MS: env.SLOW_OPERATION_MS,
    WEB_DIR: env.WEB_DIR,
    PERSISTED_DOCUMENTS: env.PERSISTED_DOCUMENTS as Env['PERSISTED_DOCUMENTS'],
  };
}
