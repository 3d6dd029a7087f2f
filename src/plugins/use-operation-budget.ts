import type { Plugin } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { ErrorCode, rateLimited } from '../errors.ts';
import type { LimitCheck, RateLimiter } from '../rate-limit/limiter.ts';
import { rateLimitHeaders } from '../rate-limit/headers.ts';
import type { RateLimitConfig } from '../rate-limit/policies.ts';

/** Options of useOperationBudget. */
export interface OperationBudgetOptions {
  limiter: RateLimiter;
  config: RateLimitConfig;
  /** Who is asking: the viewer when the token is valid, else the client's IP. */
  clientOf(request: Request, serverContext: unknown): Promise<{ userId: string } | { ip: string }>;
  /**
   * A verdict already counted for this request by the hot path's script
   * (which then handed the request on): it is used, not counted twice.
   * @default () => undefined
   */
  precounted?(serverContext: unknown): LimitCheck | undefined;
}

/** The whole operation refused: HTTP 429 with Retry-After, and RATE_LIMITED with retryAfter for clients reading the body. */
function overBudget(check: LimitCheck): GraphQLError {
  return rateLimited(check.retrySeconds, { refuseOperation: true });
}

/**
 * The per-client operation budget (100 a minute by default), counted once
 * per request as soon as its parameters are read, before the response cache
 * is consulted, so cache hits count too. The count's round trip runs beside
 * the cache lookup (or parsing) instead of before it; its verdict is awaited
 * before anything executes and before any answer leaves, so an operation over
 * budget never runs and a cached answer over budget is replaced by the 429.
 * Every answer carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset.
 */
export function useOperationBudget(options: OperationBudgetOptions): Plugin {
  const { limiter, config } = options;
  const pending = new WeakMap<Request, Promise<LimitCheck | null>>();
  const verdicts = new WeakMap<Request, LimitCheck>();

  async function verdict(request: Request): Promise<LimitCheck | undefined> {
    const check = await pending.get(request);
    if (check) verdicts.set(request, check);
    return check ?? undefined;
  }

  return {
    onParams({ request, context }) {
      if (!config.enabled || pending.has(request)) return;
      const counted = options.precounted?.(context);
      // When the viewer cannot be resolved (the database is down), the request fails on its own, masked;
      // it is not counted, so that failure surfaces instead of a rejection here.
      const check = counted
        ? Promise.resolve(counted)
        : options
            .clientOf(request, context)
            .then((client) => limiter.budget(config.budget, client))
            .catch((): LimitCheck | null => null);
      pending.set(request, check);
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const request: unknown =
        typeof args.contextValue === 'object' && args.contextValue !== null
          ? Reflect.get(args.contextValue, 'request')
          : undefined;
      if (!(request instanceof Request)) return;
      const check = await verdict(request);
      if (check && !check.allowed) setResultAndStopExecution({ errors: [overBudget(check)] });
    },
    async onResultProcess({ request, result, setResult }) {
      const check = await verdict(request);
      if (check && !check.allowed && !Array.isArray(result)) {
        const refused =
          'errors' in result &&
          result.errors?.some((e) => e.extensions?.['code'] === ErrorCode.RATE_LIMITED && e.extensions['http']);
        if (!refused) setResult({ errors: [overBudget(check)] });
      }
    },
    onResponse({ request, response }) {
      const check = verdicts.get(request);
      if (!check) return;
      for (const [name, value] of rateLimitHeaders(check, config.budget)) response.headers.set(name, value);
    },
  };
}
