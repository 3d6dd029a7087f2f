// The servers compared, one line each. A new configuration of tenant-graph
// (a cache switched on, say) is one more entry with its env.

/** How a server takes part in the run. */
export type ServerKind =
  /** Replays the reference bytes of one read workload; started once per workload, no sign-in. */
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
}

/**
 * What every tenant-graph configuration gets. Rate limits stay on, so their
 * cost is in every request as in production, with budgets no benchmark can
 * exhaust: the bench is one user sending thousands of operations a second,
 * where a deployment has thousands of users each within budget.
 */
const TENANT_GRAPH_ENV = { RATE_LIMITS: 'true', RATE_LIMIT_BUDGET: '1000000000/60s', RATE_LIMIT_MUTATIONS_PER_VIEWER: '1000000000/60s' };
const tg = (env: Record<string, string>) => ({ ...TENANT_GRAPH_ENV, ...env });

export const SERVERS: ServerConfig[] = [
  { id: 'bare', name: 'bare node:http (ceiling)', kind: 'bare', entry: 'bench/peers/bare.ts', env: {}, default: true },
  { id: 'tg', name: 'tenant-graph (no cache)', kind: 'tenant-graph', entry: 'src/main.ts', env: tg({ ENTITY_CACHE: 'false', RESPONSE_CACHE: 'false' }), default: true },
  { id: 'tg-entity', name: 'tenant-graph (entity cache)', kind: 'tenant-graph', entry: 'src/main.ts', env: tg({ ENTITY_CACHE: 'true', RESPONSE_CACHE: 'false' }), default: true },
  { id: 'tg-response', name: 'tenant-graph (response cache)', kind: 'tenant-graph', entry: 'src/main.ts', env: tg({ ENTITY_CACHE: 'false', RESPONSE_CACHE: 'true' }), default: false },
  { id: 'tg-both', name: 'tenant-graph (both caches)', kind: 'tenant-graph', entry: 'src/main.ts', env: tg({ ENTITY_CACHE: 'true', RESPONSE_CACHE: 'true' }), default: true },
  // The rate limits' cost on a cache hit: the row above without them (`--servers=tg-both,tg-both-nolimits`).
  { id: 'tg-both-nolimits', name: 'tenant-graph (both caches, no rate limits)', kind: 'tenant-graph', entry: 'src/main.ts', env: tg({ ENTITY_CACHE: 'true', RESPONSE_CACHE: 'true', RATE_LIMITS: 'false' }), default: false },
  { id: 'apollo', name: 'Apollo Server 5 + Prisma', kind: 'peer', entry: 'bench/peers/apollo/main.ts', env: { RESPONSE_CACHE: 'false' }, default: true },
  {
    id: 'apollo-rc',
    name: 'Apollo Server 5 + Prisma + response cache',
    kind: 'peer',
    entry: 'bench/peers/apollo/main.ts',
    env: { RESPONSE_CACHE: 'true', CACHE_MAX_AGE: '60' },
    default: true,
    peer: true,
  },
];

/** The Redis key prefix of a server: under bench:, so the bench can delete exactly its own keys. */
export const redisPrefix = (config: ServerConfig) => `bench:${config.id}:`;

/** What every server gets, so they differ only in their own env. */
export function commonEnv(options: { databaseUrl: string; redisUrl: string; port: number; config: ServerConfig }): Record<string, string> {
  return {
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
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
  if (unknown.length > 0) throw new Error(`unknown server(s): ${unknown.join(', ')}; known: ${SERVERS.map((s) => s.id).join(', ')}, all`);
  return SERVERS.filter((s) => ids.includes(s.id));
}
