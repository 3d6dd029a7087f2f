import type { Plugin } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { ErrorCode, rateLimited } from '../errors.ts';
import type { LimitCheck, RateLimiter } from '../rate-limit/limiter.ts';
import type { RateLimitConfig } from '../rate-limit/policies.ts';

/** Options of useOperationBudget. */
export interface OperationBudgetOptions {
  limiter: RateLimiter;
  config: RateLimitConfig;
  /** Who is asking: `user:<id>` when the token is valid, else `ip:<address>`. */
  identityOf(request: Request, serverContext: unknown): Promise<string>;
}

/** The whole operation refused: HTTP 429 with Retry-After, and RATE_LIMITED with retryAfter for clients reading the body. */
function overBudget(check: LimitCheck): GraphQLError {
  return rateLimited(check.resetSeconds, { refuseOperation: true });
}

/**
 * The per-client operation budget (100 a minute by default), counted for each
 * operation of a request (so HTTP batches count each) as soon as its
 * parameters are read, before the response cache is consulted, so cache hits
 * count too. The count's round trip runs beside the cache lookup (or parsing)
 * instead of before it; its verdict is awaited before anything executes and
 * before any answer leaves, so an operation over budget never runs and a
 * cached answer over budget is replaced by the 429. Every answer carries
 * RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset.
 */
export function useOperationBudget(options: OperationBudgetOptions): Plugin {
  const { limiter, config } = options;
  const pending = new WeakMap<Request, Promise<LimitCheck | null>[]>();
  const verdicts = new WeakMap<Request, LimitCheck>();

  /** The request's most restrictive check, once all of its operations were counted. */
  async function verdict(request: Request): Promise<LimitCheck | undefined> {
    const checks = (await Promise.all(pending.get(request) ?? [])).filter((c): c is LimitCheck => c !== null);
    const worst = checks.reduce<LimitCheck | undefined>(
      (a, b) => (!a || !b.allowed || (a.allowed && b.remaining < a.remaining) ? b : a),
      undefined,
    );
    if (worst) verdicts.set(request, worst);
    return worst;
  }

  return {
    onParams({ request, context }) {
      if (!config.enabled) return;
      // When the viewer cannot be resolved (the database is down), the request fails on its own, masked;
      // it is not counted, so that failure surfaces instead of a rejection here.
      const check = options
        .identityOf(request, context)
        .then((identity) => limiter.hit('budget', config.budget, identity, false))
        .catch((): LimitCheck | null => null);
      const list = pending.get(request) ?? [];
      list.push(check);
      pending.set(request, list);
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const request: unknown = typeof args.contextValue === 'object' && args.contextValue !== null ? Reflect.get(args.contextValue, 'request') : undefined;
      if (!(request instanceof Request)) return;
      const check = await verdict(request);
      if (check && !check.allowed) setResultAndStopExecution({ errors: [overBudget(check)] });
    },
    async onResultProcess({ request, result, setResult }) {
      const check = await verdict(request);
      if (check && !check.allowed && !Array.isArray(result)) {
        const refused = 'errors' in result && result.errors?.some((e) => e.extensions?.['code'] === ErrorCode.RATE_LIMITED && e.extensions['http']);
        if (!refused) setResult({ errors: [overBudget(check)] });
      }
    },
    onResponse({ request, response }) {
      const check = verdicts.get(request);
      if (!check) return;
      response.headers.set('RateLimit-Limit', String(check.limit));
      response.headers.set('RateLimit-Remaining', String(check.remaining));
      response.headers.set('RateLimit-Reset', String(check.resetSeconds));
    },
  };
}
