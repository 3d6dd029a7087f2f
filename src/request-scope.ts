import { AsyncLocalStorage } from 'node:async_hooks';

/** What one request carries through every async step it takes: read by the logger and the request metrics. */
export interface RequestScope {
  /** Echoed as X-Request-Id and stamped on every log line the request causes. */
  readonly id: string;
  /** The operation's name once known (hot path or Yoga), as the client named it; null until then. */
  operation: string | null;
  /** False once the request turns out to be a mutation (or anything else no cache may answer): labelled `bypass`. */
  cacheable: boolean;
  /** True once the hot path answered from the cache: its head is written whole, so `res` holds no header to read back. */
  servedHot: boolean;
}

/**
 * Async-local, so a line logged deep inside a loader or a store failure still
 * names its request without every function passing a child logger along.
 */
export const requestScope = new AsyncLocalStorage<RequestScope>();

/** Requests running inside the scope now; the storage is switched off when none is. */
let scoped = 0;

/**
 * Runs one request's work inside its scope, until `done` settles. On Node 20
 * an enabled AsyncLocalStorage puts an init hook on every promise the process
 * creates, which cost a hot-path hit (no await in it needs the scope) about a
 * sixth of its CPU; so the storage is on only while some request runs
 * inside it, and a hit served while none does pays nothing.
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
