import {
  DirectiveLocation,
  GraphQLDirective,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  GraphQLString,
  isObjectType,
  Kind,
  defaultFieldResolver,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { policyOf, type RateLimitArgs } from './policies.ts';
import { isRateLimitKey, parseWindow, type RateLimitKey } from './notation.ts';
import type { RateLimitRule } from './rules.ts';

/** Who a limit counts: `viewer` (the IP when anonymous), `ip`, or `arg:<path>` such as `arg:input.email`. */
export const RateLimitKeyScalar = new GraphQLScalarType<RateLimitKey, string>({
  name: 'RateLimitKey',
  description:
    'Who a @rateLimit counts: "viewer" (the client IP when anonymous), "ip", or "arg:<path>" such as "arg:input.email"',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !isRateLimitKey(value)) throw new TypeError('not a RateLimitKey');
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !isRateLimitKey(ast.value)) throw new TypeError('not a RateLimitKey');
    return ast.value;
  },
});

/** `@rateLimit(limit, window, by)`: repeatable, so a field can be limited per IP and per email at once. */
export const rateLimitDirective = new GraphQLDirective({
  name: 'rateLimit',
  description: 'At most `limit` calls per `window` (like "60s", "15m") for each identity `by` names; aliases count one each',
  isRepeatable: true,
  locations: [DirectiveLocation.FIELD_DEFINITION],
  args: {
    limit: { type: new GraphQLNonNull(GraphQLInt) },
    window: { type: new GraphQLNonNull(GraphQLString) },
    by: { type: new GraphQLList(new GraphQLNonNull(RateLimitKeyScalar)), defaultValue: ['viewer'] },
  },
});

/** Checks a call of a limited field against its rules; throws RATE_LIMITED (with retryAfter) when over. */
export interface FieldLimits {
  /** How many rate-limited field calls this request counted: an answer that counted any is never stored, so no hit skips its count. */
  readonly checked: number;
  check(coordinate: string, rules: readonly RateLimitRule[], args: Record<string, unknown>): Promise<void>;
}

function hasFieldLimits(context: unknown): context is { rateLimits: FieldLimits } {
  return typeof context === 'object' && context !== null && 'rateLimits' in context;
}

function isRateLimitArgs(value: unknown): value is RateLimitArgs {
  return (
    typeof value === 'object' &&
    value !== null &&
    'limit' in value &&
    'window' in value &&
    'by' in value &&
    Array.isArray(value.by)
  );
}

/**
 * The @rateLimit rules Pothos recorded on a field (graphql-tools' format:
 * `{ rateLimit: [args, …] }`), validated: a bad window or key fails the schema build.
 */
function rulesOf(extensions: Readonly<Record<string, unknown>>, coordinate: string): RateLimitRule[] {
  const recorded = extensions['directives'];
  if (typeof recorded !== 'object' || recorded === null || !('rateLimit' in recorded)) return [];
  const usages: unknown = recorded.rateLimit;
  return (Array.isArray(usages) ? usages : [usages]).map((args: unknown) => {
    if (!isRateLimitArgs(args)) throw new Error(`${coordinate}: @rateLimit needs limit, window and by`);
    for (const key of args.by)
      if (!isRateLimitKey(key)) throw new Error(`${coordinate}: @rateLimit key "${key}" is not viewer, ip or arg:<path>`);
    return { limit: args.limit, window: args.window, windowMs: parseWindow(args.window), by: args.by, policy: policyOf(args) };
  });
}

/**
 * Wraps the resolver of every field carrying @rateLimit: each call (so each
 * alias, and each operation of a batch) is counted before it resolves. The
 * limiter comes from the request's context, so one schema serves any app.
 */
export function applyRateLimits(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${field.name}`;
      const rules = rulesOf(field.extensions, coordinate);
      if (rules.length === 0) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = async (source, args, context, info) => {
        if (hasFieldLimits(context)) await context.rateLimits.check(coordinate, rules, args);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
