// Mercurius loaders over Prisma: each resolves one field for every parent
// of a query level in one statement (`where: { id: { in } }`), as Mercurius's
// loaders docs show. Pages of members stay one statement per organization,
// since each page has its own cursor. The read rules are the Apollo peer's
// (and tenant-graph's), so the same documents answer the same data.

import { GraphQLError } from 'graphql';
import type { MercuriusContext, MercuriusLoaders } from 'mercurius';
import type { FeatureFlag, Membership, Organization, User } from '../../../src/generated/prisma/client.ts';

type PublicUser = Omit<User, 'passwordHash'>;
type Queries<T, P = Record<string, never>> = { obj: T; params: P }[];

const MAX_PAGE = 100;
const memberOrder = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
const cursorOf = (m: Membership) => Buffer.from(`${m.createdAt.getTime()}:${m.id}`).toString('base64url');

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list) list.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

async function viewerOrgIds(ctx: MercuriusContext): Promise<Set<string>> {
  return new Set((await ctx.viewerMemberships()).map((m) => m.organizationId));
}

async function organizationsById(ids: string[], ctx: MercuriusContext): Promise<Map<string, Organization>> {
  const rows = await ctx.prisma.organization.findMany({ where: { id: { in: [...new Set(ids)] } } });
  return new Map(rows.map((o) => [o.id, o]));
}

export const loaders: MercuriusLoaders = {
  User: {
    async email(queries: Queries<PublicUser>, ctx) {
      const viewer = ctx.viewer;
      if (!viewer) return queries.map(() => null);
      const others = queries.map((q) => q.obj.id).filter((id) => id !== viewer.userId);
      const shared =
        others.length === 0
          ? []
          : await ctx.prisma.membership.findMany({
              where: { userId: { in: others }, organizationId: { in: [...(await viewerOrgIds(ctx))] } },
              select: { userId: true },
              distinct: ['userId'],
            });
      const visible = new Set(shared.map((m) => m.userId));
      return queries.map(({ obj }) => (obj.id === viewer.userId || visible.has(obj.id) ? obj.email : null));
    },
    async memberships(queries: Queries<PublicUser>, ctx) {
      const viewer = ctx.viewer;
      if (!viewer) return queries.map(() => null);
      const rows = await ctx.prisma.membership.findMany({
        where: { userId: { in: queries.map((q) => q.obj.id) } },
        orderBy: memberOrder,
      });
      const byUser = groupBy(rows, (m) => m.userId);
      // The viewer's own memberships are all visible: read theirs only when another user's are asked for.
      const orgIds = queries.some((q) => q.obj.id !== viewer.userId) ? await viewerOrgIds(ctx) : new Set<string>();
      return queries.map(({ obj }) => {
        const list = byUser.get(obj.id) ?? [];
        if (obj.id === viewer.userId) return list;
        const shared = list.filter((m) => orgIds.has(m.organizationId));
        return shared.length > 0 ? shared : null;
      });
    },
  },

  Organization: {
    async memberCount(queries: Queries<Organization>, ctx) {
      const counts = await ctx.prisma.membership.groupBy({
        by: ['organizationId'],
        where: { organizationId: { in: queries.map((q) => q.obj.id) } },
        _count: { _all: true },
      });
      const byOrg = new Map(counts.map((c) => [c.organizationId, c._count._all]));
      return queries.map(({ obj }) => byOrg.get(obj.id) ?? 0);
    },
    async members(queries: Queries<Organization, { first?: number | null; after?: string | null }>, ctx) {
      return Promise.all(
        queries.map(async ({ obj, params }) => {
          const first = params.first ?? 20;
          if (first < 1 || first > MAX_PAGE)
            throw new GraphQLError(`first must be between 1 and ${MAX_PAGE}`, { extensions: { code: 'BAD_USER_INPUT' } });
          const after = params.after
            ? /^\d+:(.+)$/.exec(Buffer.from(params.after, 'base64url').toString('utf8'))?.[1]
            : undefined;
          const rows = await ctx.prisma.membership.findMany({
            where: { organizationId: obj.id },
            orderBy: memberOrder,
            take: first + 1,
            ...(after ? { cursor: { id: after }, skip: 1 } : {}),
          });
          const edges = rows.slice(0, first).map((node) => ({ cursor: cursorOf(node), node }));
          return {
            edges,
            pageInfo: {
              hasNextPage: rows.length > first,
              hasPreviousPage: Boolean(params.after),
              startCursor: edges[0]?.cursor ?? null,
              endCursor: edges.at(-1)?.cursor ?? null,
            },
          };
        }),
      );
    },
    async featureFlags(queries: Queries<Organization>, ctx) {
      const rows = await ctx.prisma.featureFlag.findMany({
        where: { organizationId: { in: queries.map((q) => q.obj.id) } },
        orderBy: [{ organizationId: 'asc' }, { key: 'asc' }],
      });
      const byOrg = groupBy(rows, (f) => f.organizationId);
      return queries.map(({ obj }) => byOrg.get(obj.id) ?? []);
    },
  },

  Membership: {
    async user(queries: Queries<Membership>, ctx) {
      const rows = await ctx.prisma.user.findMany({
        where: { id: { in: [...new Set(queries.map((q) => q.obj.userId))] } },
        // Cached rows land in Redis: the hash never leaves the database.
        omit: { passwordHash: true },
      });
      const byId = new Map(rows.map((u) => [u.id, u]));
      return queries.map(({ obj }) => byId.get(obj.userId) ?? null);
    },
    async organization(queries: Queries<Membership>, ctx) {
      const byId = await organizationsById(
        queries.map((q) => q.obj.organizationId),
        ctx,
      );
      return queries.map(({ obj }) => byId.get(obj.organizationId) ?? null);
    },
  },

  FeatureFlag: {
    async organization(queries: Queries<FeatureFlag>, ctx) {
      const byId = await organizationsById(
        queries.map((q) => q.obj.organizationId),
        ctx,
      );
      return queries.map(({ obj }) => byId.get(obj.organizationId) ?? null);
    },
  },
};
