// mercurius-cache's policy for this peer: which resolvers and loaders are
// cached, how their keys name what they depend on, the references each
// entry is filed under, and the references each mutation invalidates.
// Keys name the rows a field's result depends on (and the viewer, where the
// answer depends on who asks), not the whole parent object mercurius-cache
// serialises by default.
//
// References, and what invalidates them:
//   user:<id>         Query.viewer, Membership.user, User.email   ← updateProfile (the viewer's id)
//   flags:<orgId>     Organization.featureFlags                    ← setFeatureFlag (the flag's organization)
//   org:<id>          Query.organization(s), Membership.organization   (no write of the bench changes an org)
//   members:<orgId>   Organization.members, Organization.memberCount  (no write of the bench changes a membership)
//   memberships:<id>  User.memberships                                  (idem)
// Anything not invalidated expires with the TTL.

import type { MercuriusCacheOptions } from 'mercurius-cache';
import type { MercuriusContext } from 'mercurius';
import type { FeatureFlag, Membership, Organization, User } from '../../../src/generated/prisma/client.ts';

type Policy = NonNullable<MercuriusCacheOptions['policy']>;
type KeyInput<T> = { self: T; arg: Record<string, unknown>; ctx: MercuriusContext };
type ReferenceInput<T> = { source: T; context: MercuriusContext };

const viewerOf = (ctx: MercuriusContext) => ctx.viewer?.userId ?? 'anonymous';
const perViewer = (_source: unknown, _args: unknown, ctx: MercuriusContext) => viewerOf(ctx);

export const MERCURIUS_REFERENCES =
  'user:<id> (Query.viewer, Membership.user, User.email) on updateProfile; flags:<orgId> (Organization.featureFlags) on setFeatureFlag; ' +
  'org:<id>, members:<orgId>, memberships:<userId> are filed but no bench write invalidates them (TTL)';

export const policy: Policy = {
  Query: {
    viewer: {
      extendKey: perViewer,
      references: (_q: unknown, _k: string, user: User | null) => (user ? [`user:${user.id}`] : []),
    },
    organization: {
      extendKey: perViewer,
      references: (_q: unknown, _k: string, org: Organization | null) => (org ? [`org:${org.id}`] : []),
    },
    organizations: {
      extendKey: perViewer,
      references: (_q: unknown, _k: string, orgs: Organization[]) => orgs.map((o) => `org:${o.id}`),
    },
  },
  User: {
    memberships: {
      key: ({ self, ctx }: KeyInput<User>) => `${self.id}~${viewerOf(ctx)}`,
      references: ({ source }: ReferenceInput<User>) => [`memberships:${source.id}`],
    },
    email: {
      key: ({ self, ctx }: KeyInput<User>) => `${self.id}~${viewerOf(ctx)}`,
      references: ({ source }: ReferenceInput<User>) => [`user:${source.id}`],
    },
  },
  Organization: {
    memberCount: {
      key: ({ self }: KeyInput<Organization>) => self.id,
      references: ({ source }: ReferenceInput<Organization>) => [`members:${source.id}`],
    },
    members: {
      key: ({ self, arg }: KeyInput<Organization>) => `${self.id}~${arg['first'] ?? ''}~${arg['after'] ?? ''}`,
      references: ({ source }: ReferenceInput<Organization>) => [`members:${source.id}`],
    },
    featureFlags: {
      key: ({ self }: KeyInput<Organization>) => self.id,
      references: ({ source }: ReferenceInput<Organization>) => [`flags:${source.id}`],
    },
  },
  Membership: {
    user: {
      key: ({ self }: KeyInput<Membership>) => self.userId,
      references: ({ source }: ReferenceInput<Membership>) => [`user:${source.userId}`],
    },
    organization: {
      key: ({ self }: KeyInput<Membership>) => self.organizationId,
      references: ({ source }: ReferenceInput<Membership>) => [`org:${source.organizationId}`],
    },
  },
  Mutation: {
    setFeatureFlag: {
      invalidate: (_s: unknown, _a: unknown, _c: unknown, _i: unknown, flag: FeatureFlag) => [`flags:${flag.organizationId}`],
    },
    updateProfile: { invalidate: (_s: unknown, _a: unknown, _c: unknown, _i: unknown, user: User) => [`user:${user.id}`] },
  },
};
