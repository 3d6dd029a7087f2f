import type { Loaders } from '../loaders/index.ts';
import type { EntityCache } from './entity-cache.ts';
import type { ResponseCache } from './response-cache.ts';
import { entriesOf, storeKeysOf, tagsOf, type Touched } from './touched.ts';

export type Invalidate = (touched: readonly Touched[]) => Promise<void>;

/**
 * Builds the request's invalidate(): the only way a service announces a write.
 * It clears this request's loaders (so the mutation's answer reads the write),
 * then the shared entity cache's keys and leases, then the response cache's
 * tags (each one round trip), and resolves only when the store answered, so
 * every instance's next request sees the write. Entities go first: a response
 * executing after its tags are invalidated must already read fresh rows.
 */
export function createInvalidator(deps: {
  cache: EntityCache;
  responseCache: ResponseCache | null;
  loaders: Loaders;
}): Invalidate {
  return async (touched) => {
    for (const [kind, key] of touched.flatMap(entriesOf)) deps.loaders.clear(kind, key);
    await deps.cache.invalidate([...new Set(touched.flatMap(storeKeysOf))]);
    if (deps.responseCache) {
      const tags = new Map(touched.flatMap(tagsOf).map((tag) => [`${tag.typename}:${tag.id}`, tag]));
      await deps.responseCache.invalidateTags([...tags.values()]);
    }
  };
}
