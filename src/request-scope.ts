import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError } from 'graphql';
import type { Logger } from './logger.ts';

/** What one request carries from the listener to Yoga's plugins: read by the request metrics and the logs. */
export interface RequestScope {
  /** Echoed as X-Request-Id and stamped on the log lines the request causes. */
  readonly id: string;
  /** The operation's name once known (hot path or Yoga), as the client named it; null until then. */
  operation: string | null;
  /** False once the request turns out to be a mutation (or anything else no cache may answer): labelled `bypass`. */
  cacheable: boolean;
  /** True once the hot path answered from the cache: its head is written whole, so `res` holds no header to read back. */
  servedHot: boolean;
  /** performance.now() when the request arrived. */
  readonly started: number;
}

/**
 * Scopes by their node:http request, which Yoga hands every plugin as
 * `context.req`. An AsyncLocalStorage reaches code that has no context too,
 * but on Node 20 an enabled one puts an init hook on every promise the
 * process creates: about 7% of a miss's CPU and a tenth of the bytes it
 * allocated (CPU and allocation profiles of the org page). A WeakMap entry
 * per request costs nothing of the kind, and goes with its request.
 */
const scopes = new WeakMap<object, RequestScope>();

/** Ties a request's scope to its node:http request before Yoga sees it, and to Yoga's Request once there is one. */
export function bindScope(request: object, scope: RequestScope): void {
  scopes.set(request, scope);
}

/** The scope bound to a node:http request or a Yoga Request. */
export const scopeOfRequest = (request: object): RequestScope | undefined => scopes.get(request);

/** The scope of the request behind a Yoga server context (or GraphQL context, which extends it); undefined outside one. */
export function scopeOf(context: unknown): RequestScope | undefined {
  const req: unknown = typeof context === 'object' && context !== null ? Reflect.get(context, 'req') : undefined;
  return typeof req === 'object' && req !== null ? scopes.get(req) : undefined;
}

/** Errors already logged with their request: the error mask logs only the others. */
const loggedErrors = new WeakSet<object>();

/**
 * Logs a failure that is not an answer meant for the client (coded errors and
 * graphql-js's own are), once, with its request's id and operation.
 */
export function logUnexpected(logger: Logger, error: unknown, scope: RequestScope | undefined): void {
  if (error instanceof GraphQLError || typeof error !== 'object' || error === null || loggedErrors.has(error)) return;
  loggedErrors.add(error);
  logger.error({ reqId: scope?.id, operation: scope?.operation, err: error }, 'unexpected error');
}

/** Whether logUnexpected already logged this error. */
export const wasLogged = (error: unknown): boolean => typeof error === 'object' && error !== null && loggedErrors.has(error);

/**
 * The scope of the code running now, for log lines written far from any
 * context (Yoga's own debug lines): set only when debug lines are logged at
 * all (see runInScope), so production pays nothing for it.
 */
export const requestScope = new AsyncLocalStorage<RequestScope>();

/** Requests running inside the async scope now; the storage is switched off when none is. */
let scoped = 0;

/**
 * Runs one request's work inside its async scope, until `work` settles. On
 * Node 20 an enabled AsyncLocalStorage hooks every promise the process makes,
 * so the storage is on only while some request runs inside it: a hot-path hit
 * served meanwhile pays nothing, and with debug logging off nothing runs here.
 */
export function runInScope(scope: RequestScope, work: () => Promise<unknown>): Promise<unknown> {
  scoped += 1;
  const finish = () => {
    scoped -= 1;
    if (scoped === 0) requestScope.disable();
  };
  const running = requestScope.run(scope, work);
  running.then(finish, finish);
  return running;
}
