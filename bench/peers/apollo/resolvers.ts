// Plain Prisma resolvers, as a typical Apollo + Prisma team writes them: no
// DataLoader, no cache of their own. Relations use `findUnique(...).relation()`
// and foreign keys use `findUnique`, the pattern Prisma's docs give for
// GraphQL, because Prisma batches the findUnique calls of one tick into one
// query; what cannot be written that way (counts, pages, filtered lists)
// costs a query per parent. The read rules are tenant-graph's, so both
// servers answer the same data.

import { GraphQLError, GraphQLScalarType } from 'graphql';
import { verifyPassword } from '../../../src/auth/password.ts';
import type { FeatureFlag, Membership, Organization, Role, User } from '../../../src/generated/prisma/client.ts';
import { randomBytes } from 'node:crypto';
import { sha256, type PeerContext, type Viewer } from './context.ts';

const SESSION_DAYS = 30;
const MAX_PAGE = 100;
const memberOrder = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];

/** Relay-style global IDs, the same encoding tenant-graph's clients already parse. */
const toGlobalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
function fromGlobalId(globalId: string, type: string): string {
  const [decodedType, ...rest] = Buffer.from(globalId, 'base64').toString('utf8').split(':');
  if (decodedType !== type || rest.length === 0)
    throw new GraphQLError(`Not a ${type} ID`, { extensions: { code: 'BAD_USER_INPUT' } });
  return rest.join(':');
}

const cursorOf = (m: Membership) => Buffer.from(`${m.createdAt.getTime()}:${m.id}`).toString('base64url');
function parseCursor(cursor: string): string {
  const id = /^\d+:(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1];
  if (!id) throw new GraphQLError('Invalid cursor', { extensions: { code: 'BAD_USER_INPUT' } });
  return id;
}

function requireViewer(ctx: PeerContext): Viewer {
  if (!ctx.viewer) throw new GraphQLError('Sign in first', { extensions: { code: 'UNAUTHENTICATED' } });
  return ctx.viewer;
}

async function viewerOrgIds(ctx: PeerContext): Promise<string[]> {
  return (await ctx.viewerMemberships()).map((m) => m.organizationId);
}

type PublicUser = Omit<User, 'passwordHash'>;

