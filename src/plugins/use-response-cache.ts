import { createHash } from 'node:crypto';
import { useResponseCache as useYogaResponseCache } from '@graphql-yoga/plugin-response-cache';
import { getOperationAST, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ResponseCache } from '../cache/response-cache.ts';
import { globalId } from '../schema/global-id.ts';

/** Options of useTenantResponseCache. */
export interface TenantResponseCacheOptions {
  cache: ResponseCache;
  schema: GraphQLSchema;
  /**
   * The viewer's user id for a request, after validating its token (cheaply,
   * through the entity cache); null when anonymous or invalid. Runs on every
   * request, hits included.
   */
  viewerOf(request: Request): Promise<string | null>;
  /** TTLs in seconds by type (the shortest type in a response wins); `Query.viewer` as a coordinate. */
  ttlSeconds: Record<string, number>;
  /** Fallback TTL in seconds for a response showing none of the typed entities. */
  defaultTtlSeconds: number;
  /** Adds extensions.responseCache (hit, ttl) to answers. @default false */
  includeExtensionMetadata?: boolean;
}

const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

/** A sync SHA-256 (WebCrypto's async digest cost a quarter of a hit here; STACK-NOTES). */
const hash = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

/**
 * The response cache: Yoga's plugin over our ResponseCache, keyed by
 * operation, variables and viewer, plus the parts envelop's plugin lacks:
 * identical concurrent misses execute once (coalescing), and every GraphQL
 * answer says X-Cache: HIT or MISS. Mutations are never cached (their fields
 * get TTL 0) and invalidate nothing themselves: the services do, awaited.
 */
export function useTenantResponseCache(options: TenantResponseCacheOptions): Plugin[] {
  const { cache } = options;
  const keyByContext = new WeakMap<object, string>();
  const status = new WeakMap<Request, 'HIT' | 'MISS'>();
  const executing = new Map<string, Promise<unknown>>();

  const ttlPerSchemaCoordinate: Record<string, number> = {};
  for (const [coordinate, seconds] of Object.entries(options.ttlSeconds)) ttlPerSchemaCoordinate[coordinate] = seconds * 1000;
  for (const field of Object.keys(options.schema.getMutationType()?.getFields() ?? {})) ttlPerSchemaCoordinate[`Mutation.${field}`] = 0;

  const responseCache = useYogaResponseCache({
    cache,
    ttl: options.defaultTtlSeconds * 1000,
    ttlPerSchemaCoordinate,
    invalidateViaMutation: false,
    includeExtensionMetadata: options.includeExtensionMetadata ?? false,
    session: (request) => options.viewerOf(request),
    // A conditional request would be answered 304 by the plugin before any token check: serve those uncached.
    enabled: (request) => !request.headers.has('if-none-match'),
    // Errors are never cached; and no ETag, for the reason above.
    shouldCacheResult: ({ result }) => !result.errors?.length,
    buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId, context }) => {
      const key = hash([documentString, operationName ?? null, variableValues ?? {}, sessionId ?? null]);
      if (typeof context === 'object' && context !== null) keyByContext.set(context, key);
      // A viewer-keyed answer depends on that viewer's memberships even where it shows none of them.
      cache.expect(key, sessionId ? [{ typename: 'User', id: globalId('User', sessionId) }] : []);
      return key;
    },
  });

  const coalesceAndLabel: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      const context = args.contextValue;
      const key = typeof context === 'object' && context !== null ? keyByContext.get(context) : undefined;
      if (!key) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') {
        // Envelop would cache a mutation's answer once invalidateViaMutation is off: never store one.
        cache.refuse(key);
        return;
      }
      setExecuteFn((execArgs) => {
        const running = executing.get(key);
        if (running) {
          cache.stats.coalesced += 1;
          return running as ReturnType<typeof executeFn>;
        }
        const result = Promise.resolve(executeFn(execArgs));
        executing.set(key, result);
        const done = () => executing.delete(key);
        result.then(done, done);
        return result;
      });
    },
    onResultProcess({ request, result }) {
      const hit = !Array.isArray(result) && (result as ExecutionResult & { [SERVED_FROM_CACHE]?: boolean })[SERVED_FROM_CACHE];
      status.set(request, hit ? 'HIT' : 'MISS');
    },
    onResponse({ request, response }) {
      const label = status.get(request);
      if (label) response.headers.set('X-Cache', label);
    },
  };

  // Coalescing first: envelop's cache then wraps it, so a request that joins another's execution
  // still passes through the cache's executor (which warns when it is skipped) and is labelled.
  return [coalesceAndLabel, responseCache];
}
