import { useResponseCache } from '@envelop/response-cache';
import { getOperationAST, type ExecutionResult, type GraphQLSchema } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import { keys } from '../cache/keys.ts';
import { executionKey, type ResponseCache, storeKeyOf } from '../cache/response-cache.ts';
import { operationHash, type OperationParams } from '../cache/response-key.ts';
import { viewerTag } from '../cache/touched.ts';

/** Options of useTenantResponseCache. */
export interface TenantResponseCacheOptions {
  cache: ResponseCache;
  schema: GraphQLSchema;
  /** Changes with the schema and the access rules; part of every key (cache/response-key.ts). */
  version: string;
  /** The request's validated viewer id (null when anonymous or invalid), from the context. */
  viewerOf(context: unknown): string | null;
  /** How many @rateLimit field calls the request counted, from the context: an answer that counted any is not stored. */
  limitedCallsOf(context: unknown): number;
  /** TTLs in seconds by type (the shortest type in a response wins); `Query.viewer` as a coordinate. */
  ttlSeconds: Record<string, number>;
  /** Fallback TTL in seconds for a response showing none of the typed entities. */
  defaultTtlSeconds: number;
  /** Adds extensions.responseCache (hit, ttl) to answers; the hot path then stays off, since it serves stored bytes. @default false */
  includeExtensionMetadata?: boolean;
}

/** The parameters Yoga parsed, from a context (Yoga puts them there). */
function paramsOf(context: unknown): OperationParams | null {
  const params: unknown = typeof context === 'object' && context !== null ? Reflect.get(context, 'params') : undefined;
  if (typeof params !== 'object' || params === null) return null;
  const query: unknown = Reflect.get(params, 'query');
  if (typeof query !== 'string') return null;
  const operationName: unknown = Reflect.get(params, 'operationName');
  return {
    query,
    operationName: typeof operationName === 'string' ? operationName : null,
    variables: Reflect.get(params, 'variables'),
  };
}

const requestOf = (context: unknown): unknown =>
  typeof context === 'object' && context !== null ? Reflect.get(context, 'request') : undefined;

/**
 * The response cache: envelop's plugin over our ResponseCache, keyed by
 * operation, variables, viewer and version exactly as the hot path keys a raw
 * request (cache/response-key.ts), plus what envelop's plugin lacks:
 * identical concurrent misses execute once (coalescing), and every answer
 * says X-Cache: HIT or MISS, with the stored answer's ETag and, when it is a
 * viewer's, `Cache-Control: private, no-cache`. Mutations are never cached
 * (their fields get TTL 0) and invalidate nothing themselves: the services
 * do, awaited.
 */
