import { useGraphQlJit } from '@envelop/graphql-jit';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import { createHash } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import { ACCESS_RULES_VERSION } from './auth/permissions.ts';
import { createHotPath, type HotPath } from './http/hot-path.ts';
import { type Finish, instrument } from './http/instrument.ts';
import { metricsEndpoint } from './metrics/endpoint.ts';
import { createMetrics, type MetricSources } from './metrics/registry.ts';
import { useRequestScope } from './plugins/use-request-scope.ts';
import { checkReadiness, type DependencyCheck } from './readiness.ts';
import { bindScope, runInScope, wasLogged, type RequestScope } from './request-scope.ts';
import { cacheTtls } from './cache/ttl.ts';
import { createContext, requestState, type AppDeps, type Context } from './context.ts';
import { useOperationBudget } from './plugins/use-operation-budget.ts';
import { useTenantResponseCache } from './plugins/use-response-cache.ts';
import { clientIp, serverContextOf, type ServerContext } from './rate-limit/identity.ts';
import { rateLimitConfig } from './rate-limit/policies.ts';
import { ErrorCode, isDatabaseUnavailable, serviceUnavailable } from './errors.ts';
import { useBodyLimit } from './plugins/use-body-limit.ts';
import { useGraphiQLAssets } from './plugins/use-graphiql-assets.ts';
import { GRAPHIQL_ASSET_PREFIX, loadGraphiQLAssets } from './graphiql/assets.ts';
import { renderGraphiQLPage } from './graphiql/page.ts';
import { GRAPHIQL_OPTIONS } from './graphiql/walkthrough.ts';
import { useErrorCodes } from './plugins/use-error-codes.ts';
import { useNestingLimit } from './plugins/use-nesting-limit.ts';
import { usePersistedDocuments } from './plugins/use-persisted-documents.ts';
import { createApqStore } from './persisted/apq-store.ts';
import { CLIENT_MANIFESTS, loadPersistedDocuments } from './persisted/manifest.ts';
import type { PersistedPolicy } from './persisted/policy.ts';
import { useServiceUnavailable } from './plugins/use-service-unavailable.ts';
import { useReadiness } from './plugins/use-readiness.ts';
import { useTextInputs } from './plugins/use-text-inputs.ts';
import { buildSchema } from './schema/index.ts';
import { createKinds } from './loaders/kinds.ts';
import { inFrontOf, staticSite } from './web/static-site.ts';

/** The Yoga app, with the node:http listener that puts the hot path in front of it. */
export type App = YogaServerInstance<ServerContext, Context> & {
  /** Serves node:http: the hot path first, then Yoga. */
  listener: RequestListener;
  /** Null when the response cache is off or adds metadata (then every request goes to Yoga). */
  hotPath: HotPath | null;
  /**
   * Whether the built SPA is served at `/` (AppOptions.webRoot held one). An object: Yoga's proxy
   * reads every falsy property of the app as undefined.
   */
  web: { served: boolean };
};

/** How the app reaches what it does not own. */
export interface AppOptions {
  /**
   * Checks for /ready beyond Postgres (and Redis, checked when deps.store is
   * Redis): named by their key, or `check1`… when given as a list.
   */
  readinessChecks?: DependencyCheck[] | Record<string, DependencyCheck>;
  /** The Postgres pool, when the caller built it: /metrics then reports its connections. */
  pool?: MetricSources['pool'];
  /**
   * The built SPA's folder (web/dist), served at `/` when it holds an index.html; the API's paths stay
   * the API's. @default null (no SPA: `/` is Yoga's 404)
   */
  webRoot?: string | null;
  /** The persisted-document manifests the server trusts (those that exist are read once, here). @default CLIENT_MANIFESTS */
  manifests?: readonly string[];
}

/**
 * Builds the Yoga app from its dependencies; no globals, no port. Tests call
 * app.fetch directly; main.ts hands it to node:http.
 */
