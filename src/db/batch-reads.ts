import type { FeatureFlag, Membership, Organization, PrismaClient, Session, User } from '../generated/prisma/client.ts';

/** A user as reads see it: the password hash never leaves the auth service, so it is never cached. */
export type PublicUser = Omit<User, 'passwordHash'>;

/**
 * The batch reads behind the loaders: one statement per call, whatever the
 * number of keys, rows in no particular order (the loaders put them back in
 * key order). Lists come in the order pages are cut from: memberships by
 * (createdAt, id), flags by key.
 */
export interface BatchReads {
  usersById(ids: readonly string[]): Promise<PublicUser[]>;
  organizationsById(ids: readonly string[]): Promise<Organization[]>;
  organizationsBySlug(slugs: readonly string[]): Promise<Organization[]>;
  membershipsById(ids: readonly string[]): Promise<Membership[]>;
  featureFlagsById(ids: readonly string[]): Promise<FeatureFlag[]>;
  sessionsByTokenHash(hashes: readonly string[]): Promise<Session[]>;
  membershipsOfUsers(userIds: readonly string[]): Promise<Membership[]>;
  membershipsOfOrganizations(organizationIds: readonly string[]): Promise<Membership[]>;
  flagsOfOrganizations(organizationIds: readonly string[]): Promise<FeatureFlag[]>;
}

const memberOrder = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

/**
 * The batch reads through Prisma's query engine: what the embedded database
 * uses (PGlite is one in-process connection that only Prisma's adapter
 * drives), and the reference the prepared-statement reads are tested against.
 */
export function prismaBatchReads(prisma: PrismaClient): BatchReads {
  return {
    usersById: (ids) => prisma.user.findMany({ where: { id: { in: [...ids] } }, omit: { passwordHash: true } }),
    organizationsById: (ids) => prisma.organization.findMany({ where: { id: { in: [...ids] } } }),
    organizationsBySlug: (slugs) => prisma.organization.findMany({ where: { slug: { in: [...slugs] } } }),
    membershipsById: (ids) => prisma.membership.findMany({ where: { id: { in: [...ids] } } }),
    featureFlagsById: (ids) => prisma.featureFlag.findMany({ where: { id: { in: [...ids] } } }),
    sessionsByTokenHash: (hashes) => prisma.session.findMany({ where: { tokenHash: { in: [...hashes] } } }),
    membershipsOfUsers: (userIds) =>
      prisma.membership.findMany({ where: { userId: { in: [...userIds] } }, orderBy: memberOrder }),
    membershipsOfOrganizations: (organizationIds) =>
      prisma.membership.findMany({ where: { organizationId: { in: [...organizationIds] } }, orderBy: memberOrder }),
    flagsOfOrganizations: (organizationIds) =>
      prisma.featureFlag.findMany({ where: { organizationId: { in: [...organizationIds] } }, orderBy: { key: 'asc' } }),
  };
}
