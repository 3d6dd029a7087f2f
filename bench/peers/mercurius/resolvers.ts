// The resolvers the loaders do not cover: the root fields, global IDs, the
// viewer's role (from the memberships the context reads once) and the
// mutations, taken from the Apollo peer so both peers share one set of rules.

import { GraphQLScalarType } from 'graphql';
import type { IResolvers } from 'mercurius';
import { resolvers as apollo } from '../apollo/resolvers.ts';

export const resolvers: IResolvers = {
  // Values read back from mercurius-cache's Redis storage are JSON: dates arrive as strings.
  DateTime: new GraphQLScalarType<Date | string, string>({
    name: 'DateTime',
    serialize: (value) => new Date(value as Date | string).toISOString(),
    parseValue: (value) => new Date(String(value)),
  }),

  Query: {
    viewer: (_root, _args, ctx) =>
      ctx.viewer ? ctx.prisma.user.findUnique({ where: { id: ctx.viewer.userId }, omit: { passwordHash: true } }) : null,
    organization: apollo.Query.organization,
    organizations: apollo.Query.organizations,
  },

  User: { id: apollo.User.id },
  Organization: { id: apollo.Organization.id, viewerRole: apollo.Organization.viewerRole },
  Membership: { id: apollo.Membership.id },
  FeatureFlag: { id: apollo.FeatureFlag.id },

  Mutation: apollo.Mutation,
};
