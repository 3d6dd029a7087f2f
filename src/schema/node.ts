import { brandWithType } from '@pothos/core';
import { builder } from './builder.ts';
import { tryDecodeGlobalId } from './global-id.ts';
import { FeatureFlagRef, MembershipRef, OrganizationRef, UserRef } from './refs.ts';

/**
 * Query.node through the request's loaders and the same visibility rules as
 * the typed entry points: anything the viewer may not see is null, exactly
 * like something that does not exist.
 */
builder.queryField('node', (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      ctx.viewer.require();
      const decoded = tryDecodeGlobalId(String(args.id));
      if (!decoded) return null;
      const { typename, id } = decoded;
      // Rows are plain objects; the brand tells the Node interface which type each one is.
      const branded = <T extends object>(row: T | null, type: Parameters<typeof brandWithType>[1]) => {
        if (row) brandWithType(row, type);
        return row;
      };
      switch (typename) {
        case 'User':
          return branded(await ctx.loaders.userById.load(id), UserRef);
        case 'Organization':
          return branded(await ctx.access.readableOrganization(await ctx.loaders.organizationById.load(id)), OrganizationRef);
        case 'Membership': {
          const membership = await ctx.loaders.membershipById.load(id);
          const visible = membership && (await ctx.access.roleIn(membership.organizationId)) ? membership : null;
          return branded(visible, MembershipRef);
        }
        case 'FeatureFlag': {
          const flag = await ctx.loaders.flagById.load(id);
          return branded(flag && (await ctx.access.roleIn(flag.organizationId)) ? flag : null, FeatureFlagRef);
        }
        default:
          return null;
      }
    },
  }),
);
