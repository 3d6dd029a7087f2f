import type { Loaders } from '../loaders/index.ts';
import type { KindName } from '../loaders/kinds.ts';
import type { EntityCache } from './entity-cache.ts';
import type { ResponseCache } from './response-cache.ts';
import { tagsOf } from './tags.ts';
import { keys } from './keys.ts';

/**
 * What a write touched, with the parent ids its relation lists hang on, so the
 * invalidation can clear both the entity and every list that holds it.
 */
export type Touched =
  | { type: 'User'; id: string }
  | { type: 'Organization'; id: string; slug: string }
  | { type: 'Membership'; id: string; userId: string; organizationId: string }
  | { type: 'FeatureFlag'; id: string; organizationId: string }
  | { type: 'Session'; tokenHash: string };

export type Invalidate = (touched: readonly Touched[]) => Promise<void>;

/** The (kind, key) pairs that hold a touched thing: the entity and every relation list it appears in. */
function entriesOf(t: Touched): [KindName, string][] {
  switch (t.type) {
    case 'User':
      return [['user', t.id], ['userMemberships', t.id]];
    case 'Organization':
      return [['organization', t.id], ['organizationBySlug', t.slug], ['organizationMembers', t.id], ['organizationFlags', t.id]];
    case 'Membership':
      return [['membership', t.id], ['userMemberships', t.userId], ['organizationMembers', t.organizationId]];
    case 'FeatureFlag':
      return [['featureFlag', t.id], ['organizationFlags', t.organizationId]];
    case 'Session':
      return [['session', t.tokenHash]];
  }
}

/** The store keys that hold a touched thing. */
export function storeKeysOf(t: Touched): string[] {
  return entriesOf(t).map(([kind, key]) => keys[kind](key));
}

/**
 * Builds the request's invalidate(): the only way a service announces a write.
 * It clears this request's loaders (so the mutation's answer reads the write),
 * then the shared entity cache's keys and leases, then the response cache's
 * tags (each one round trip), and resolves only when the store answered, so
 * every instance's next request sees the write. Entities go first: a response
 * executing after its tags are invalidated must already read fresh rows.
 */
export function createInvalidator(deps: { cache: EntityCache; responseCache: ResponseCache | null; loaders: Loaders }): Invalidate {
  return async (touched) => {
    for (const [kind, key] of touched.flatMap(entriesOf)) deps.loaders.clear(kind, key);
    await deps.cache.invalidate([...new Set(touched.flatMap(storeKeysOf))]);
    if (deps.responseCache) {
      const tags = new Map(touched.flatMap(tagsOf).map((tag) => [`${tag.typename}:${tag.id}`, tag]));
      await deps.responseCache.invalidateTags([...tags.values()]);
    }
  };
}
