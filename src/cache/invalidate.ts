import type { Loaders } from '../loaders/index.ts';
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

/** The store keys that hold a touched thing: the entity and every relation list it appears in. */
export function storeKeysOf(t: Touched): string[] {
  switch (t.type) {
    case 'User':
      return [keys.user(t.id), keys.userMemberships(t.id)];
    case 'Organization':
      return [keys.organization(t.id), keys.organizationBySlug(t.slug), keys.organizationMembers(t.id), keys.organizationFlags(t.id)];
    case 'Membership':
      return [keys.membership(t.id), keys.userMemberships(t.userId), keys.organizationMembers(t.organizationId)];
    case 'FeatureFlag':
      return [keys.featureFlag(t.id), keys.organizationFlags(t.organizationId)];
    case 'Session':
      return [keys.session(t.tokenHash)];
  }
}

/** Forgets what this request's loaders memoised of a touched thing, so the mutation's own answer reads the write. */
function clearRequestLoaders(loaders: Loaders, t: Touched): void {
  switch (t.type) {
    case 'User':
      loaders.userById.clear(t.id);
      loaders.membershipsByUserId.clear(t.id);
      break;
    case 'Organization':
      loaders.organizationById.clear(t.id);
      loaders.organizationBySlug.clear(t.slug);
      loaders.membersByOrganizationId.clear(t.id);
      loaders.flagsByOrganizationId.clear(t.id);
      break;
    case 'Membership':
      loaders.membershipById.clear(t.id);
      loaders.membershipsByUserId.clear(t.userId);
      loaders.membersByOrganizationId.clear(t.organizationId);
      break;
    case 'FeatureFlag':
      loaders.flagById.clear(t.id);
      loaders.flagsByOrganizationId.clear(t.organizationId);
      break;
    case 'Session':
      loaders.sessionByTokenHash.clear(t.tokenHash);
      break;
  }
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
    for (const t of touched) clearRequestLoaders(deps.loaders, t);
    await deps.cache.invalidate([...new Set(touched.flatMap(storeKeysOf))]);
    if (deps.responseCache) {
      const tags = new Map(touched.flatMap(tagsOf).map((tag) => [`${tag.typename}:${tag.id}`, tag]));
      await deps.responseCache.invalidateTags([...tags.values()]);
    }
  };
}
