import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from '../../src/env.ts';
import { runMain, SPAWN_TEST_TIMEOUT_MS } from '../helpers/run-main.ts';

// Rate limits are configuration: a value that is not a limit stops the server at
// start (ConfigError, one line naming the variable) instead of being half-read.

const LIMIT_VARIABLES = [
  'RATE_LIMIT_BUDGET',
  'RATE_LIMIT_AUTH_PER_IP',
  'RATE_LIMIT_LOGIN_PER_EMAIL',
  'RATE_LIMIT_MUTATIONS_PER_VIEWER',
] as const;

const NOT_LIMITS = [
  'abc',
  '100',
  '100/',
  '/60s',
  '0/60s',
  '-1/60s',
  '1.5/60s',
  '100/0s',
  '100/60',
  '100/60x',
  '100/60s/extra',
  ' 100/60s',
  '1e2/60s',
  '0x10/60s',
];

function refusal(source: Record<string, string>): ConfigError {
  try {
    loadEnv(source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(source)}`);
}

describe('RATE_LIMIT_* values', () => {
  for (const name of LIMIT_VARIABLES) {
    it.each(NOT_LIMITS)(`${name}=%j is refused with a ConfigError naming it`, (value) => {
      expect(refusal({ [name]: value }).message).toMatch(new RegExp(`^Invalid configuration: ${name} rate limit`));
    });
  }

  it('a budget of 0 operations is refused, as every other limit of 0', () => {
    for (const name of LIMIT_VARIABLES) expect(refusal({ [name]: '0/60s' }).message).toContain(name);
  });

  it('names every bad variable at once', () => {
    const message = refusal({ RATE_LIMIT_BUDGET: '0/60s', RATE_LIMIT_AUTH_PER_IP: 'ten' }).message;
    expect(message).toContain('RATE_LIMIT_BUDGET');
    expect(message).toContain('RATE_LIMIT_AUTH_PER_IP');
  });

  it.each(['1/1ms', '100/60s', '5/15m', '1000000/1h'])('accepts %j', (value) => {
    for (const name of LIMIT_VARIABLES) expect(loadEnv({ [name]: value })[name]).toBe(value);
  });

  it.each(['maybe', '2'])('RATE_LIMITS=%j is refused (only true/false and their spellings)', (value) => {
    expect(refusal({ RATE_LIMITS: value }).message).toMatch(/RATE_LIMITS/);
  });

  it.each(['-1', '1.5', 'two'])('TRUST_PROXY=%j is refused: hops are a whole number', (value) => {
    expect(refusal({ TRUST_PROXY: value }).message).toMatch(/TRUST_PROXY/);
  });
});

describe('at start', () => {
  it(
    'the process entry exits 1 with the one line, no stack trace',
    async () => {
      const run = await runMain({ NODE_ENV: 'production', LOG_LEVEL: 'error', RATE_LIMIT_BUDGET: '0/60s', REDIS_URL: '' });
      expect(run.timedOut).toBe(false);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toMatch(/^Invalid configuration: RATE_LIMIT_BUDGET rate limit "0\/60s" is not like "100\/60s"$/);
      expect(run.stdout).toBe('');
    },
    SPAWN_TEST_TIMEOUT_MS,
  );
});
