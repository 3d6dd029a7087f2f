import type { ResponseCache } from '../../src/cache/response-cache.ts';

/** A gate a test opens when it wants: interleavings are forced, not hoped for. */
export function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

/**
 * Records the stores envelop begins on a response cache. Envelop does not
 * await them, so a test awaits `settled()` instead of sleeping for their round trip.
 */
export function recordStores(cache: ResponseCache) {
  const original = cache.set;
  const begun: Promise<void>[] = [];
  cache.set = (...args) => {
    const store = original.apply(cache, args);
    begun.push(store);
    return store;
  };
  return {
    /** Stores begun since recording started. */
    get count() {
      return begun.length;
    },
    settled: () => Promise.all(begun).then(() => undefined),
    restore: () => {
      cache.set = original;
    },
  };
}
