import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { answerCodes, sendAs } from '../helpers/as-client.ts';
import { makeSignedInUser, unique } from '../helpers/fixtures.ts';

// signUp carries the per-IP authentication limit, and like logIn it fails closed:
// with the limiter's store down, sign-up spam must not get an open door.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld({ env: { RATE_LIMIT_AUTH_PER_IP: '3/60s' } });
});
afterAll(() => world.close());

const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token user { email } } }`;
const signUpVars = (email: string) => ({ input: { email, password: 'long-enough-1', name: 'New' } });

describe('signUp per IP', () => {
  it('admits the configured number of sign-ups from one IP, refuses the next with RATE_LIMITED, and creates no account for it', async () => {
    const ip = '198.51.100.31';
    const emails = Array.from({ length: 4 }, () => `${unique('signup')}@test.example`);
    const answers = [];
    for (const email of emails) answers.push(await sendAs(world.server, SIGN_UP, { ip, variables: signUpVars(email) }));

    expect(answers.map(answerCodes)).toEqual([[], [], [], ['RATE_LIMITED']]);
    expect(answers[3]?.body.data).toEqual({ signUp: null });
    const retryAfter = answers[3]?.body.errors?.[0]?.extensions?.['retryAfter'];
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const created = await world.prisma.user.findMany({ where: { email: { in: emails } }, select: { email: true } });
    expect(created.map((u) => u.email).sort()).toEqual(emails.slice(0, 3).sort());
  });

  it('counts per IP: another client is still admitted', async () => {
    const crowded = '198.51.100.32';
    for (let i = 0; i < 3; i++)
      await sendAs(world.server, SIGN_UP, { ip: crowded, variables: signUpVars(`${unique('c')}@test.example`) });
    expect(
      answerCodes(await sendAs(world.server, SIGN_UP, { ip: crowded, variables: signUpVars(`${unique('c')}@test.example`) })),
    ).toEqual(['RATE_LIMITED']);
    const fresh = await sendAs(world.server, SIGN_UP, {
      ip: '198.51.100.33',
      variables: signUpVars(`${unique('d')}@test.example`),
    });
    expect(answerCodes(fresh)).toEqual([]);
  });
});

describe('signUp with the limiter store down', () => {
  it('fails closed: RATE_LIMITED with an "unavailable" message, and no account is created', async () => {
    const down = await world.startInstance({ redisUrl: 'redis://127.0.0.1:1' });
    const email = `${unique('closed')}@test.example`;
    const answer = await sendAs(down, SIGN_UP, { ip: '198.51.100.34', variables: signUpVars(email) });

    expect(answerCodes(answer)).toEqual(['RATE_LIMITED']);
    expect(answer.body.errors?.[0]?.message).toMatch(/unavailable/);
    expect(answer.body.errors?.[0]?.extensions?.['retryAfter']).toBe(1);
    expect(down.limiter.stats).toMatchObject({ failedClosed: 1 });
    expect(await world.prisma.user.count({ where: { email } })).toBe(0);
  });

  it('while a mutation that fails open still runs on the same instance (the control)', async () => {
    const down = await world.startInstance({ redisUrl: 'redis://127.0.0.1:1' });
    const { token } = await makeSignedInUser(world.prisma);
    const answer = await sendAs(down, 'mutation { updateProfile(input: { name: "Still here" }) { name } }', {
      token,
      ip: '198.51.100.35',
    });
    expect(answerCodes(answer)).toEqual([]);
    expect(answer.body.data).toEqual({ updateProfile: { name: 'Still here' } });
    expect(down.limiter.stats.failedClosed).toBe(0);
    expect(down.limiter.stats.storeFailures).toBeGreaterThan(0);
  });
});
