import type { Loaders } from '../loaders/index.ts';
import { keys } from './keys.ts';
import type { SafeStore } from './safe-store.ts';

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

/**
 * Builds the request's invalidate(): the only way a service announces a write.
 * It clears this request's loaders (so the mutation's own answer reads the
 * write) and the shared store's keys (so every instance's next request does),
 * and resolves only when the store has answered.
 */
export function createInvalidator(deps: { store: SafeStore; loaders: Loaders }): Invalidate {
  const { loaders, store } = deps;
  return async (touched) => {
    const storeKeys: string[] = [];
    for (const t of touched) {
      switch (t.type) {
        case 'User':
          loaders.userById.clear(t.id);
          loaders.membershipsByUserId.clear(t.id);
          break;
        case 'Organization':
          loaders.organizationById.clear(t.id);
          loaders.organizationBySlug.clear(t.slug);
          loaders.memberCountByOrganizationId.clear(t.id);
          loaders.flagsByOrganizationId.clear(t.id);
          loaders.memberPage.clearAll();
          break;
        case 'Membership':
          loaders.membershipById.clear(t.id);
          loaders.membershipsByUserId.clear(t.userId);
          loaders.memberCountByOrganizationId.clear(t.organizationId);
          loaders.memberPage.clearAll();
          break;
        case 'FeatureFlag':
          loaders.flagById.clear(t.id);
          loaders.flagsByOrganizationId.clear(t.organizationId);
          break;
        case 'Session':
          loaders.sessionByTokenHash.clear(t.tokenHash);
          storeKeys.push(keys.session(t.tokenHash));
          break;
      }
    }
    await store.del(storeKeys);
  };
}
