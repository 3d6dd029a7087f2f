import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.ts';
import { clientIp } from '../../src/rate-limit/identity.ts';
import { argumentValue } from '../../src/rate-limit/rules.ts';
import { createTestWorld, type TestWorld } from '../helpers/app.ts';
import { answerCodes, sendAs } from '../helpers/as-client.ts';
import { unique } from '../helpers/fixtures.ts';

// Who a limit counts: an argument's value (an email, compared as the service
// compares it) and the client's IP behind a configured number of proxies.

let world: TestWorld;
beforeAll(async () => {
  world = await createTestWorld({ env: { RATE_LIMIT_LOGIN_PER_EMAIL: '2/15m', RATE_LIMIT_AUTH_PER_IP: '1000/60s' } });
});
afterAll(() => world.close());

const logIn = (email: string) =>
  `mutation { logIn(input: { email: ${JSON.stringify(email)}, password: "wrong-password" }) { token } }`;

describe('argumentValue', () => {
  it('trims and lowercases, so spellings of one email are one identity', () => {
    expect(argumentValue({ input: { email: '  Alice@Example.com ' } }, 'arg:input.email')).toBe('alice@example.com');
    expect(argumentValue({ input: { email: 'alice@example.com' } }, 'arg:input.email')).toBe('alice@example.com');
  });

  it('reads numbers as their text', () => {
    expect(argumentValue({ id: 42 }, 'arg:id')).toBe('42');
  });

  it.each([
    ['the field absent', { input: {} }],
    ['its parent absent', {}],
    ['null', { input: { email: null } }],
    ['an object', { input: { email: { nested: 'x' } } }],
  ])('answers BAD_USER_INPUT naming the argument with %s', (_label, args) => {
    let thrown: unknown;
    try {
      argumentValue(args, 'arg:input.email');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect((thrown as AppError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.email' });
  });

  it('through logIn: `Alice@Example.com ` and `alice@example.com` share one per-email limit', async () => {
    const name = unique('Alice');
    const spellings = [`${name}@Example.com `, ` ${name.toLowerCase()}@example.com`, `${name.toUpperCase()}@EXAMPLE.COM`];
    const answers = [];
    // A fresh IP per attempt: only the per-email limit can bind.
    for (const [i, email] of spellings.entries())
      answers.push(await sendAs(world.server, logIn(email), { ip: `192.0.2.${60 + i}` }));
    expect(answers.map(answerCodes)).toEqual([['UNAUTHENTICATED'], ['UNAUTHENTICATED'], ['RATE_LIMITED']]);
  });
});

describe('clientIp', () => {
  const request = (forwarded?: string) =>
    new Request('http://test.local/graphql', { headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } });
  const peer = { req: { socket: { remoteAddress: '10.0.0.3' } } };
  // client 203.0.113.9 → proxy 10.0.0.1 → proxy 10.0.0.2 → us (peer 10.0.0.3 is the last proxy);
  // the client itself prepended a lie.
  const chain = '6.6.6.6, 203.0.113.9, 10.0.0.1';

  it('with TRUST_PROXY=2 takes the entry two hops from the right: what the outer trusted proxy saw', () => {
    expect(clientIp(request(chain), peer, 2)).toBe('203.0.113.9');
  });

  it('with TRUST_PROXY=1 takes the rightmost entry', () => {
    expect(clientIp(request(chain), peer, 1)).toBe('10.0.0.1');
  });

  it('with none trusted ignores the header', () => {
    expect(clientIp(request(chain), peer, 0)).toBe('10.0.0.3');
  });

  it('tolerates spacing and empty entries, and falls back to the leftmost entry, then the peer, when there are fewer hops', () => {
    expect(clientIp(request(' 6.6.6.6 ,, 203.0.113.9 ,10.0.0.1 '), peer, 2)).toBe('203.0.113.9');
    expect(clientIp(request('203.0.113.9'), peer, 2)).toBe('203.0.113.9');
    expect(clientIp(request(), peer, 2)).toBe('10.0.0.3');
  });

  it('through the app with TRUST_PROXY=2: one client behind two proxies is one identity, whatever it prepends', async () => {
    const proxied = await world.startInstance({ env: { TRUST_PROXY: '2', RATE_LIMIT_AUTH_PER_IP: '2/60s' } });
    const attempt = (forwarded: string, proxyPeer: string) =>
      sendAs(proxied, logIn(`${unique('nobody')}@nobody.example`), { ip: proxyPeer, headers: { 'x-forwarded-for': forwarded } });
    const same = [
      await attempt('1.1.1.1, 203.0.113.50, 10.0.0.1', '10.0.0.2'),
      await attempt('2.2.2.2, 203.0.113.50, 10.0.0.7', '10.0.0.8'),
      await attempt('203.0.113.50, 10.0.0.1', '10.0.0.2'),
    ];
    expect(same.map(answerCodes)).toEqual([['UNAUTHENTICATED'], ['UNAUTHENTICATED'], ['RATE_LIMITED']]);
    // Another client through the same proxies is counted apart.
    expect(answerCodes(await attempt('203.0.113.51, 10.0.0.1', '10.0.0.2'))).toEqual(['UNAUTHENTICATED']);
  });
});
