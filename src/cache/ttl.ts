import type { Env } from '../env.ts';

/** TTL in seconds by volatility. Invalidation on write keeps data fresh; the TTL bounds memory and any missed invalidation. */
export interface CacheTtls {
  featureFlag: number;
  entity: number;
  session: number;
  /** How long a row's absence is remembered, so a hot missing key does not reach Postgres every time. */
  missing: number;
}

/** The TTLs configured in env (defaults: flags 30 min, users, organizations and memberships 10 min, sessions 2 min). */
export function cacheTtls(
  env: Pick<
    Env,
    'CACHE_TTL_FLAG_SECONDS' | 'CACHE_TTL_ENTITY_SECONDS' | 'CACHE_TTL_SESSION_SECONDS' | 'CACHE_TTL_MISSING_SECONDS'
  >,
): CacheTtls {
  return {
    featureFlag: env.CACHE_TTL_FLAG_SECONDS,
    entity: env.CACHE_TTL_ENTITY_SECONDS,
    session: env.CACHE_TTL_SESSION_SECONDS,
    missing: env.CACHE_TTL_MISSING_SECONDS,
  };
}
