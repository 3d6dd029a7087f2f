import type { Env } from '../env.ts';
import { EntityCache } from './entity-cache.ts';
import { ResponseCache } from './response-cache.ts';
import type { SafeStore } from './safe-store.ts';
import { cacheTtls } from './ttl.ts';

/** Both cache tiers of one instance over its store, as configured. */
export function createCaches(store: SafeStore, env: Env): { cache: EntityCache; responseCache: ResponseCache | null } {
  const ttls = cacheTtls(env);
  return {
    cache: new EntityCache(store, ttls, env.ENTITY_CACHE),
    responseCache: env.RESPONSE_CACHE ? new ResponseCache(store, Math.max(ttls.entity, ttls.featureFlag, ttls.session)) : null,
  };
}
