import { createHash, randomUUID } from 'node:crypto';
import { keys } from '../cache/keys.ts';
import { MemoryStore } from '../cache/memory-store.ts';
import type { Logger } from '../logger.ts';
import type { KeyValueStore } from '../redis.ts';

/** The outcome of one counted call, in the units the RateLimit headers use. */
export interface LimitCheck {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window has room again (RateLimit-Reset, Retry-After). */
  resetSeconds: number;
  /** True when the store was down and the check failed closed. */
  unavailable: boolean;
}

/** What the limiter did since start: for tests and metrics. */
export interface LimiterStats {
  checks: number;
  limited: number;
  /** Checks the shared store could not answer. */
  storeFailures: number;
  /** Of those, checks refused because the limit fails closed. */
  failedClosed: number;
}

/** Identities go into keys hashed: emails and IPs have no business sitting readable in Redis. */
const hashIdentity = (identity: string) => createHash('sha256').update(identity).digest('base64url').slice(0, 22);

/**
 * Sliding-window limits in the shared store, so every instance counts the
 * same calls (one Lua round trip per check, see redis.ts). A sliding log is
 * exact: never more than `limit` calls in any window, where a fixed window
 * admits twice the limit across a boundary and GCRA admits a burst of `limit`
 * and then up to another `limit` in the same window; at our limits (≤ 100
 * calls a minute) its memory is small. When the store fails, a limit either
 * fails closed (authentication) or falls back to an in-process window of the
 * same size, so a Redis outage neither opens the login door nor stops the API.
 */
export class RateLimiter {
  readonly stats: LimiterStats = { checks: 0, limited: 0, storeFailures: 0, failedClosed: 0 };
  private readonly fallback = new MemoryStore();
  private lastLogged = 0;

  constructor(
    private readonly store: KeyValueStore,
    private readonly logger: Logger,
  ) {}

  async hit(
    scope: string,
    rule: { limit: number; window: string; windowMs: number },
    identity: string,
    failClosed: boolean,
  ): Promise<LimitCheck> {
    this.stats.checks += 1;
    const key = keys.rateLimit(scope, `${rule.limit}/${rule.window}`, hashIdentity(identity));
    let unavailable = false;
    let result;
    try {
      result = await this.store.slidingWindowHit(key, rule.limit, rule.windowMs, randomUUID());
    } catch (error) {
      this.stats.storeFailures += 1;
      this.logFailure(error, failClosed);
      if (failClosed) {
        this.stats.failedClosed += 1;
        unavailable = true;
        result = { allowed: false, remaining: 0, resetMs: 1_000 };
      } else {
        result = await this.fallback.slidingWindowHit(key, rule.limit, rule.windowMs);
      }
    }
    if (!result.allowed) this.stats.limited += 1;
    return {
      allowed: result.allowed,
      limit: rule.limit,
      remaining: result.remaining,
      resetSeconds: Math.max(1, Math.ceil(result.resetMs / 1000)),
      unavailable,
    };
  }

  async close(): Promise<void> {
    await this.fallback.close();
  }

  private logFailure(error: unknown, failClosed: boolean): void {
    const now = Date.now();
    if (now - this.lastLogged < 10_000) return;
    this.lastLogged = now;
    this.logger.error(
      { err: (error as Error).message, failures: this.stats.storeFailures },
      failClosed ? 'rate limit store down: authentication limits fail closed' : 'rate limit store down: limiting in process',
    );
  }
}
