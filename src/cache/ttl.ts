/** TTLs by volatility (DESIGN.md); invalidation on write keeps data fresh, the TTL only bounds memory. */
export const ttlSeconds = {
  featureFlag: 30 * 60,
  user: 10 * 60,
  organization: 10 * 60,
  membership: 10 * 60,
  session: 2 * 60,
} as const;
