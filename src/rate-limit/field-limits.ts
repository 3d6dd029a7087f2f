import { rateLimited } from '../errors.ts';
import type { FieldLimits } from './directive.ts';
import type { LimitCheck, RateLimiter } from './limiter.ts';
import { FAIL_CLOSED_FIELDS, type RateLimitConfig } from './policies.ts';
import type { RateLimitKey } from './notation.ts';
import { argumentValue } from './rules.ts';

/** RATE_LIMITED for one field; the rest of the operation is still answered. */
function refused(check: LimitCheck) {
  return check.unavailable
    ? rateLimited(check.retrySeconds, { message: 'Rate limiting is unavailable, so this is refused for now; retry shortly' })
    : rateLimited(check.retrySeconds);
}

/** The identity string a limit counts under, from its `by` keys. */
function identityOf(
  by: readonly RateLimitKey[],
  who: { viewerId: string | null; ip: string },
  args: Record<string, unknown>,
): string {
  return by
    .map((key) => {
      if (key === 'viewer') return who.viewerId ? `user:${who.viewerId}` : `ip:${who.ip}`;
      if (key === 'ip') return `ip:${who.ip}`;
      return `${key}=${argumentValue(args, key)}`;
    })
    .join('|');
}

/** The request's field limiter: counts each call of a @rateLimit field for the identity its rule names. */
export function createFieldLimits(deps: {
  limiter: RateLimiter;
  config: RateLimitConfig;
  viewerId: () => string | null;
  ip: string;
}): FieldLimits {
  let checked = 0;
  return {
    get checked() {
      return checked;
    },
    async check(coordinate, rules, args) {
      checked += 1;
      if (!deps.config.enabled) return;
      for (const rule of rules) {
        const numbers = rule.policy ? deps.config.policies[rule.policy] : rule;
        const identity = identityOf(rule.by, { viewerId: deps.viewerId(), ip: deps.ip }, args);
        const check = await deps.limiter.hit(
          coordinate,
          numbers,
          identity,
          FAIL_CLOSED_FIELDS.has(coordinate),
          rule.policy ?? undefined,
        );
        if (!check.allowed) throw refused(check);
      }
    },
  };
}
