import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';
import { applyRateLimits, rateLimitDirective } from '../rate-limit/directive.ts';
import { builder } from './builder.ts';
import './enums.ts';
import './user.ts';
import './organization.ts';
import './membership.ts';
import './feature-flag.ts';
import './auth.ts';
import './node.ts';

let schema: GraphQLSchema | undefined;

/** The schema, built once per process: it holds no per-app state, only types and resolvers. */
export function buildSchema(): GraphQLSchema {
  schema ??= applyRateLimits(lexicographicSortSchema(builder.toSchema({ directives: [rateLimitDirective] })));
  return schema;
}
