import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';
import { type CuttableInstance, startCuttableInstance } from '../helpers/redis-cut.ts';
import type { TcpProxy } from '../../bench/tcp-proxy.ts';
import { aliasedLogIns, codes, send } from './helpers.ts';

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld({
    env: { RATE_LIMIT_BUDGET: '5/60s', RATE_LIMIT_AUTH_PER_IP: '10/60s', RATE_LIMIT_LOGIN_PER_EMAIL: '5/15m' },
  });
});
afterAll(() => world.close());

describe('the per-client operation budget', () => {
  it('puts RateLimit headers on every answer and refuses the operation past the budget with 429 and Retry-After, cache hits included', async () => {
    const { token } = await makeSignedInUser(world.prisma);
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await send(world.server, '{ viewer { id name } }', { token }));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    // The budget counted answers served from the response cache as well.
    expect(answers.slice(1, 5).every((a) => a.headers.get('x-cache') === 'HIT')).toBe(true);
    expect(answers.map((a) => a.headers.get('ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0', '0']);
    for (const a of answers) {
      expect(a.headers.get('ratelimit-limit')).toBe('5');
      expect(Number(a.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    }
    const refused = answers[5];
    expect(refused?.status).toBe(429);
    const retryAfter = Number(refused?.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 60).toBe(true);
    expect(codes(refused ?? answers[0]!)).toEqual(['RATE_LIMITED']);
    expect(refused?.body.errors?.[0]?.extensions?.['retryAfter']).toBe(retryAfter);
  });

  it('is per viewer when signed in, per IP when anonymous, shared by every instance', async () => {
    const other = await world.startInstance();
    const a = await makeSignedInUser(world.prisma);
    const b = await makeSignedInUser(world.prisma);
    for (let i = 0; i < 5; i++)
      await send(i % 2 ? other : world.server, '{ viewer { id } }', { token: a.token, ip: '192.0.2.1' });
    expect((await send(other, '{ viewer { id } }', { token: a.token, ip: '192.0.2.1' })).status).toBe(429);
    expect((await send(other, '{ viewer { id } }', { token: b.token, ip: '192.0.2.1' })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await send(world.server, '{ viewer { id } }', { ip: '192.0.2.44' })).status).toBe(200);
    expect((await send(other, '{ viewer { id } }', { ip: '192.0.2.44' })).status).toBe(429);
    expect((await send(other, '{ viewer { id } }', { ip: '192.0.2.45' })).status).toBe(200);
  });
});

describe('Redis stopped', () => {
  let cutting: CuttableInstance;
  let proxy: TcpProxy;
  beforeAll(async () => {
    cutting = await startCuttableInstance(world);
    proxy = cutting.proxy;
  });
  afterAll(() => cutting.close());

  it('authentication limits fail closed; everything else falls back to an in-process limit of the same size', async () => {
    const cut = cutting.instance;
    const { token } = await makeSignedInUser(world.prisma);
    proxy.cut();
    try {
      const login = await send(cut, aliasedLogIns(1, 'down'), { ip: '192.0.2.99' });
      expect(codes(login)).toEqual(['RATE_LIMITED']);
      expect(login.body.errors?.[0]?.message).toMatch(/unavailable/);
      expect(cut.limiter.stats.failedClosed).toBeGreaterThan(0);
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await send(cut, '{ viewer { id } }', { token, ip: '192.0.2.98' }));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 429]);
      expect(cut.limiter.stats.storeFailures).toBeGreaterThan(5);
    } finally {
      proxy.restore();
    }
  });
});
