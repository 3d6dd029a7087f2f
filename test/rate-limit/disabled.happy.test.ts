import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { answerCodes, sendAs } from '../helpers/as-client.ts';
import { makeSignedInUser, unique } from '../helpers/fixtures.ts';

// RATE_LIMITS=false turns every limit off: the field limits and the operation
// budget, however small they are configured. The same limits, on, are the control.

const TINY = {
  RATE_LIMIT_BUDGET: '1/60s',
  RATE_LIMIT_AUTH_PER_IP: '1/60s',
  RATE_LIMIT_LOGIN_PER_EMAIL: '1/15m',
  RATE_LIMIT_MUTATIONS_PER_VIEWER: '1/60s',
};

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld({ env: { ...TINY, RATE_LIMITS: 'false' } });
});
afterAll(() => world.close());

const logIn = (email: string) => `mutation { logIn(input: { email: "${email}", password: "wrong-password" }) { token } }`;
const rename = 'mutation { updateProfile(input: { name: "Renamed" }) { name } }';

describe('RATE_LIMITS=false', () => {
  it('counts nothing and refuses nothing: logIn, other mutations and the budget', async () => {
    const email = `${unique('off')}@nobody.example`;
    const { token } = await makeSignedInUser(world.prisma);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await sendAs(world.server, logIn(email), { ip: '198.51.100.41' }));
    for (let i = 0; i < 3; i++) answers.push(await sendAs(world.server, rename, { token, ip: '198.51.100.41' }));
    for (let i = 0; i < 3; i++) answers.push(await sendAs(world.server, '{ viewer { name } }', { token, ip: '198.51.100.41' }));

    expect(answers.map(answerCodes)).toEqual([...Array(3).fill(['UNAUTHENTICATED']), ...Array(6).fill([])]);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.some((a) => a.headers.has('ratelimit-limit'))).toBe(false);
    expect(world.server.limiter.stats.checks).toBe(0);
  });

  it('with the same limits on, the same requests are refused (the control)', async () => {
    const on = await world.startInstance({ env: { RATE_LIMITS: 'true' } });
    const email = `${unique('on')}@nobody.example`;
    const { token } = await makeSignedInUser(world.prisma);
    const logIns = [
      await sendAs(on, logIn(email), { ip: '198.51.100.42' }),
      await sendAs(on, logIn(email), { ip: '198.51.100.43' }),
    ];
    expect(logIns.map(answerCodes)).toEqual([['UNAUTHENTICATED'], ['RATE_LIMITED']]);
    const first = await sendAs(on, '{ viewer { name } }', { token, ip: '198.51.100.44' });
    expect(first.headers.get('ratelimit-limit')).toBe('1');
    const second = await sendAs(on, '{ viewer { name } }', { token, ip: '198.51.100.44' });
    expect(second.status).toBe(429);
    expect(on.limiter.stats.checks).toBeGreaterThan(0);
  });
});