export function useTenantResponseCache(options: TenantResponseCacheOptions): Plugin[] {
  const { cache } = options;
  const keyByContext = new WeakMap<object, string>();
  /** Requests whose answer is keyed for a viewer: theirs get `Cache-Control: private`. */
  const viewerScoped = new WeakSet<object>();
  const answers = new WeakMap<Request, { hit: boolean; etag: string | undefined; viewer: boolean }>();
  /** Executions by key, with the invalidation sequence their miss saw (null: unknown, never joined). */
  const executing = new Map<string, { result: Promise<unknown>; seq: number | null }>();

  /**
   * The request's key, built once (by whichever of the two plugins asks first:
   * envelop's cache runs after the coalescing below), and its expected tags noted.
   */
  function keyOf(context: unknown, viewerId: string | null): string {
    if (typeof context !== 'object' || context === null) return keys.response(`unkeyed:${Math.random()}`, null);
    const known = keyByContext.get(context);
    if (known) return known;
    const params = paramsOf(context);
    // Without Yoga's parameters there is nothing the hot path could match: a key nothing stores under.
    // The request's own key: its lookup and its store are paired, whatever other requests of the same key do.
    const key = executionKey(
      keys.response(params ? operationHash(params, options.version) : `unkeyed:${Math.random()}`, viewerId),
    );
    keyByContext.set(context, key);
    const request = requestOf(context);
    if (viewerId && typeof request === 'object' && request !== null) viewerScoped.add(request);
    // A viewer-keyed answer depends on that viewer's memberships even where it shows none of them.
    cache.expect(key, viewerId ? [viewerTag(viewerId)] : []);
    return key;
  }

  // Envelop never stores __schema answers; __type is introspection too, and one stored while INTROSPECTION was
  // on would be served by the hot path after it is turned off.
  const ttlPerSchemaCoordinate: Record<string, number> = { 'Query.__type': 0 };
  for (const [coordinate, seconds] of Object.entries(options.ttlSeconds)) ttlPerSchemaCoordinate[coordinate] = seconds * 1000;
  for (const field of Object.keys(options.schema.getMutationType()?.getFields() ?? {}))
    ttlPerSchemaCoordinate[`Mutation.${field}`] = 0;

  const responseCache = useResponseCache<YogaInitialContext>({
    cache,
    ttl: options.defaultTtlSeconds * 1000,
    ttlPerSchemaCoordinate,
    invalidateViaMutation: false,
    includeExtensionMetadata: options.includeExtensionMetadata ?? false,
    session: (context) => options.viewerOf(context),
    // Errors are never cached.
    shouldCacheResult: ({ result }) => !result.errors?.length,
    buildResponseCacheKey: ({ context, sessionId }) => keyOf(context, sessionId ?? null),
  });

  const coalesceAndLabel: Plugin = {
    onExecute({ args, executeFn, setExecuteFn }) {
      const context = args.contextValue;
      const key = keyOf(context, options.viewerOf(context));
      if (getOperationAST(args.document, args.operationName)?.operation !== 'query') {
        // Envelop would cache a mutation's answer once invalidateViaMutation is off: never store one.
        cache.refuse(key);
        return;
      }
      // An execution running when this request arrived is joined even if it ends before this request's lookup
      // answers: its result is what that lookup would have found once stored.
      // Executions are shared by store key: requests of the same key may join one another's.
      const shared = storeKeyOf(key);
      const runningAtArrival = executing.get(shared);
      let mine: { result: Promise<unknown>; seq: number | null } | undefined;
      const forget = () => {
        if (mine && executing.get(shared) === mine) executing.delete(shared);
      };
      setExecuteFn((execArgs) => {
        // Runs once this request's own lookup missed. It joins only an execution whose miss saw the same
        // invalidation sequence as its own: a write acknowledged (on any instance) after that execution
        // began has bumped the sequence before this request's lookup read it, and joining would answer
        // the pre-image. Unknown sequences (the store down) never join.
        const seen = cache.seqAtMiss(key) ?? null;
        const running = executing.get(shared) ?? runningAtArrival;
        if (running && running.seq !== null && seen !== null && seen <= running.seq) {
          cache.stats.coalesced += 1;
          // The owner stores the shared answer with its entity tags; this request must not store it again.
          cache.joined(key);
          return running.result as ReturnType<typeof executeFn>;
        }
        const result = Promise.resolve(executeFn(execArgs));
        mine = { result, seq: seen };
        executing.set(shared, mine);
        // A failed execution has no onExecuteDone: forget it here.
        result.catch(forget);
        return result;
      });
      return {
        onExecuteDone() {
          // Runs before envelop's store: a hit must never skip a field limit the miss counted.
          if (options.limitedCallsOf(context) > 0) cache.refuse(key);
          // Forgotten only once envelop's store of the result (begun right after this hook) has landed, so a
          // request that missed before it landed joins this execution instead of executing again.
          queueMicrotask(() => void cache.settled(key).then(forget, forget));
        },
      };
    },
    onResultProcess({ request, result }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      const executed: ExecutionResult = result;
      const metadata = executed.extensions?.['responseCache'];
      const hit =
        cache.wasServed(executed) || (typeof metadata === 'object' && metadata !== null && Reflect.get(metadata, 'hit') === true);
      answers.set(request, { hit, etag: cache.etagOf(executed), viewer: viewerScoped.has(request) });
    },
    onResponse({ request, response }) {
      const answer = answers.get(request);
      if (!answer) return;
      response.headers.set('X-Cache', answer.hit ? 'HIT' : 'MISS');
      if (!answer.etag) return;
      response.headers.set('ETag', answer.etag);
      if (answer.viewer) response.headers.set('Cache-Control', 'private, no-cache');
    },
  };

  // Coalescing first: envelop's cache then wraps it, so a request that joins another's execution
  // still passes through the cache's executor (which warns when it is skipped) and is labelled.
  return [coalesceAndLabel, responseCache];
}