export function createApp(deps: AppDeps, options: AppOptions = {}): App {
  const { env, logger } = deps;
  const kinds = createKinds(deps.reads);
  const schema = buildSchema();
  const ttls = cacheTtls(env);
  const limits = rateLimitConfig(env);
  const readinessChecks: Record<string, DependencyCheck> = {
    postgres: async () => {
      await deps.prisma.$queryRaw`SELECT 1`;
    },
  };
  const store = deps.store?.inner;
  if (store && store.kind !== 'memory') readinessChecks['redis'] = () => store.ping();
  const extra = options.readinessChecks ?? [];
  for (const [name, check] of Array.isArray(extra) ? extra.map((c, i) => [`check${i + 1}`, c] as const) : Object.entries(extra))
    readinessChecks[name] = check;
  // A deploy that changes the schema or the access rules starts from fresh response keys.
  const version = createHash('sha256')
    .update(printSchemaWithDirectives(schema))
    .update(`access:${ACCESS_RULES_VERSION}`)
    .digest('base64url')
    .slice(0, 12);
  const includeExtensionMetadata = env.NODE_ENV === 'development';
  const persisted: PersistedPolicy = {
    mode: env.PERSISTED_DOCUMENTS,
    documents: loadPersistedDocuments(options.manifests ?? CLIENT_MANIFESTS),
  };
  if (persisted.mode === 'require' && persisted.documents.size === 0)
    logger.warn('PERSISTED_DOCUMENTS=require and no manifest found: every operation will be refused (run the codegen)');
  const hotPath =
    deps.responseCache && !includeExtensionMetadata
      ? createHotPath({
          store: deps.cache.store,
          limiter: deps.limiter,
          budget: limits.enabled ? limits.budget : null,
          version,
          maxBodyBytes: env.MAX_BODY_BYTES,
          now: deps.now,
          persisted,
          // A cluster store takes several round trips, the key holding a pending marker meanwhile (a miss to the
          // lookup); one Redis lands a store in one, ahead of any later lookup on the same connection.
          ...(deps.responseCache && deps.cache.store.inner.kind === 'cluster' ? { storing: deps.responseCache.storingOf } : {}),
        })
      : null;
  const responseCache = deps.responseCache
    ? useTenantResponseCache({
        cache: deps.responseCache,
        schema,
        version,
        viewerOf: (context) => contextViewerId(context),
        limitedCallsOf: (context) => contextLimitedCalls(context),
        ttlSeconds: {
          FeatureFlag: ttls.featureFlag,
          User: ttls.entity,
          Organization: ttls.entity,
          Membership: ttls.entity,
          'Query.viewer': ttls.session,
        },
        defaultTtlSeconds: ttls.entity,
        includeExtensionMetadata,
      })
    : [];
  const yoga = createYoga<ServerContext, Context>({
    schema,
    context: ({ request, req }) => createContext(deps, kinds, limits, request, { req }),
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    landingPage: false,
    graphiql: env.GRAPHIQL ? GRAPHIQL_OPTIONS : false,
    // Its files from this server (useGraphiQLAssets below): Yoga's own page loads them from a CDN.
    renderGraphiQL: async (options) => renderGraphiQLPage(await loadGraphiQLAssets(), options),
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
        if (isDatabaseUnavailable(original ?? error)) {
          // An outage, not a bug: a coded error clients retry on (useServiceUnavailable sets 503 when nothing was answered).
          logger.warn({ err: original instanceof Error ? original.message : String(original) }, 'database unavailable');
          const coded = serviceUnavailable();
          return new GraphQLError(coded.message, {
            nodes: error instanceof GraphQLError ? error.nodes : undefined,
            path: error instanceof GraphQLError ? error.path : undefined,
            extensions: coded.extensions,
          });
        }
        // Execution errors were logged with their request (useRequestScope); this catches the rest.
        if (!wasLogged(original)) logger.error({ err: original }, 'unexpected error');
        const masked = maskError(error, message, isDev);
        return new GraphQLError(masked.message, {
          nodes: masked instanceof GraphQLError ? masked.nodes : undefined,
          path: masked instanceof GraphQLError ? masked.path : undefined,
          extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
        });
      },
    },
    plugins: [
      useRequestScope(logger),
      useServiceUnavailable(),
      ...(env.GRAPHIQL ? [useGraphiQLAssets()] : []),
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
      // After armor: it wraps armor's token-counting parser with a depth check that runs first.
      useNestingLimit(),
      // graphql-js's NoSchemaIntrospectionCustomRule: __schema and __type fail validation (coded as armor's
      // limits are, by useErrorCodes), __typename stays.
      ...(env.INTROSPECTION ? [] : [useDisableIntrospection()]),
      useErrorCodes(),
      // Before the response cache: hits count against the budget too.
      useOperationBudget({
        limiter: deps.limiter,
        config: limits,
        clientOf: async (request, server) => {
          const { viewer } = await requestState(deps, kinds, request);
          return viewer.userId
            ? { userId: viewer.userId }
            : { ip: clientIp(request, serverContextOf(server), limits.trustProxy) };
        },
        precounted: hotPath ? (server) => hotPath.precounted(server) : undefined,
      }),
      // After the budget: refused ids and documents count too.
      ...usePersistedDocuments({
        policy: persisted,
        apqStore: createApqStore({
          store: deps.cache.store,
          documents: persisted.documents,
          ttlSeconds: env.CACHE_TTL_APQ_SECONDS,
        }),
      }),
      useTextInputs(),
      // Each document compiled once into a function (graphql-jit): the
      // executor's per-field walk was the miss path's largest share of CPU.
      // Before the response cache, which wraps whatever executor it finds.
      ...(env.GRAPHQL_JIT ? [useGraphQlJit()] : []),
      ...responseCache,
      useReadiness({
        endpoint: '/ready',
        check: async ({ fetchAPI }) => {
          const { ready, dependencies } = await checkReadiness(readinessChecks, READY_TIMEOUT_MS, (name, error) =>
            logger.warn({ dependency: name, err: (error as Error).message }, 'not ready'),
          );
          const body = JSON.stringify({ status: ready ? 'ready' : 'unavailable', dependencies });
          return new fetchAPI.Response(body, {
            status: ready ? 200 : 503,
            headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
          });
        },
      }),
    ],
  });
  const metrics = env.METRICS_TOKEN
    ? createMetrics({
        hotPath,
        responseCache: deps.responseCache,
        entityCache: deps.cache,
        store: deps.store,
        limiter: deps.limiter,
        pool: options.pool,
      })
    : null;
  // Only debug and trace lines (Yoga's own, per request) are logged where no context reaches: only then is the async scope on.
  const debugLines = logger.isLevelEnabled('debug');
  const viaYoga = (req: IncomingMessage, res: ServerResponse, scope: RequestScope, finish: Finish) => {
    finish.watch(res, scope);
    // The hot path writes the id into its own head; Yoga's head merges what was set before it.
    res.setHeader('X-Request-Id', scope.id);
    bindScope(req, scope);
    if (debugLines) void runInScope(scope, async () => yoga(req, res));
    else void yoga(req, res);
  };
  const api: RequestListener = instrument(
    hotPath
      ? (req, res, scope, finish) => {
          hotPath.serve(req, res, scope).then(
            (served) => (served ? finish.now(res, scope) : viaYoga(req, res, scope, finish)),
            () => viaYoga(req, res, scope, finish),
          );
        }
      : viaYoga,
    {
      logger,
      trustProxy: limits.trustProxy,
      slowMs: env.SLOW_OPERATION_MS,
      metrics,
      metricsEndpoint: metrics ? metricsEndpoint(metrics.registry, env.METRICS_TOKEN) : null,
    },
  );
  // The SPA's files go around the request instrumentation: they are not operations.
  const site = options.webRoot ? staticSite(options.webRoot) : null;
  const listener = site ? inFrontOf(api, site, API_PATHS) : api;
  return Object.assign(yoga, { listener, hotPath, web: { served: site !== null } });
}

/** Every path the API answers (GraphiQL's files are under the prefix): never the SPA's, whatever it holds. */
const API_PATHS = ['/graphql', '/health', '/ready', '/metrics', GRAPHIQL_ASSET_PREFIX];

/** Longer than a healthy Postgres or Redis ever takes, shorter than a load balancer's probe timeout. */
const READY_TIMEOUT_MS = 2_000;

/** The validated viewer's id in a Yoga context (ours carries a RequestViewer). */
function contextViewerId(context: unknown): string | null {
  const viewer: unknown = typeof context === 'object' && context !== null ? Reflect.get(context, 'viewer') : undefined;
  const userId: unknown = typeof viewer === 'object' && viewer !== null ? Reflect.get(viewer, 'userId') : undefined;
  return typeof userId === 'string' ? userId : null;
}

/** How many @rateLimit field calls a request counted, from its context. */
function contextLimitedCalls(context: unknown): number {
  const limits: unknown = typeof context === 'object' && context !== null ? Reflect.get(context, 'rateLimits') : undefined;
  const checked: unknown = typeof limits === 'object' && limits !== null ? Reflect.get(limits, 'checked') : undefined;
  return typeof checked === 'number' ? checked : 0;
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
