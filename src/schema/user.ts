import { builder, perViewerLimit } from './builder.ts';
import { globalId, globalIdOf, parseGlobalId } from './global-id.ts';
import { prefetch } from './prefetch.ts';
import { MembershipRef, NodeRef, UserRef } from './refs.ts';
import { selects } from './selection.ts';

// A person. Email and memberships are private to the user and to people who share an organization with them.
builder.objectType(UserRef, {
  interfaces: [NodeRef],
  fields: (t) => ({
    id: t.id({ resolve: (user) => globalIdOf('User', user) }),
    name: t.exposeString('name'),
    avatarUrl: t.exposeString('avatarUrl', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    email: t.string({
      nullable: true,
      description: 'Visible to the user and to members of an organization they share; null otherwise',
      resolve: (user, _args, ctx) => {
        const visible = ctx.access.canSeePrivateFieldsOf(user.id);
        return typeof visible === 'boolean' ? (visible ? user.email : null) : visible.then((yes) => (yes ? user.email : null));
      },
    }),
    memberships: t.field({
      type: [MembershipRef],
      nullable: true,
      description: "All of the viewer's own memberships; for another user, only those in organizations the viewer shares",
      resolve: (user, _args, ctx) => ctx.access.visibleMembershipsOf(user.id),
    }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: UserRef,
    nullable: true,
    description: 'The signed-in user; null when signed out or the token is not valid',
    resolve: (_root, _args, ctx, info) => {
      const id = ctx.viewer.userId;
      if (!id) return null;
      if (selects(info, ['memberships'])) prefetch(ctx.loaders.membershipsByUserId.load(id));
      return ctx.loaders.userById.load(id);
    },
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    description: 'A user by ID; requires signing in',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => {
      ctx.viewer.require();
      return ctx.loaders.userById.load(parseGlobalId(String(args.id), 'User', 'id'));
    },
  }),
}));

const UpdateProfileInput = builder.inputType('UpdateProfileInput', {
  fields: (t) => ({
    name: t.string({ description: 'Omit to keep' }),
    avatarUrl: t.string({ description: 'Omit to keep, null to remove' }),
  }),
});

builder.mutationFields((t) => ({
  updateProfile: t.field({
    directives: perViewerLimit,
    type: UserRef,
    args: { input: t.arg({ type: UpdateProfileInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.services.users.updateProfile(input),
  }),
  deleteAccount: t.id({
    directives: perViewerLimit,
    description: "Deletes the viewer's account and sessions; answers the deleted user's ID",
    resolve: async (_root, _args, ctx) => globalId('User', (await ctx.services.users.deleteAccount()).id),
  }),
}));
