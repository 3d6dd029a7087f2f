import type { Env } from '../env.ts';
import { parseLimit, type LimitSetting, type RateLimitKey } from './notation.ts';

/** A limit as the schema states it: the directive's arguments. */
// A type, not an interface: Pothos's Directives generic wants an index-signature-compatible shape.
export type RateLimitArgs = {
  limit: number;
  window: string;
  by: RateLimitKey[];
};

/**
 * The default limits, as the schema's @rateLimit directives state them.
 * Configuration replaces a policy's numbers at run time; schema.graphql keeps
 * showing the defaults.
 */
export const POLICIES = {
  /** logIn and signUp per client IP: slows credential stuffing and sign-up spam from one host. */
  authPerIp: { limit: 10, window: '60s', by: ['ip'] },
  /** logIn per email: slows guessing one account's password from many hosts. */
  loginPerEmail: { limit: 5, window: '15m', by: ['arg:input.email'] },
  /** Every other mutation per viewer. */
  mutationPerViewer: { limit: 60, window: '60s', by: ['viewer'] },
} as const satisfies Record<string, RateLimitArgs>;

export type PolicyName = keyof typeof POLICIES;
const POLICY_NAMES: readonly PolicyName[] = ['authPerIp', 'loginPerEmail', 'mutationPerViewer'];

/** Fields whose limits fail closed when Redis is down: an open door there is a brute-force window. */
export const FAIL_CLOSED_FIELDS: ReadonlySet<string> = new Set(['Mutation.logIn', 'Mutation.signUp']);

/** The configured limits: each policy's numbers from env, and the per-client operation budget. */
export interface RateLimitConfig {
  enabled: boolean;
  budget: LimitSetting;
  policies: Record<PolicyName, LimitSetting>;
  /** Proxy hops whose X-Forwarded-For entries are trusted; 0 trusts none, so clients cannot choose their IP. */
  trustProxy: number;
}

/** The limits configuration sets, parsed once per app so no request parses a setting. */
export function rateLimitConfig(
  env: Pick<
    Env,
    | 'RATE_LIMITS'
    | 'RATE_LIMIT_BUDGET'
    | 'RATE_LIMIT_AUTH_PER_IP'
    | 'RATE_LIMIT_LOGIN_PER_EMAIL'
    | 'RATE_LIMIT_MUTATIONS_PER_VIEWER'
    | 'TRUST_PROXY'
  >,
): RateLimitConfig {
  return {
    enabled: env.RATE_LIMITS,
    budget: parseLimit(env.RATE_LIMIT_BUDGET),
    policies: {
      authPerIp: parseLimit(env.RATE_LIMIT_AUTH_PER_IP),
      loginPerEmail: parseLimit(env.RATE_LIMIT_LOGIN_PER_EMAIL),
      mutationPerViewer: parseLimit(env.RATE_LIMIT_MUTATIONS_PER_VIEWER),
    },
    trustProxy: env.TRUST_PROXY,
  };
}

/** The policy a directive's arguments state, so its configured numbers apply; null for a one-off limit. */
export function policyOf(args: RateLimitArgs): PolicyName | null {
  for (const name of POLICY_NAMES) {
    const policy: RateLimitArgs = POLICIES[name];
    if (policy.limit === args.limit && policy.window === args.window && policy.by.join() === args.by.join()) return name;
  }
  return null;
}
