import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../src/env.ts';

describe('configuration', () => {
  it('has defaults that work on a laptop', () => {
    const env = loadEnv({});
    expect(env).toMatchObject({
      DATABASE_URL: '',
      REDIS_URL: '',
      PORT: 4000,
      NODE_ENV: 'development',
      GRAPHIQL: true,
      SESSION_TTL_DAYS: 30,
    });
  });

  it('reads and types what is set', () => {
    const env = loadEnv({
      PORT: '8080',
      GRAPHIQL: 'false',
      DATABASE_URL: 'postgresql://u@h:5432/db',
      REDIS_URL: 'redis://h:6379',
    });
    expect(env.PORT).toBe(8080);
    expect(env.GRAPHIQL).toBe(false);
    expect(env.DATABASE_URL).toBe('postgresql://u@h:5432/db');
  });

  it('serves the SPA from web/dist unless WEB_DIR says elsewhere, or empty, none', () => {
    expect(loadEnv({}).WEB_DIR).toBe('web/dist');
    expect(loadEnv({ WEB_DIR: '/srv/spa' }).WEB_DIR).toBe('/srv/spa');
    expect(loadEnv({ WEB_DIR: '' }).WEB_DIR).toBe('');
  });

  it('accepts persisted documents beside whole ones unless told otherwise', () => {
    expect(loadEnv({}).PERSISTED_DOCUMENTS).toBe('allow');
    for (const mode of ['off', 'allow', 'require'] as const)
      expect(loadEnv({ PERSISTED_DOCUMENTS: mode }).PERSISTED_DOCUMENTS).toBe(mode);
    expect(() => loadEnv({ PERSISTED_DOCUMENTS: 'only' })).toThrow(/PERSISTED_DOCUMENTS/);
    expect(loadEnv({}).CACHE_TTL_APQ_SECONDS).toBe(86_400);
    expect(() => loadEnv({ CACHE_TTL_APQ_SECONDS: '0' })).toThrow(/CACHE_TTL_APQ_SECONDS must be positive/);
  });

  it('bounds PostgreSQL connects and queries, so a silent database fails requests instead of holding them', () => {
    expect(loadEnv({}).DATABASE_CONNECT_TIMEOUT_MS).toBe(2_000);
    expect(loadEnv({}).DATABASE_QUERY_TIMEOUT_MS).toBe(10_000);
    for (const name of ['DATABASE_CONNECT_TIMEOUT_MS', 'DATABASE_QUERY_TIMEOUT_MS'])
      expect(() => loadEnv({ [name]: '0' })).toThrow(new RegExp(`${name} must be a positive whole number`));
  });

  it('caps how long a request waits on Redis at the command timeout unless told otherwise', () => {
    expect(loadEnv({}).CACHE_REQUEST_WAIT_MS).toBe(500);
    expect(loadEnv({ CACHE_REQUEST_WAIT_MS: '0' }).CACHE_REQUEST_WAIT_MS).toBe(0);
    expect(() => loadEnv({ CACHE_REQUEST_WAIT_MS: '-1' })).toThrow(/CACHE_REQUEST_WAIT_MS must be 0 or more/);
  });

  it('reads Redis Cluster seed nodes, refusing what is not host:port and a prefix that would pin every key to one slot', () => {
    expect(loadEnv({}).REDIS_CLUSTER_NODES).toEqual([]);
    expect(loadEnv({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' }).REDIS_CLUSTER_NODES).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b', port: 7001 },
    ]);
    for (const bad of ['10.0.0.1', ':7000', 'h:0', 'h:65536', 'h:70x', 'h:7000,'])
      expect(() => loadEnv({ REDIS_CLUSTER_NODES: bad }), bad).toThrow(/REDIS_CLUSTER_NODES must be host:port pairs/);
    expect(() => loadEnv({ REDIS_CLUSTER_NODES: 'h:7000', REDIS_KEY_PREFIX: 'tg{1}:' })).toThrow(
      /REDIS_KEY_PREFIX must not hold \{ or \}/,
    );
    expect(loadEnv({ REDIS_KEY_PREFIX: 'tg{1}:' }).REDIS_KEY_PREFIX).toBe('tg{1}:');
  });

  it('names every invalid variable in one clear error', () => {
    const attempt = () => loadEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/DATABASE_URL must be a postgres/);
    expect(attempt).toThrow(/LOG_LEVEL/);
  });

  it("bounds how long a client may take to send a request: seconds, not Node's minutes", () => {
    expect(loadEnv({})).toMatchObject({ HTTP_HEADERS_TIMEOUT_MS: 10_000, HTTP_REQUEST_TIMEOUT_MS: 30_000 });
    expect(loadEnv({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '2000' })).toMatchObject({
      HTTP_HEADERS_TIMEOUT_MS: 2_000,
      HTTP_REQUEST_TIMEOUT_MS: 2_000,
    });
    // Node refuses headers that may take longer than the whole request; 0 would turn a limit off.
    expect(() => loadEnv({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toThrow(
      /^Invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS$/,
    );
    for (const [name, value] of [
      ['HTTP_REQUEST_TIMEOUT_MS', '0'],
      ['HTTP_HEADERS_TIMEOUT_MS', '-1'],
      ['HTTP_HEADERS_TIMEOUT_MS', '1.5'],
    ] as const) {
      expect(() => loadEnv({ [name]: value }), `${name}=${value}`).toThrow(`${name} must be a positive whole number`);
    }
  });

  it('turns introspection off in production unless set, and GraphiQL, which needs it, follows unless set', () => {
    const pick = (source: Record<string, string>) => {
      const { INTROSPECTION, GRAPHIQL } = loadEnv(source);
      return { INTROSPECTION, GRAPHIQL };
    };
    expect(pick({})).toEqual({ INTROSPECTION: true, GRAPHIQL: true });
    expect(pick({ NODE_ENV: 'test' })).toEqual({ INTROSPECTION: true, GRAPHIQL: true });
    expect(pick({ NODE_ENV: 'production' })).toEqual({ INTROSPECTION: false, GRAPHIQL: false });
    expect(pick({ NODE_ENV: 'production', INTROSPECTION: 'true' })).toEqual({ INTROSPECTION: true, GRAPHIQL: true });
    expect(pick({ NODE_ENV: 'production', GRAPHIQL: 'true' })).toEqual({ INTROSPECTION: false, GRAPHIQL: true });
    expect(pick({ INTROSPECTION: 'false' })).toEqual({ INTROSPECTION: false, GRAPHIQL: false });
    expect(pick({ INTROSPECTION: 'true', GRAPHIQL: 'false' })).toEqual({ INTROSPECTION: true, GRAPHIQL: false });
    expect(() => loadEnv({ INTROSPECTION: 'sometimes' })).toThrow(/INTROSPECTION/);
  });
});
