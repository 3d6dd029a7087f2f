import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, type PostgresClients } from '../../src/db/postgres.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';
import { startTcpProxy, type TcpProxy } from '../../bench/tcp-proxy.ts';
import { startOpsInstance, type OpsInstance } from './instance.ts';

let db: TestDatabase;
let proxy: TcpProxy;
let postgres: PostgresClients;
let server: OpsInstance;
beforeAll(async () => {
  db = await createTestDatabase();
  const url = new URL(db.url);
  proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
  url.port = String(proxy.port);
  // Postgres only through the proxy, so the test can cut this instance's database and nothing else.
  postgres = connectPostgres({ connectionString: url.toString(), connectionTimeoutMillis: 1_000 });
  server = await startOpsInstance(postgres);
});
afterAll(async () => {
  await server.close();
  await postgres.close();
  await proxy.close();
  await db.drop();
});

const ready = async () => {
  const response = await fetch(`${server.origin}/ready`);
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as unknown };
};

describe('/ready', () => {
  it('names each dependency and its state: 200 when both answer, 503 while Postgres is cut, 200 again once it is back', async () => {
    const up = { state: 'up', ms: expect.any(Number) };
    const down = { state: 'down', ms: expect.any(Number) };
    expect(await ready()).toEqual({
      status: 200,
      type: 'application/json',
      body: { status: 'ready', dependencies: { postgres: up, redis: up } },
    });

    proxy.cut();
    const started = Date.now();
    expect(await ready()).toEqual({
      status: 503,
      type: 'application/json',
      body: { status: 'unavailable', dependencies: { postgres: down, redis: up } },
    });
    expect(Date.now() - started).toBeLessThan(3_000);

    proxy.restore();
    await expect.poll(async () => (await ready()).status, { timeout: 10_000, interval: 200 }).toBe(200);
  });

  it('answers 503 within its timeout when Postgres hangs instead of refusing', async () => {
    // Every reply held for 5 s: the check must give up at its own bound, not wait for the database.
    try {
      // On the pool's open connection, so the query itself hangs (the connect timeout would not be what answers).
      await postgres.prisma.$queryRaw`SELECT 1`;
      proxy.delay(5_000);
      const started = Date.now();
      const answer = await ready();
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ dependencies: { postgres: { state: 'down' }, redis: { state: 'up' } } });
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      proxy.restore();
    }
  });
});
