import type { CachedKind } from '../cache/entity-cache.ts';
import { refTokenHash } from '../auth/tokens.ts';
import { keys } from '../cache/keys.ts';
import type { BatchReads, PublicUser } from '../db/batch-reads.ts';
import type { FeatureFlag, Membership, Organization, Session } from '../generated/prisma/client.ts';

export type { PublicUser } from '../db/batch-reads.ts';

/** Puts rows back in key order, null where a key has no row. */
function byKey<K, V>(wanted: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const found = new Map(rows.map((row) => [keyOf(row), row]));
  return wanted.map((key) => found.get(key) ?? null);
}

/** Groups rows under their parent key, in key order; a parent with none gets []. */
function grouped<K, V>(wanted: readonly K[], rows: V[], groupOf: (row: V) => K): V[][] {
  const groups = new Map<K, V[]>(wanted.map((key) => [key, []]));
  for (const row of rows) groups.get(groupOf(row))?.push(row);
  return wanted.map((key) => groups.get(key) ?? []);
}

/**
 * Every kind of row and relation list the loaders read: its store key, its TTL
 * and the one statement that loads a batch of it. Built once per app; the
 * per-request loaders in index.ts wrap these.
 */
export function createKinds(reads: BatchReads) {
  return {
    user: {
      key: keys.user,
      ttl: (t) => t.entity,
      load: async (ids) => byKey(ids, await reads.usersById(ids), (u) => u.id),
    } satisfies CachedKind<string, PublicUser>,
    organization: {
      key: keys.organization,
      ttl: (t) => t.entity,
      load: async (ids) => byKey(ids, await reads.organizationsById(ids), (o) => o.id),
    } satisfies CachedKind<string, Organization>,
    organizationBySlug: {
      key: keys.organizationBySlug,
      ttl: (t) => t.entity,
      load: async (slugs) => byKey(slugs, await reads.organizationsBySlug(slugs), (o) => o.slug),
    } satisfies CachedKind<string, Organization>,
    membership: {
      key: keys.membership,
      ttl: (t) => t.entity,
      load: async (ids) => byKey(ids, await reads.membershipsById(ids), (m) => m.id),
    } satisfies CachedKind<string, Membership>,
    featureFlag: {
      key: keys.featureFlag,
      ttl: (t) => t.featureFlag,
      load: async (ids) => byKey(ids, await reads.featureFlagsById(ids), (f) => f.id),
    } satisfies CachedKind<string, FeatureFlag>,
    session: {
      key: keys.session,
      ttl: (t) => t.session,
      load: async (refs) => {
        const hashes = refs.map(refTokenHash);
        return byKey(hashes, await reads.sessionsByTokenHash(hashes), (s) => s.tokenHash);
      },
    } satisfies CachedKind<string, Session>,
    userMemberships: {
      key: keys.userMemberships,
      ttl: (t) => t.entity,
      load: async (userIds) => grouped(userIds, await reads.membershipsOfUsers(userIds), (m) => m.userId),
    } satisfies CachedKind<string, Membership[]>,
    organizationMembers: {
      key: keys.organizationMembers,
      ttl: (t) => t.entity,
      load: async (orgIds) => grouped(orgIds, await reads.membershipsOfOrganizations(orgIds), (m) => m.organizationId),
    } satisfies CachedKind<string, Membership[]>,
    organizationFlags: {
      key: keys.organizationFlags,
      ttl: (t) => t.featureFlag,
      load: async (orgIds) => grouped(orgIds, await reads.flagsOfOrganizations(orgIds), (f) => f.organizationId),
    } satisfies CachedKind<string, FeatureFlag[]>,
  };
}

export type Kinds = ReturnType<typeof createKinds>;
/** The kinds by name; `cache/keys.ts` names each one's store key the same way. */
export type KindName = keyof Kinds;
