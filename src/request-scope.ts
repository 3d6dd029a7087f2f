import { AsyncLocalStorage } from 'node:async_hooks';

/** What one request carries through every async step it takes: read by the logger and the request metrics. */
export interface RequestScope {
  /** Echoed as X-Request-Id and stamped on every log line the request causes. */
  readonly id: string;
  /** The operation's name once known (hot path or Yoga), as the client named it; null until then. */
  operation: string | null;
  /** False once the request turns out to be a mutation (or anything else no cache may answer): labelled `bypass`. */
  cacheable: boolean;
}

/**
 * Async-local, so a line logged deep inside a loader or a store failure still
 * names its request without every function passing a child logger along.
 */
export const requestScope = new AsyncLocalStorage<RequestScope>();
