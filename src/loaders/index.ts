import DataLoader from 'dataloader';
import type { CachedKind, EntityCache } from '../cache/entity-cache.ts';
import type { RequestWait } from '../cache/request-wait.ts';
import type { Membership } from '../generated/prisma/client.ts';
import type { KindName, Kinds, PublicUser } from './kinds.ts';

export type { PublicUser } from './kinds.ts';

/** Most members one page may hold; the connection refuses larger `first`. */
export const MAX_PAGE_SIZE = 100;
/** Upper bound of one batch: keeps `IN (...)` lists and Lua argument counts reasonable. */
const MAX_BATCH = 500;

/** A per-request DataLoader over one cached kind: a batch is one store round trip, and one query for its misses. */
function cachedLoader<V>(cache: EntityCache, kind: CachedKind<string, V>, wait: RequestWait): DataLoader<string, V | null> {
  return new DataLoader<string, V | null>((keys) => cache.loadMany(kind, keys, wait), { maxBatchSize: MAX_BATCH });
}

/** Like cachedLoader, for relation lists: a parent with no children has [], never null. */
function listLoader<V>(cache: EntityCache, kind: CachedKind<string, V[]>, wait: RequestWait): DataLoader<string, V[]> {
  return new DataLoader<string, V[]>(async (keys) => (await cache.loadMany(kind, keys, wait)).map((list) => list ?? []), {
    maxBatchSize: MAX_BATCH,
  });
}

/**
 * The per-request loaders: every read of an entity or relation goes through
 * one, so a request issues at most one store round trip and one query per kind
 * per level. Built for each request and never shared, so one request's
 * memoised rows never outlive it; what is shared lives in the EntityCache.
 */
export function createLoaders(cache: EntityCache, kinds: Kinds) {
  const wait = cache.requestWait();
  // One loader per kind, named as the kinds (and the store keys) are, so invalidation can address both alike.
  const byKind = {
    user: cachedLoader(cache, kinds.user, wait),
    organization: cachedLoader(cache, kinds.organization, wait),
    organizationBySlug: cachedLoader(cache, kinds.organizationBySlug, wait),
    membership: cachedLoader(cache, kinds.membership, wait),
    featureFlag: cachedLoader(cache, kinds.featureFlag, wait),
    session: cachedLoader(cache, kinds.session, wait),
    userMemberships: listLoader(cache, kinds.userMemberships, wait),
    organizationMembers: listLoader(cache, kinds.organizationMembers, wait),
    organizationFlags: listLoader(cache, kinds.organizationFlags, wait),
  } satisfies Record<KindName, unknown>;
  const organizationMembers = byKind.organizationMembers;
  const loadedUsers = new Map<string, PublicUser | null>();
  return {
    userById: byKind.user,
    organizationById: byKind.organization,
    organizationBySlug: byKind.organizationBySlug,
    membershipById: byKind.membership,
    flagById: byKind.featureFlag,
    /** Sessions by reference (`<userId>.<token hash>`, auth/tokens.ts). */
    sessionByRef: byKind.session,
    /** A user's memberships, oldest first. */
    membershipsByUserId: byKind.userMemberships,
    /** An organization's members in join order; pages and the count are cut from this one list. */
    membersByOrganizationId: organizationMembers,
    /** An organization's flags by key. */
    flagsByOrganizationId: byKind.organizationFlags,
    /**
     * Loads users a list is about to show, in one batch, so each item's user
     * field can answer without a promise of its own (loadedUser).
     */
    async primeUsers(ids: readonly string[]): Promise<void> {
      const users = await byKind.user.loadMany(ids);
      users.forEach((user, i) => {
        if (!(user instanceof Error)) loadedUsers.set(ids[i] as string, user);
      });
    },
    /** A user primeUsers loaded for this request: undefined when not loaded (load it), null when there is none. */
    loadedUser(id: string): PublicUser | null | undefined {
      return loadedUsers.get(id);
    },
    /** Forgets what this request memoised under one key of one kind (after a write). */
    clear(kind: KindName, key: string): void {
      byKind[kind].clear(key);
      if (kind === 'user') loadedUsers.delete(key);
    },
    async memberCount(organizationId: string): Promise<number> {
      return (await organizationMembers.load(organizationId)).length;
    },
    /** The members after `after` in join order, `first` of them plus one to tell whether more follow. */
    async memberPage(
      organizationId: string,
      first: number,
      after: { createdAt: Date; id: string } | null,
    ): Promise<Membership[]> {
      const members = await organizationMembers.load(organizationId);
      let start = 0;
      if (after) {
        // The cursor's own row gives its exact place; if that member has left, the first one joined later does.
        const at = members.findIndex((m) => m.id === after.id);
        start = at >= 0 ? at + 1 : members.findIndex((m) => m.createdAt > after.createdAt);
      }
      return start < 0 ? [] : members.slice(start, start + first + 1);
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
