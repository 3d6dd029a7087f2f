import DataLoader from 'dataloader';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { FeatureFlag, Membership, Organization, Session, User } from '../generated/prisma/client.ts';
import { groupLoader, uniqueLoader } from './by-key.ts';

/** Most members one page may hold; the connection refuses larger `first`. */
export const MAX_PAGE_SIZE = 100;

/** A page of an organization's members in join order, with one row more than asked to tell if more follow. */
export interface MemberPageKey {
  organizationId: string;
  first: number;
  after: { createdAt: Date; id: string } | null;
}

/**
 * The per-request loaders: every read of an entity or relation goes through
 * one, so a request issues one query per kind of thing per level. Built for
 * each request and never shared, so one viewer's batch never serves another.
 */
export function createLoaders(prisma: PrismaClient) {
  return {
    userById: uniqueLoader<string, User>((ids) => prisma.user.findMany({ where: { id: { in: [...ids] } } }), (u) => u.id),
    organizationById: uniqueLoader<string, Organization>(
      (ids) => prisma.organization.findMany({ where: { id: { in: [...ids] } } }),
      (o) => o.id,
    ),
    organizationBySlug: uniqueLoader<string, Organization>(
      (slugs) => prisma.organization.findMany({ where: { slug: { in: [...slugs] } } }),
      (o) => o.slug,
    ),
    membershipById: uniqueLoader<string, Membership>(
      (ids) => prisma.membership.findMany({ where: { id: { in: [...ids] } } }),
      (m) => m.id,
    ),
    flagById: uniqueLoader<string, FeatureFlag>(
      (ids) => prisma.featureFlag.findMany({ where: { id: { in: [...ids] } } }),
      (f) => f.id,
    ),
    sessionByTokenHash: uniqueLoader<string, Session>(
      (hashes) => prisma.session.findMany({ where: { tokenHash: { in: [...hashes] } } }),
      (s) => s.tokenHash,
    ),
    /** A user's memberships, oldest first. */
    membershipsByUserId: groupLoader<string, Membership>(
      (userIds) =>
        prisma.membership.findMany({ where: { userId: { in: [...userIds] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (m) => m.userId,
    ),
    /** An organization's flags by key. */
    flagsByOrganizationId: groupLoader<string, FeatureFlag>(
      (orgIds) => prisma.featureFlag.findMany({ where: { organizationId: { in: [...orgIds] } }, orderBy: { key: 'asc' } }),
      (f) => f.organizationId,
    ),
    memberCountByOrganizationId: new DataLoader<string, number>(async (orgIds) => {
      const counts = await prisma.membership.groupBy({
        by: ['organizationId'],
        where: { organizationId: { in: [...orgIds] } },
        _count: { _all: true },
      });
      const byOrg = new Map(counts.map((c) => [c.organizationId, c._count._all]));
      return orgIds.map((id) => byOrg.get(id) ?? 0);
    }),
    /** Pages of members; keys with the same page shape share one query per batch. */
    memberPage: new DataLoader<MemberPageKey, Membership[], string>(
      (pageKeys) =>
        Promise.all(
          pageKeys.map(({ organizationId, first, after }) =>
            prisma.membership.findMany({
              where: {
                organizationId,
                ...(after && {
                  OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }],
                }),
              },
              orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
              take: first + 1,
            }),
          ),
        ),
      { cacheKeyFn: (k) => `${k.organizationId}|${k.first}|${k.after?.createdAt.toISOString() ?? ''}|${k.after?.id ?? ''}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
