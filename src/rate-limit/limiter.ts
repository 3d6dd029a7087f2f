import { createHash, randomUUID } from 'node:crypto';
import { keys } from '../cache/keys.ts';
import type { Logger } from '../logger.ts';
import { ExpiringMap } from '../store/expiring-map.ts';
import type { WindowResult, WindowStore } from '../store/window-store.ts';
import { MemoryWindowStore } from '../store/window-store.memory.ts';

/** The outcome of one counted call, in the units the RateLimit headers use. */
export interface LimitCheck {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the next call would be allowed (Retry-After, retryAfter). */
  retrySeconds: number;
  /** Seconds until the whole limit is available again (RateLimit-Reset). */
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
  /** Whether the last check the store was asked found it down: authentication limits then fail closed, the rest count in process. */
  storeDown: boolean;
  /** Checks by policy (the @rateLimit policy name, or `budget`): allowed and limited. */
  byPolicy: Map<string, { allowed: number; limited: number }>;
}

/** A limit as configured: `limit` calls per `windowMs`. */
export interface LimitRule {
  limit: number;
  window: string;
  windowMs: number;
}

/** Identities go into keys hashed: emails and IPs have no business sitting readable in Redis. */
export const hashIdentity = (identity: string) => createHash('sha256').update(identity).digest('base64url').slice(0, 22);

/** Where the operation budget of a client lives: a viewer's in the viewer's slot (the hot path counts it there too). */
export function budgetKey(rule: LimitRule, client: { userId: string } | { ip: string }): string {
  const name = `${rule.limit}/${rule.window}`;
  return 'userId' in client ? keys.viewerBudget(name, client.userId) : keys.clientBudget(name, hashIdentity(`ip:${client.ip}`));
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Rate limits in the shared store, so every instance counts the same calls
 * (one Lua round trip per check). Field limits use an exact sliding log; the
 * operation budget, counted on every request, uses GCRA (see
 * store/window-store.ts). When the store fails, a limit either fails closed
 * (authentication) or falls back to an in-process window of the same size, so
 * a Redis outage neither opens the login door nor stops the API.
 */
export class RateLimiter {
  readonly stats: LimiterStats = {
    checks: 0,
    limited: 0,
    storeFailures: 0,
    failedClosed: 0,
    storeDown: false,
    byPolicy: new Map(),
  };
  private readonly fallback = new MemoryWindowStore(new ExpiringMap(), { count: 0 });
  private lastLogged = 0;

  constructor(
    private readonly store: WindowStore,
    private readonly logger: Logger,
  ) {}

  /** Counts one call of a @rateLimit field for `identity` (sliding log); `policy` names it in the stats. */
  async hit(scope: string, rule: LimitRule, identity: string, failClosed: boolean, policy = 'custom'): Promise<LimitCheck> {
    const key = keys.rateLimit(scope, `${rule.limit}/${rule.window}`, hashIdentity(identity));
    return this.check(rule, failClosed, policy, (store) => store.slidingWindowHit(key, rule.limit, rule.windowMs, randomUUID()));
  }

  /** Counts one operation against a client's budget (GCRA); it never fails closed. */
  async budget(rule: LimitRule, client: { userId: string } | { ip: string }): Promise<LimitCheck> {
    const key = budgetKey(rule, client);
    return this.check(rule, false, 'budget', (store) => store.gcraHit(key, rule.limit, rule.windowMs));
  }

  /** A budget verdict the hot path already counted in its own script: recorded as a check, not counted again. */
  counted(rule: LimitRule, result: WindowResult): LimitCheck {
    this.stats.checks += 1;
    if (!result.allowed) this.stats.limited += 1;
    this.decided('budget', result.allowed);
    return toCheck(rule, result, false);
  }

  private async check(
    rule: LimitRule,
    failClosed: boolean,
    policy: string,
    count: (store: WindowStore) => Promise<WindowResult>,
  ): Promise<LimitCheck> {
    this.stats.checks += 1;
    let unavailable = false;
    let result: WindowResult;
    try {
      result = await count(this.store);
      this.stats.storeDown = false;
    } catch (error) {
      this.stats.storeDown = true;
      this.stats.storeFailures += 1;
      this.logFailure(error, failClosed);
      if (failClosed) {
        this.stats.failedClosed += 1;
        unavailable = true;
        result = { allowed: false, remaining: 0, retryMs: 1_000, resetMs: 1_000 };
      } else {
        result = await count(this.fallback);
      }
    }
    if (!result.allowed) this.stats.limited += 1;
    this.decided(policy, result.allowed);
    return toCheck(rule, result, unavailable);
  }

  private decided(policy: string, allowed: boolean): void {
    let counts = this.stats.byPolicy.get(policy);
    if (!counts) {
      counts = { allowed: 0, limited: 0 };
      this.stats.byPolicy.set(policy, counts);
    }
    if (allowed) counts.allowed += 1;
    else counts.limited += 1;
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

function toCheck(rule: LimitRule, result: WindowResult, unavailable: boolean): LimitCheck {
  return {
    allowed: result.allowed,
    limit: rule.limit,
    remaining: result.remaining,
    retrySeconds: seconds(result.allowed ? result.resetMs : result.retryMs),
    resetSeconds: seconds(result.resetMs),
    unavailable,
  };
}
