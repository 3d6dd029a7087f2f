import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../bench/tcp-proxy.ts';
import { isDatabaseUnavailable } from '../../src/errors.ts';
import { connectPostgres, poolConfig, type PostgresClients } from '../../src/db/postgres.ts';
import { loadEnv } from '../../src/env.ts';
import { OrganizationPageDocument, SetFeatureFlagDocument, ViewerDocument } from '../generated/graphql.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { makeOwnedOrg } from '../helpers/fixtures.ts';
import { startOpsInstance, type OpsInstance } from './instance.ts';

// Postgres unreachable is an outage, not a bug: SERVICE_UNAVAILABLE with
// retryAfter, and HTTP 503 with Retry-After when nothing of the operation was
// answered (was: INTERNAL_SERVER_ERROR "Unexpected error.", HTTP 200 or 500).

let db: TestDatabase;
let proxy: TcpProxy;
let postgres: PostgresClients;
let server: OpsInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  const url = new URL(db.url);
  proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  url.port = String(proxy.port);
  postgres = connectPostgres({ connectionString: url.toString(), connectionTimeoutMillis: 1_000 });
  server = await startOpsInstance(postgres, { ENTITY_CACHE: 'false', RESPONSE_CACHE: 'false' });
});
afterAll(async () => {
  await server.close();
  await postgres.close();
  await proxy.close();
  await db.drop();
});

describe('Postgres cut', () => {
  it('answers reads and writes SERVICE_UNAVAILABLE, 503 with Retry-After, no stack, and works again once it is back', async () => {
    const { token, org, orgId } = await makeOwnedOrg(db.prisma);
    expect((await server.gql(ViewerDocument, { token })).json.errors).toBeUndefined();
    proxy.cut();
    try {
      for (const sent of [
        server.gql(ViewerDocument, { token }),
        server.gql(OrganizationPageDocument, { token, variables: { slug: org.slug } }),
        server.gql(SetFeatureFlagDocument, {
          token,
          variables: { input: { organizationId: orgId, key: 'beta', enabled: true } },
        }),
      ]) {
        const { response, json } = await sent;
        expect(json.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
        expect(json.errors?.[0]?.extensions).toMatchObject({ retryAfter: 5 });
        expect(JSON.stringify(json)).not.toMatch(/\n\s+at |stack|Connection terminated/);
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('5');
      }
      expect(server.rawLogs.join('')).toContain('database unavailable');
    } finally {
      proxy.restore();
    }
    await expect
      .poll(async () => (await server.gql(ViewerDocument, { token })).json.errors, { timeout: 10_000, interval: 200 })
      .toBeUndefined();
  });
});

describe('Postgres dropping packets (nothing refused, nothing answered)', () => {
  it('answers SERVICE_UNAVAILABLE once the query timeout passes, instead of holding the request, and recovers', async () => {
    const url = new URL(db.url);
    const silent = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.port = String(silent.port);
    // The production pool settings (poolConfig), with a shorter query timeout so the test is quick.
    const env = loadEnv({ DATABASE_URL: url.toString(), DATABASE_QUERY_TIMEOUT_MS: '1500' });
    const clients = connectPostgres(poolConfig(env));
    const lossy = await startOpsInstance(clients, { ENTITY_CACHE: 'false', RESPONSE_CACHE: 'false' });
    try {
      const { token } = await makeOwnedOrg(db.prisma);
      expect((await lossy.gql(ViewerDocument, { token })).json.errors).toBeUndefined();
      silent.blackhole();
      try {
        // One query on the pooled connection (the query timeout), one that needs a new connection (the connect timeout).
        for (const sent of [lossy.gql(ViewerDocument, { token }), lossy.gql(ViewerDocument, { token })]) {
          const { response, json } = await sent;
          expect(json.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
          expect(response.status).toBe(503);
        }
      } finally {
        silent.restore();
      }
      await expect
        .poll(async () => (await lossy.gql(ViewerDocument, { token })).json.errors, { timeout: 10_000, interval: 200 })
        .toBeUndefined();
    } finally {
      await lossy.close();
      await clients.close();
      await silent.close();
    }
    // Without the timeouts the requests above wait for the kernel to give up on TCP, minutes: the test's own timeout fails it.
  }, 20_000);
});

describe('isDatabaseUnavailable', () => {
  const withCode = (code: string) => Object.assign(new Error('x'), { code });
  it.each([
    ['Prisma P1001 (cannot reach)', withCode('P1001')],
    ['Prisma P2024 (pool timeout)', withCode('P2024')],
    ['pg lost connection', new Error('Connection terminated unexpectedly')],
    ['pg connect timeout', new Error('Connection terminated due to connection timeout')],
    ['pg query timeout', new Error('Query read timeout')],
    ['socket refused', withCode('ECONNREFUSED')],
    ['SQLSTATE 08006', withCode('08006')],
    ['server shutting down 57P01', withCode('57P01')],
    ['wrapped in a cause', new Error('outer', { cause: withCode('ECONNRESET') })],
    ['an adapter error kind', Object.assign(new Error('adapter'), { cause: { kind: 'DatabaseNotReachable' } })],
  ])('%s: unavailable', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });
  it.each([
    ['unique violation P2002', withCode('P2002')],
    ['a bug', new TypeError('cannot read properties of undefined')],
    ['a syntax error 42601', withCode('42601')],
    ['not an error', 'Connection terminated'],
  ])('%s: not unavailable', (_label, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
