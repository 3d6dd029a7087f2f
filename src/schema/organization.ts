import { badInput } from '../errors.ts';
import { MAX_PAGE_SIZE } from '../loaders/index.ts';
import { builder, perViewerLimit } from './builder.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { PlanEnum, RoleEnum } from './enums.ts';
import { globalId, parseGlobalId } from './global-id.ts';
import { FeatureFlagRef, MembershipConnectionRef, OrganizationRef } from './refs.ts';
import { prefetch, prefetchOrganizationLists } from './prefetch.ts';
import { selects } from './selection.ts';

const DEFAULT_PAGE_SIZE = 20;
const MEMBER_USER = ['edges', 'node', 'user'];
const MEMBER_USER_MEMBERSHIPS = [...MEMBER_USER, 'memberships'];

// A tenant. Reachable only through entry points that check membership (organization, organizations,
// node, a visible membership), so its fields need no second check.
builder.prismaObjectFields(OrganizationRef, (t) => ({
  name: t.exposeString('name'),
  slug: t.exposeString('slug'),
  plan: t.expose('plan', { type: PlanEnum }),
  createdAt: t.expose('createdAt', { type: 'DateTime' }),
  viewerRole: t.field({
    type: RoleEnum,
    nullable: true,
    description: "The viewer's role here",
    resolve: (org, _args, ctx) => ctx.access.roleIn(org.id),
  }),
  memberCount: t.int({ resolve: (org, _args, ctx) => ctx.loaders.memberCount(org.id) }),
  members: t.field({
    type: MembershipConnectionRef,
    description: `Members in the order they joined; first defaults to ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE}`,
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (org, args, ctx, info) => {
      const first = args.first ?? DEFAULT_PAGE_SIZE;
      if (first < 1 || first > MAX_PAGE_SIZE) throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, 'first');
      const after = args.after ? decodeCursor(args.after) : null;
      const rows = await ctx.loaders.memberPage(org.id, first, after);
      const page = rows.slice(0, first);
      // One batch for the page's users, awaited here, lets each member's user field answer without a promise.
      if (selects(info, MEMBER_USER)) {
        const userIds = page.map((m) => m.userId);
        if (selects(info, MEMBER_USER_MEMBERSHIPS)) prefetch(ctx.loaders.membershipsByUserId.loadMany(userIds));
        await ctx.loaders.primeUsers(userIds);
      }
      const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: rows.length > first,
          hasPreviousPage: after !== null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
  featureFlags: t.field({
    type: [FeatureFlagRef],
    description: 'All flags, by key',
    resolve: (org, _args, ctx) => ctx.loaders.flagsByOrganizationId.load(org.id),
  }),
  featureFlag: t.field({
    type: FeatureFlagRef,
    nullable: true,
    args: { key: t.arg.string({ required: true }) },
    resolve: async (org, { key }, ctx) =>
      (await ctx.loaders.flagsByOrganizationId.load(org.id)).find((f) => f.key === key) ?? null,
  }),
  isFeatureEnabled: t.boolean({
    description: 'False for a flag that does not exist, so clients can ask before a flag is created',
    args: { key: t.arg.string({ required: true }) },
    resolve: async (org, { key }, ctx) =>
      (await ctx.loaders.flagsByOrganizationId.load(org.id)).some((f) => f.key === key && f.enabled),
  }),
}));

builder.queryFields((t) => ({
  organization: t.field({
    type: OrganizationRef,
    nullable: true,
    description: 'An organization the viewer belongs to; null for any other slug',
    args: { slug: t.arg.string({ required: true }) },
    resolve: async (_root, { slug }, ctx) => {
      ctx.viewer.require();
      ctx.access.prefetch();
      return ctx.access.readableOrganization(await ctx.loaders.organizationBySlug.load(slug));
    },
  }),
  organizations: t.field({
    type: [OrganizationRef],
    description: "The viewer's organizations, in the order joined",
    resolve: async (_root, _args, ctx, info) => {
      const viewer = ctx.viewer.require();
      const memberships = await ctx.loaders.membershipsByUserId.load(viewer.userId);
      const ids = memberships.map((m) => m.organizationId);
      prefetchOrganizationLists(ctx.loaders, ids, info);
      const orgs = await ctx.loaders.organizationById.loadMany(ids);
      return orgs.flatMap((org) => {
        if (org instanceof Error) throw org;
        return org ? [org] : [];
      });
    },
  }),
}));

const CreateOrganizationInput = builder.inputType('CreateOrganizationInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    slug: t.string({ required: true, description: '3-40 lowercase letters, digits or hyphens' }),
    plan: t.field({ type: PlanEnum, description: 'Defaults to FREE' }),
  }),
});

const UpdateOrganizationInput = builder.inputType('UpdateOrganizationInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    name: t.string({ description: 'OWNER or ADMIN' }),
    plan: t.field({ type: PlanEnum, description: 'OWNER only' }),
  }),
});

const DeleteOrganizationInput = builder.inputType('DeleteOrganizationInput', {
  fields: (t) => ({ organizationId: t.id({ required: true }) }),
});

builder.mutationFields((t) => ({
  createOrganization: t.field({
    directives: perViewerLimit,
    type: OrganizationRef,
    description: 'The viewer becomes its OWNER',
    args: { input: t.arg({ type: CreateOrganizationInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.organizations.create(input),
  }),
  updateOrganization: t.field({
    directives: perViewerLimit,
    type: OrganizationRef,
    args: { input: t.arg({ type: UpdateOrganizationInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.organizations.update({
        organizationId: parseGlobalId(String(input.organizationId), 'Organization', 'organizationId'),
        name: input.name,
        plan: input.plan,
      }),
  }),
  deleteOrganization: t.id({
    directives: perViewerLimit,
    description: "OWNER only; answers the deleted organization's ID",
    args: { input: t.arg({ type: DeleteOrganizationInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const organizationId = parseGlobalId(String(input.organizationId), 'Organization', 'organizationId');
      return globalId('Organization', (await ctx.services.organizations.delete({ organizationId })).id);
    },
  }),
}));
