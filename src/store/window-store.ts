/**
 * The rate limiter's store: counted calls per identity, atomic across
 * instances, each check one round trip, on the store's own clock so every
 * instance counts against the same time.
 */

/** What a check found: whether the call counts, how many remain, when the window has room again (ms), and when it is whole again (ms). */
export interface WindowResult {
  allowed: boolean;
  remaining: number;
  /** Until the next call would be allowed (0 when this one was) or, for a sliding log, until the oldest call leaves. */
  retryMs: number;
  /** Until the full limit is available again: what RateLimit-Reset states. */
  resetMs: number;
}

export interface WindowStore {
  /**
   * A sliding log: counts one call unless `limit` calls are already in the last
   * `windowMs`. Exact: never more than `limit` in any window, where a fixed
   * window admits twice the limit across a boundary. `member` is unique per call.
   * Used for the @rateLimit fields (≤ 10 calls a minute, so the log is small).
   */
  slidingWindowHit(key: string, limit: number, windowMs: number, member: string): Promise<WindowResult>;
  /**
   * GCRA (the generic cell rate algorithm): `limit` calls at once, then one
   * every `windowMs / limit`. One key holding one number, two commands: cheap
   * enough to count on every request, cache hits included, which is what the
   * operation budget does.
   */
  gcraHit(key: string, limit: number, windowMs: number): Promise<WindowResult>;
}

/**
 * GCRA's arithmetic, shared by the memory store and (as Lua, in gcra.lua.ts)
 * the Redis one: the stored value is the theoretical arrival time (TAT), in ms.
 */
export function gcra(now: number, storedTat: number | null, limit: number, windowMs: number): WindowResult & { tat: number } {
  const interval = windowMs / limit;
  const tat = Math.max(storedTat ?? now, now);
  const next = tat + interval;
  const allowAt = next - windowMs;
  if (now < allowAt) {
    return { allowed: false, remaining: 0, retryMs: allowAt - now, resetMs: tat - now, tat };
  }
  return {
    allowed: true,
    remaining: Math.floor((windowMs - (next - now)) / interval + 1e-9),
    retryMs: 0,
    resetMs: next - now,
    tat: next,
  };
}
