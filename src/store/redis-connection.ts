import type { Redis, RedisOptions } from 'ioredis';
import { RECONNECT_BACKOFF_CAP_MS } from './reconnect.ts';
import { RespConnection, type RespConnectionOptions } from './resp-connection.ts';

/** How the app's own connections reach Redis: as the ioredis client's do (its options, parsed from REDIS_URL). */
export function connectionOptionsOf(options: RedisOptions): Omit<RespConnectionOptions, 'host' | 'port'> {
  return {
    username: options.username,
    password: options.password,
    db: options.db,
    tls: options.tls,
    timeoutMs: options.commandTimeout ?? 500,
    backoffCapMs: RECONNECT_BACKOFF_CAP_MS,
  };
}

/**
 * The request path's connection to one Redis, beside the ioredis client and
 * to the same server: the hot lookup, the entity cache's leases and the rate
 * limiter's counts go on it (resp-connection.ts says why), so one turn's
 * commands of all three leave in one write.
 */
export function redisConnection(client: Redis): RespConnection {
  const connection = new RespConnection({
    host: client.options.host ?? '127.0.0.1',
    port: client.options.port ?? 6379,
    ...connectionOptionsOf(client.options),
  });
  // Back together: the fail-soft layer trusts Redis again by the client's events (fail-soft.ts), and
  // both back off alike, but this one need not wait out its own backoff once the client answers.
  client.on('ready', () => connection.reconnectNow());
  return connection;
}