export const resolvers = {
  DateTime: new GraphQLScalarType<Date, string>({
    name: 'DateTime',
    serialize: (value) => (value as Date).toISOString(),
    parseValue: (value) => new Date(String(value)),
  }),

  Query: {
    viewer: (_: unknown, __: unknown, ctx: PeerContext) =>
      ctx.viewer ? ctx.prisma.user.findUnique({ where: { id: ctx.viewer.userId } }) : null,

    async organization(_: unknown, { slug }: { slug: string }, ctx: PeerContext) {
      requireViewer(ctx);
      const org = await ctx.prisma.organization.findUnique({ where: { slug } });
      return org && (await viewerOrgIds(ctx)).includes(org.id) ? org : null;
    },

    async organizations(_: unknown, __: unknown, ctx: PeerContext) {
      const viewer = requireViewer(ctx);
      const memberships = await ctx.prisma.membership.findMany({
        where: { userId: viewer.userId },
        orderBy: memberOrder,
        include: { organization: true },
      });
      return memberships.map((m) => m.organization);
    },
  },

  User: {
    id: (user: PublicUser) => toGlobalId('User', user.id),
    async email(user: PublicUser, _: unknown, ctx: PeerContext) {
      if (!ctx.viewer) return null;
      if (user.id === ctx.viewer.userId) return user.email;
      const shared = await ctx.prisma.user
        .findUnique({ where: { id: user.id } })
        .memberships({ where: { organizationId: { in: await viewerOrgIds(ctx) } }, take: 1 });
      return shared && shared.length > 0 ? user.email : null;
    },
    async memberships(user: PublicUser, _: unknown, ctx: PeerContext) {
      if (!ctx.viewer) return null;
      const own = user.id === ctx.viewer.userId;
      const where = own ? {} : { organizationId: { in: await viewerOrgIds(ctx) } };
      const list = await ctx.prisma.user.findUnique({ where: { id: user.id } }).memberships({ where, orderBy: memberOrder });
      return own ? (list ?? []) : list && list.length > 0 ? list : null;
    },
  },

  Organization: {
    id: (org: Organization) => toGlobalId('Organization', org.id),
    async viewerRole(org: Organization, _: unknown, ctx: PeerContext): Promise<Role | null> {
      return (await ctx.viewerMemberships()).find((m) => m.organizationId === org.id)?.role ?? null;
    },
    memberCount: (org: Organization, _: unknown, ctx: PeerContext) =>
      ctx.prisma.membership.count({ where: { organizationId: org.id } }),
    async members(org: Organization, args: { first?: number | null; after?: string | null }, ctx: PeerContext) {
      const first = args.first ?? 20;
      if (first < 1 || first > MAX_PAGE)
        throw new GraphQLError(`first must be between 1 and ${MAX_PAGE}`, { extensions: { code: 'BAD_USER_INPUT' } });
      const rows =
        (await ctx.prisma.organization.findUnique({ where: { id: org.id } }).memberships({
          orderBy: memberOrder,
          take: first + 1,
          ...(args.after ? { cursor: { id: parseCursor(args.after) }, skip: 1 } : {}),
        })) ?? [];
      const page = rows.slice(0, first);
      const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: Boolean(args.after),
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
    featureFlags: async (org: Organization, _: unknown, ctx: PeerContext) =>
      (await ctx.prisma.organization.findUnique({ where: { id: org.id } }).featureFlags({ orderBy: { key: 'asc' } })) ?? [],
  },

  Membership: {
    id: (m: Membership) => toGlobalId('Membership', m.id),
    user: (m: Membership, _: unknown, ctx: PeerContext) => ctx.prisma.user.findUnique({ where: { id: m.userId } }),
    organization: (m: Membership, _: unknown, ctx: PeerContext) =>
      ctx.prisma.organization.findUnique({ where: { id: m.organizationId } }),
  },

  FeatureFlag: {
    id: (flag: FeatureFlag) => toGlobalId('FeatureFlag', flag.id),
    organization: (flag: FeatureFlag, _: unknown, ctx: PeerContext) =>
      ctx.prisma.organization.findUnique({ where: { id: flag.organizationId } }),
  },

  Mutation: {
    async logIn(_: unknown, { input }: { input: { email: string; password: string } }, ctx: PeerContext) {
      const user = await ctx.prisma.user.findUnique({ where: { email: input.email.trim().toLowerCase() } });
      if (!user || !(await verifyPassword(input.password, user.passwordHash))) {
        throw new GraphQLError('Invalid email or password', { extensions: { code: 'UNAUTHENTICATED' } });
      }
      const token = `tg_${randomBytes(32).toString('base64url')}`;
      await ctx.prisma.session.create({
        data: { tokenHash: sha256(token), userId: user.id, expiresAt: new Date(Date.now() + SESSION_DAYS * 86_400_000) },
      });
      return { token, user };
    },

    async setFeatureFlag(
      _: unknown,
      { input }: { input: { organizationId: string; key: string; enabled: boolean } },
      ctx: PeerContext,
    ) {
      const viewer = requireViewer(ctx);
      const organizationId = fromGlobalId(input.organizationId, 'Organization');
      const membership = await ctx.prisma.membership.findUnique({
        where: { userId_organizationId: { userId: viewer.userId, organizationId } },
      });
      if (!membership) throw new GraphQLError('Organization not found', { extensions: { code: 'NOT_FOUND' } });
      if (membership.role !== 'OWNER' && membership.role !== 'ADMIN') {
        throw new GraphQLError('Only owners and admins can change feature flags', { extensions: { code: 'FORBIDDEN' } });
      }
      return ctx.prisma.featureFlag.upsert({
        where: { organizationId_key: { organizationId, key: input.key } },
        create: { organizationId, key: input.key, enabled: input.enabled },
        update: { enabled: input.enabled },
      });
    },

    async updateProfile(_: unknown, { input }: { input: { name?: string | null; avatarUrl?: string | null } }, ctx: PeerContext) {
      const viewer = requireViewer(ctx);
      const data: { name?: string; avatarUrl?: string | null } = {};
      if (input.name != null) data.name = input.name.trim();
      if (input.avatarUrl !== undefined) data.avatarUrl = input.avatarUrl;
      return ctx.prisma.user.update({ where: { id: viewer.userId }, data });
    },
  },
};
