import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import type { Context } from '../context.ts';
import { getDatamodel } from '../generated/pothos-types.ts';
import type PrismaTypes from '../generated/pothos-types.ts';
import { POLICIES, type RateLimitArgs } from '../rate-limit/policies.ts';

/**
 * The builder holds setup only; each domain file adds its own types. Fields are
 * non-null unless marked, so the schema says where null really means something
 * (signed out, hidden, absent).
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: { DateTime: { Input: Date; Output: Date } };
  Directives: { rateLimit: { locations: 'FIELD_DEFINITION'; args: RateLimitArgs } };
}>({
  plugins: [DirectivesPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  // graphql-tools' format ({ rateLimit: [args, …] }), which printSchemaWithDirectives prints for schema.graphql.
  directives: { useGraphQLToolsUnorderedDirectives: true },
  prisma: {
    // Object types take their shapes from Prisma, but reads go through the
    // request's loaders; a resolver that reached Prisma through the plugin
    // would bypass batching and caching, so it fails loudly instead.
    client: () => {
      throw new Error('Resolvers read through ctx.loaders, not through the Prisma plugin');
    },
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
    // Node lookups are resolved by schema/node.ts through loaders and access rules.
    nodeQueryOptions: false,
  },
});

builder.queryType({});
builder.mutationType({});

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO-8601 string in UTC',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime must be an ISO-8601 string');
    return date;
  },
});

/** The @rateLimit every mutation without a stricter limit carries: 60 a minute per viewer by default. */
export const perViewerLimit = [{ name: 'rateLimit' as const, args: POLICIES.mutationPerViewer }];
