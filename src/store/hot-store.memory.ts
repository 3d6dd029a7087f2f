import type { ExpiringMap } from './expiring-map.ts';
import type { HotLookup, HotResult, HotStore } from './hot-store.ts';
import type { RoundTrips } from './round-trips.ts';
import type { WindowStore } from './window-store.ts';

/** The hot path's lookup in process memory: the Lua script's steps, on the memory stores' keyspace. */
export class MemoryHotStore implements HotStore {
  constructor(
    private readonly map: ExpiringMap,
    private readonly windows: WindowStore,
    private readonly trips: RoundTrips,
  ) {}

  async lookup(request: HotLookup): Promise<HotResult> {
    this.trips.count += 1;
    const text = this.map.get(request.sessionKey);
    if (text === null || text === 'null') return { kind: 'unknown' };
    let session: unknown;
    try {
      session = JSON.parse(text);
    } catch {
      // As the Lua script's pcall: an unreadable entry vouches for nobody.
      return { kind: 'unknown' };
    }
    const userId: unknown = typeof session === 'object' && session !== null ? Reflect.get(session, 'userId') : undefined;
    const expiresAt: unknown = typeof session === 'object' && session !== null ? Reflect.get(session, 'expiresAt') : undefined;
    if (userId !== request.userId || typeof expiresAt !== 'string' || expiresAt <= request.nowIso) return { kind: 'unknown' };
    const budget = request.budget
      ? await this.windows.gcraHit(request.budgetKey, request.budget.limit, request.budget.windowMs)
      : null;
    // The windows store counted its own trip: this lookup is still one.
    this.trips.count -= request.budget ? 1 : 0;
    if (budget && !budget.allowed) return { kind: 'counted', budget, stored: null };
    const stored = this.map.get(request.responseKey);
    return { kind: 'counted', budget, stored: stored === null ? null : Buffer.from(stored) };
  }
}
