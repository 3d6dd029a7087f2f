import type { ExpiringMap } from './expiring-map.ts';
import type { HotLookup, HotResult, HotStore } from './hot-store.ts';
import { carries, splitVersion } from './stored-text.ts';
import type { RoundTrips } from './round-trips.ts';
import type { MemoryWindowStore } from './window-store.memory.ts';

/** The hot path's lookup in process memory: the Lua script's steps, on the memory stores' keyspace. */
export class MemoryHotStore implements HotStore {
  constructor(
    private readonly map: ExpiringMap,
    private readonly windows: MemoryWindowStore,
    private readonly trips: RoundTrips,
  ) {}

  async lookup(request: HotLookup): Promise<HotResult> {
    this.trips.count += 1;
    const stored = this.map.get(request.sessionKey);
    const text = stored === null ? null : splitVersion(stored).body;
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
      ? this.windows.gcraCount(request.budgetKey, request.budget.limit, request.budget.windowMs)
      : null;
    if (budget && !budget.allowed) return { kind: 'counted', budget, stored: null };
    const answer = this.map.get(request.responseKey);
    if (answer === null) return { kind: 'counted', budget, stored: null };
    return { kind: 'counted', budget, stored: carries(answer, request.knownEtag) ? 'known' : Buffer.from(answer) };
  }
}
