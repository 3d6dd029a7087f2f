import type { PublicUser } from '../loaders/index.ts';
import { builder, perViewerLimit } from './builder.ts';
import { RoleEnum } from './enums.ts';
import { globalId, parseGlobalId } from './global-id.ts';
import { prefetchOrganizationLists } from './prefetch.ts';
import { MembershipRef, OrganizationRef, UserRef } from './refs.ts';

// A user's place in an organization. Only reachable by members of that organization.
builder.prismaObjectFields(MembershipRef, (t) => ({
  role: t.expose('role', { type: RoleEnum }),
  createdAt: t.expose('createdAt', { type: 'DateTime' }),
  user: t.field({
    type: UserRef,
    resolve: (m, _args, ctx) => {
      ctx.access.metThroughMembership(m.userId);
      // Primed by the member page: answered without a promise, as graphql-jit then completes it at once.
      // An inline arrow, not a named closure: tsx (esbuild's keepNames) would wrap a named one in a
      // defineProperty call per member, 23 µs of an org page's CPU in its profile.
      const loaded = ctx.loaders.loadedUser(m.userId);
      return loaded === undefined
        ? ctx.loaders.userById.load(m.userId).then((user) => presentUser(m.id, user))
        : presentUser(m.id, loaded);
    },
  }),
  organization: t.field({
    type: OrganizationRef,
    resolve: async (m, _args, ctx, info) => {
      prefetchOrganizationLists(ctx.loaders, [m.organizationId], info);
      const org = await ctx.loaders.organizationById.load(m.organizationId);
      if (!org) throw new Error(`membership ${m.id} has no organization`);
      return org;
    },
  }),
}));

const AddMemberInput = builder.inputType('AddMemberInput', {
  fields: (t) => ({
    organizationId: t.id({ required: true }),
    email: t.string({ required: true, description: 'Of an existing account' }),
    role: t.field({ type: RoleEnum, description: 'Defaults to MEMBER; OWNER takes an OWNER' }),
  }),
});

const ChangeMemberRoleInput = builder.inputType('ChangeMemberRoleInput', {
  fields: (t) => ({
    membershipId: t.id({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
  }),
});

const RemoveMemberInput = builder.inputType('RemoveMemberInput', {
  fields: (t) => ({ membershipId: t.id({ required: true, description: 'Your own membership to leave' }) }),
});

builder.mutationFields((t) => ({
  addMember: t.field({
    directives: perViewerLimit,
    type: MembershipRef,
    description: 'OWNER or ADMIN',
    args: { input: t.arg({ type: AddMemberInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.memberships.add({
        organizationId: parseGlobalId(String(input.organizationId), 'Organization', 'organizationId'),
        email: input.email,
        role: input.role,
      }),
  }),
  changeMemberRole: t.field({
    directives: perViewerLimit,
    type: MembershipRef,
    description: 'OWNER or ADMIN; granting or revoking OWNER takes an OWNER; the last OWNER cannot be demoted',
    args: { input: t.arg({ type: ChangeMemberRoleInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.services.memberships.changeRole({
        membershipId: parseGlobalId(String(input.membershipId), 'Membership', 'membershipId'),
        role: input.role,
      }),
  }),
  removeMember: t.id({
    directives: perViewerLimit,
    description: "Removes a member, or leaves when it is your own membership; answers the removed membership's ID",
    args: { input: t.arg({ type: RemoveMemberInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const membershipId = parseGlobalId(String(input.membershipId), 'Membership', 'membershipId');
      return globalId('Membership', (await ctx.services.memberships.remove({ membershipId })).id);
    },
  }),
}));

/** The user of a membership; the cascade deletes memberships with their user, so a miss is a row deleted mid-request. */
function presentUser(membershipId: string, user: PublicUser | null): PublicUser {
  if (!user) throw new Error(`membership ${membershipId} has no user`);
  return user;
}
