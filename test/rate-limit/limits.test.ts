import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { makeSignedInUser } from '../helpers/fixtures.ts';
import { aliasedLogIns, codes, send } from './helpers.ts';
import { listKeys } from '../helpers/list-keys.ts';

// The real default limits, except where a test shortens a window to watch it reset.
const DEFAULTS = {
  RATE_LIMIT_BUDGET: '100/60s',
  RATE_LIMIT_AUTH_PER_IP: '10/60s',
  RATE_LIMIT_LOGIN_PER_EMAIL: '5/15m',
  RATE_LIMIT_MUTATIONS_PER_VIEWER: '60/60s',
};

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld({ env: DEFAULTS });
});
afterAll(() => world.close());

describe('@rateLimit on logIn', () => {
  it('of 50 concurrent aliased attempts from one IP across two instances, exactly 10 get through', async () => {
    const other = await world.startInstance();
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        send(i % 2 === 0 ? world.server : other, aliasedLogIns(10, `burst${i}`), { ip: '198.51.100.7' }),
      ),
    );
    const all = answers.flatMap(codes);
    expect(all).toHaveLength(50);
    expect(all.filter((c) => c === 'RATE_LIMITED')).toHaveLength(40);
    // The 10 admitted ones reached the password check.
    expect(all.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(10);
  });

  it('limits one email to 5 attempts per 15 minutes, whatever the IP', async () => {
    const email = `victim-${Date.now()}@nobody.example`;
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await send(world.server, aliasedLogIns(1, 'x', email), { ip: `192.0.2.${i + 10}` }));
    const limited = answers.map(codes).map(([code]) => code);
    expect(limited).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
  });

  it('answers RATE_LIMITED with an integer retryAfter, and serves the rest of the operation', async () => {
    const ip = '198.51.100.99';
    const answer = await send(world.server, aliasedLogIns(11, 'partial'), { ip });
    expect(answer.status).toBe(200);
    const limited = answer.body.errors?.filter((e) => e.extensions?.['code'] === 'RATE_LIMITED') ?? [];
    expect(limited).toHaveLength(1);
    const retryAfter = limited[0]?.extensions?.['retryAfter'];
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(answer.body.errors?.filter((e) => e.extensions?.['code'] === 'UNAUTHENTICATED')).toHaveLength(10);
  });
});

describe('identity', () => {
  it('ignores X-Forwarded-For by default, so a client cannot pick a fresh identity', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await send(world.server, aliasedLogIns(5, `spoof${i}`), {
          ip: '198.51.100.50',
          headers: { 'x-forwarded-for': `10.9.8.${i}` },
        }),
      );
    }
    expect(answers.flatMap(codes).filter((c) => c === 'RATE_LIMITED')).toHaveLength(5);
  });

  it('trusts X-Forwarded-For for the configured proxy hops', async () => {
    const proxied = await world.startInstance({ env: { TRUST_PROXY: '1' } });
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await send(proxied, aliasedLogIns(5, `proxied${i}`), {
          ip: '10.0.0.2',
          headers: { 'x-forwarded-for': `203.0.113.${i + 100}` },
        }),
      );
    }
    expect(answers.flatMap(codes).filter((c) => c === 'RATE_LIMITED')).toHaveLength(0);
  });

  it('counts other mutations per viewer, not per IP', async () => {
    const short = await world.startInstance({ env: { RATE_LIMIT_MUTATIONS_PER_VIEWER: '2/60s' } });
    const a = await makeSignedInUser(world.prisma);
    const b = await makeSignedInUser(world.prisma);
    const rename = (token: string) =>
      send(short, 'mutation { updateProfile(input: { name: "N" }) { id } }', { token, ip: '198.51.100.77' });
    const results = [await rename(a.token), await rename(a.token), await rename(a.token), await rename(b.token)].map(codes);
    expect(results).toEqual([[], [], ['RATE_LIMITED'], []]);
  });
});

describe('windows', () => {
  it('slide: after the window the calls it held are forgotten', async () => {
    // A window no other case uses, so the keys that appear are this test's own.
    const quick = await world.startInstance({ env: { RATE_LIMIT_AUTH_PER_IP: '3/45s' } });
    const redis = quick.redis;
    if (!redis) throw new Error('this file runs on Redis');
    const windows = async () =>
      (await listKeys(redis, `${world.keyPrefix}v1:rl:*:3/45s:*`)).map((k) => k.slice(world.keyPrefix.length));
    expect(await windows()).toEqual([]);
    const attempt = (i: number) => send(quick, aliasedLogIns(1, `slide${i}`), { ip: '198.51.100.200' });
    const first = [];
    for (let i = 0; i < 4; i++) first.push(codes(await attempt(i))[0]);
    expect(first).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'RATE_LIMITED']);
    // Instead of waiting 45 s, every call the window holds is moved one window into the past, as time would.
    const [window, ...others] = await windows();
    expect(others).toEqual([]);
    const calls = await redis.zrange(window as string, 0, -1, 'WITHSCORES');
    expect(calls).toHaveLength(6);
    for (let i = 0; i < calls.length; i += 2)
      await redis.zadd(window as string, 'XX', Number(calls[i + 1]) - 45_000, calls[i] as string);
    expect(codes(await attempt(9))[0]).toBe('UNAUTHENTICATED');
  });
});
