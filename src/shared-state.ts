import { EntityCache } from './cache/entity-cache.ts';
import { ResponseCache } from './cache/response-cache.ts';
import { cacheTtls } from './cache/ttl.ts';
import type { Env } from './env.ts';
import type { Logger } from './logger.ts';
import { RateLimiter } from './rate-limit/limiter.ts';
import { SafeStore } from './store/fail-soft.ts';
import type { Store } from './store/index.ts';

/** Everything one instance keeps in the shared store: both cache tiers and the rate limits. */
export interface SharedState {
  store: SafeStore;
  cache: EntityCache;
  responseCache: ResponseCache | null;
  limiter: RateLimiter;
}

/** Builds an instance's shared state over its store (Redis, or in-process), as configured. */
export function createSharedState(inner: Store, env: Env, logger: Logger): SharedState {
  const ttls = cacheTtls(env);
  // A dropped invalidation can leave stale entries for as long as the longest TTL: that long, reads bypass the store.
  const longestTtlSeconds = Math.max(ttls.entity, ttls.featureFlag, ttls.session, ttls.missing);
  const store = new SafeStore(inner, logger, {
    droppedHoldMs: longestTtlSeconds * 1000,
    settleAfterReconnectMs: env.CACHE_RECONNECT_SETTLE_MS,
  });
  return {
    store,
    cache: new EntityCache(store, ttls, env.ENTITY_CACHE, { requestWaitMs: env.CACHE_REQUEST_WAIT_MS }),
    responseCache: env.RESPONSE_CACHE ? new ResponseCache(store, Math.max(ttls.entity, ttls.featureFlag, ttls.session)) : null,
    // The limiter reads the raw windows: it decides itself what a failure means (closed or in-process).
    limiter: new RateLimiter(inner.windows, logger),
  };
}
