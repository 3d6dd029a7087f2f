import type { ExpiringMap } from './expiring-map.ts';
import type { RoundTrips } from './round-trips.ts';
import { gcra, type WindowResult, type WindowStore } from './window-store.ts';

/**
 * The rate limiter's windows in process memory: the store when there is no
 * Redis, and the limiter's fallback while Redis is down.
 */
export class MemoryWindowStore implements WindowStore {
  /** Sliding logs: the times of the calls in each, oldest first. */
  private readonly logs = new Map<string, { calls: number[]; expiresAt: number }>();

  constructor(
    private readonly map: ExpiringMap,
    private readonly trips: RoundTrips,
    private readonly now: () => number = Date.now,
  ) {}

  async slidingWindowHit(key: string, limit: number, windowMs: number): Promise<WindowResult> {
    this.trips.count += 1;
    const now = this.now();
    const log = this.logs.get(key);
    const calls = log && log.expiresAt > now ? log.calls.filter((at) => at > now - windowMs) : [];
    const allowed = calls.length < limit;
    if (allowed) calls.push(now);
    this.logs.set(key, { calls, expiresAt: allowed ? now + windowMs : (log?.expiresAt ?? now + windowMs) });
    const oldest = calls[0];
    const resetMs = oldest === undefined ? windowMs : oldest + windowMs - now;
    return { allowed, remaining: limit - calls.length, retryMs: allowed ? 0 : resetMs, resetMs };
  }

  async gcraHit(key: string, limit: number, windowMs: number): Promise<WindowResult> {
    this.trips.count += 1;
    return this.gcraCount(key, limit, windowMs);
  }

  /** gcraHit's work without the trip: for the hot lookup, whose one trip counts it. */
  gcraCount(key: string, limit: number, windowMs: number): WindowResult {
    const now = this.now();
    const stored = this.map.get(key);
    const { tat, ...result } = gcra(now, stored === null ? null : Number(stored), limit, windowMs);
    if (result.allowed) this.map.setMs(key, String(tat), Math.max(1, Math.ceil(tat - now)));
    return { ...result, retryMs: Math.ceil(result.retryMs), resetMs: Math.ceil(result.resetMs) };
  }

  /** Drops logs whose window has passed. */
  sweep(): void {
    const now = this.now();
    for (const [key, log] of this.logs) if (log.expiresAt <= now) this.logs.delete(key);
  }
}
