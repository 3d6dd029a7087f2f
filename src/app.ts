import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import { createYoga, maskError, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import { cacheTtls } from './cache/ttl.ts';
import { createContext, requestState, type AppDeps, type Context } from './context.ts';
import { useOperationBudget } from './plugins/use-operation-budget.ts';
import { useTenantResponseCache } from './plugins/use-response-cache.ts';
import { clientIp, serverContextOf, type ServerContext } from './rate-limit/identity.ts';
import { rateLimitConfig } from './rate-limit/policies.ts';
import { ErrorCode } from './errors.ts';
import { useBodyLimit } from './plugins/use-body-limit.ts';
import { useErrorCodes } from './plugins/use-error-codes.ts';
import { buildSchema } from './schema/index.ts';
import { createKinds } from './loaders/kinds.ts';

export type App = YogaServerInstance<ServerContext, Context>;

/** Extra checks for /ready beyond Postgres: each throws when its service does not answer. */
export interface AppOptions {
  readinessChecks?: (() => Promise<void>)[];
}

/**
 * Builds the Yoga app from its dependencies; no globals, no port. Tests call
 * app.fetch directly; main.ts hands it to node:http.
 */
export function createApp(deps: AppDeps, options: AppOptions = {}): App {
  const { env, logger } = deps;
  const kinds = createKinds(deps.prisma);
  const schema = buildSchema();
  const ttls = cacheTtls(env);
  const responseCache = deps.responseCache
    ? useTenantResponseCache({
        cache: deps.responseCache,
        schema,
        viewerOf: async (request) => (await requestState(deps, kinds, request)).viewer.userId,
        ttlSeconds: {
          FeatureFlag: ttls.featureFlag,
          User: ttls.entity,
          Organization: ttls.entity,
          Membership: ttls.entity,
          'Query.viewer': ttls.session,
        },
        defaultTtlSeconds: ttls.entity,
        includeExtensionMetadata: env.NODE_ENV === 'development',
      })
    : [];
  const limits = rateLimitConfig(env);
  return createYoga<ServerContext, Context>({
    schema,
    context: ({ request, req }) => createContext(deps, kinds, limits, request, { req }),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: env.GRAPHIQL ? { title: 'tenant-graph', defaultQuery: GRAPHIQL_DEFAULT_QUERY } : false,
    // Enforced on Content-Length by useBodyLimit instead (see there).
    maxRequestBodySize: false,
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) => logger.error(args.map(String).join(' ')),
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        // Our own coded errors and graphql-js's are meant for the client; anything else is logged and masked.
        if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
        logger.error({ err: original }, 'unexpected error');
        const masked = maskError(error, message, isDev);
        return new GraphQLError(masked.message, {
          nodes: masked instanceof GraphQLError ? masked.nodes : undefined,
          path: masked instanceof GraphQLError ? masked.path : undefined,
          extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
        });
      },
    },
    plugins: [
      useBodyLimit({ maxBytes: env.MAX_BODY_BYTES }),
      EnvelopArmorPlugin({
        maxDepth: { n: 12, ...reportLimit },
        maxAliases: { n: 50, ...reportLimit },
        maxDirectives: { n: 20, ...reportLimit },
        maxTokens: { n: 5_000, ...reportLimit },
        costLimit: { maxCost: 20_000, ...reportLimit },
        // Suggestions help developers in GraphiQL; in production they would map the schema for anyone.
        blockFieldSuggestion: { enabled: env.NODE_ENV === 'production' },
      }),
      useErrorCodes(),
      // Before the response cache: hits count against the budget too.
      useOperationBudget({
        limiter: deps.limiter,
        config: limits,
        identityOf: async (request, server) => {
          const { viewer } = await requestState(deps, kinds, request);
          return viewer.userId ? `user:${viewer.userId}` : `ip:${clientIp(request, serverContextOf(server), limits.trustProxy)}`;
        },
      }),
      ...responseCache,
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          try {
            await deps.prisma.$queryRaw`SELECT 1`;
            for (const check of options.readinessChecks ?? []) await check();
            return true;
          } catch (error) {
            logger.warn({ err: (error as Error).message }, 'not ready');
            return false;
          }
        },
      }),
    ],
  });
}

/**
 * graphql-armor throws its rejections out of validation by default, which
 * leaves them without a code and with a misleading "Syntax Error" prefix;
 * reported instead, they join the validation errors and get a code.
 */
const reportLimit = {
  propagateOnRejection: false,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) => {
      const limited = new GraphQLError(error.message.replace(/^Syntax Error: /, ''), {
        extensions: { code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
      });
      if (context) context.reportError(limited);
      else throw limited;
    },
  ],
};

const GRAPHIQL_DEFAULT_QUERY = `# Sign in first: run LogIn, copy the token into the headers tab as
# { "Authorization": "Bearer <token>" }, then run Acme.
mutation LogIn {
  logIn(input: { email: "alice@example.com", password: "demo-password-1" }) {
    token
    user { name }
  }
}

query Acme {
  organization(slug: "acme") {
    name
    plan
    viewerRole
    memberCount
    members(first: 10) { edges { node { role user { name email } } } }
    featureFlags { key enabled }
  }
}
`;
